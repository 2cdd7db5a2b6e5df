"""Free appointment slots: plain values in, slots out. No database.

A slot is a start time at which an appointment of the requested length fits:

1. the appointment itself lies inside the location's opening hours and, for the
   practitioner, inside their working hours, on a day that is not a closure;
2. the appointment with its buffers before and after overlaps nothing the practitioner
   or the room is already busy with (appointments, leave), which the caller passes as
   intervals that already include those appointments' own buffers;
3. starts fall on the local clock's step (every 15 minutes from local midnight, say), so
   a slot reads as 09:15 whatever the season.

Hours are wall-clock times in the location's time zone, so "09:00" is 09:00 local on
both sides of a daylight-saving change; everything returned is an aware UTC datetime.
"""

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Week = Mapping[int, Sequence[tuple[time, time]]]  # weekday (Monday 0) -> local intervals


@dataclass(frozen=True)
class DatedHours:
    """Weekly hours that change on given days: each period is (first day or None, last
    day or None, its week); a day takes the intervals of every period it falls in."""

    periods: Sequence[tuple[date | None, date | None, Week]]

    def on(self, day: date) -> list[tuple[time, time]]:
        return [
            interval
            for first, last, week in self.periods
            if (first is None or first <= day) and (last is None or day <= last)
            for interval in week.get(day.weekday(), ())
        ]


Hours = Week | DatedHours


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Resource:
    """A practitioner or a room: its own hours (None: the location's) and busy times."""

    id: int
    hours: Hours | None = None
    busy: Sequence[Interval] = ()


@dataclass(frozen=True)
class AvailabilityQuery:
    time_zone: ZoneInfo
    first_day: date
    last_day: date
    duration: timedelta
    opening_hours: Hours
    practitioners: Sequence[Resource]
    rooms: Sequence[Resource]
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    closures: Sequence[tuple[date, date]] = ()  # inclusive local date ranges
    step: timedelta = timedelta(minutes=15)
    not_before: datetime | None = None  # e.g. now: no slots in the past


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    practitioner_ids: tuple[int, ...]
    room_ids: tuple[int, ...]


def local_datetime(day: date, wall: time, time_zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day.

    A time that does not exist (skipped when clocks go forward) is read with the offset
    before the change, as zoneinfo does; clinics are not open in that hour.
    """
    return datetime.combine(day, wall, tzinfo=time_zone).astimezone(UTC)


def intervals_on(hours: Hours, day: date) -> Sequence[tuple[time, time]]:
    """The local intervals of ``day``: a plain week's weekday, or the periods in force."""
    if isinstance(hours, DatedHours):
        return hours.on(day)
    return hours.get(day.weekday(), ())


def _day_intervals(hours: Hours, day: date, time_zone: ZoneInfo) -> list[Interval]:
    return [
        Interval(local_datetime(day, start, time_zone), local_datetime(day, end, time_zone))
        for start, end in intervals_on(hours, day)
        if start < end
    ]


def _inside(intervals: Iterable[Interval], start: datetime, end: datetime) -> bool:
    return any(i.start <= start and end <= i.end for i in intervals)


class _Busy:
    """Busy intervals sorted by start, for quick overlap questions."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self.intervals = sorted(intervals, key=lambda i: i.start)
        self.starts = [i.start for i in self.intervals]
        # The latest end among intervals up to each index, so one look settles overlap.
        self.max_end: list[datetime] = []
        latest = datetime.min.replace(tzinfo=UTC)
        for interval in self.intervals:
            latest = max(latest, interval.end)
            self.max_end.append(latest)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Intervals starting before ``end`` are candidates; one of them overlaps if the
        # latest end among them is after ``start``.
        index = bisect_left(self.starts, end)
        return index > 0 and self.max_end[index - 1] > start


def _closed(day: date, closures: Sequence[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in closures)


def _local_starts(day: date, opening: list[Interval], query: AvailabilityQuery) -> list[datetime]:
    """Candidate starts: on the local step, from each opening interval's first step."""
    step_minutes = int(query.step.total_seconds() // 60)
    starts = []
    for interval in opening:
        local_open = interval.start.astimezone(query.time_zone)
        minute = local_open.hour * 60 + local_open.minute
        minute += -minute % step_minutes
        while minute < 24 * 60:
            start = local_datetime(day, time(minute // 60, minute % 60), query.time_zone)
            if start + query.duration > interval.end:
                break
            starts.append(start)
            minute += step_minutes
    return starts


def free_slots(query: AvailabilityQuery) -> list[Slot]:
    """Every start at which some practitioner and some room are free, with who and where."""
    practitioners = [(p, _Busy(p.busy)) for p in query.practitioners]
    rooms = [(r, _Busy(r.busy)) for r in query.rooms]
    slots = []
    day = query.first_day
    while day <= query.last_day:
        if not _closed(day, query.closures):
            slots.extend(_slots_on(day, query, practitioners, rooms))
        day += timedelta(days=1)
    return slots


def _slots_on(
    day: date,
    query: AvailabilityQuery,
    practitioners: list[tuple[Resource, _Busy]],
    rooms: list[tuple[Resource, _Busy]],
) -> list[Slot]:
    opening = _day_intervals(query.opening_hours, day, query.time_zone)
    hours_of = {
        id(resource): _day_intervals(resource.hours, day, query.time_zone)
        for resource, _ in practitioners + rooms
        if resource.hours is not None
    }

    def free(resource: Resource, busy: _Busy, start: datetime, end: datetime) -> bool:
        own = hours_of.get(id(resource))
        if own is not None and not _inside(own, start, end):
            return False
        return not busy.overlaps(start - query.buffer_before, end + query.buffer_after)

    slots = []
    for start in _local_starts(day, opening, query):
        if query.not_before is not None and start < query.not_before:
            continue
        end = start + query.duration
        if not _inside(opening, start, end):
            continue
        who = tuple(p.id for p, busy in practitioners if free(p, busy, start, end))
        if not who:
            continue
        where = tuple(r.id for r, busy in rooms if free(r, busy, start, end))
        if where:
            slots.append(Slot(start, end, who, where))
    return slots


def weekly_hours(weekdays: Iterable[int], opens: time, closes: time) -> Week:
    """The same hours on each of the given weekdays (Monday 0)."""
    return dict.fromkeys(weekdays, ((opens, closes),))
