"""The appointment book of the made-up years (no database): a place for every visit the
stories ask for, never two at once for one practitioner or one room.

1. On each open day every practitioner who works that weekday has one room for the day
   (in a fixed order: the first practitioner the first room, and so on), so a room only
   ever holds visits of one practitioner on a day.
2. A practitioner's hours that day, less what is already booked for them or for their
   room (the ordinary demo's fortnight, an earlier run, leave), are cut into free
   stretches on a 15-minute grid.
3. A visit takes whole grid steps for the time it blocks (buffers included) inside one
   stretch, on the nearest day to the one wanted that has room: with the practitioner
   the patient usually sees if they have room, otherwise with the next one in turn.
4. Once every visit is placed, each stretch is laid out: its visits in a random order
   with the spare steps spread between them as gaps. Visits in a stretch follow one
   another, so none overlaps another of the same practitioner or room: the database's
   exclusion constraint holds by construction.

An early cancellation takes no time: its slot went to someone else. It is put anywhere in
a practitioner's hours on its day, over other visits if need be, which the constraint
allows (it covers only active appointments). A late cancellation or a no-show keeps its
slot, as it would in a real diary.
"""

import heapq
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from clinic.demo.scale.stories import Kind, Outcome, PatientStory, Story, Visit, outcome_for

STEP = timedelta(minutes=15)
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Shift:
    """A practitioner's hours on a weekday, in the location's local time."""

    practitioner: int
    weekday: int
    starts: time
    ends: time


@dataclass(eq=False, slots=True)
class Stretch:
    """Free time of one practitioner in one room, from ``start`` (UTC), in grid steps."""

    start: datetime
    steps: int
    used: int = 0
    visits: list[Visit] = field(default_factory=list)
    loose: list[Visit] = field(default_factory=list)  # early cancellations, taking no time


@dataclass(eq=False, slots=True)
class Lane:
    practitioner: int
    room: int
    stretches: list[Stretch]


def free_parts(window: Interval, busy: Iterable[Interval]) -> list[Interval]:
    """``window`` less every busy interval that touches it."""
    parts, cursor = [], window[0]
    for start, end in sorted(busy):
        if end <= cursor or start >= window[1]:
            continue
        if start > cursor:
            parts.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < window[1]:
        parts.append((cursor, window[1]))
    return parts


def on_grid(part: Interval, zone: ZoneInfo) -> tuple[datetime, int] | None:
    """The whole 15-minute steps of local wall time inside ``part``: (first, how many)."""
    local = part[0].astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = math.ceil((local - midnight) / STEP)
    first = (midnight + offset * STEP).astimezone(UTC)
    steps = int((part[1] - first) / STEP) if part[1] > first else 0
    return (first, steps) if steps > 0 else None


class Booker(Protocol):
    def place(self, visit: Visit) -> Visit | None: ...


class Diary:
    """Days of lanes, made the first time a day is asked for; see the module docstring."""

    def __init__(
        self,
        *,
        zone: ZoneInfo,
        shifts: Sequence[Shift],
        rooms: Sequence[int],
        is_closed: Callable[[date], bool],
        busy: Mapping[tuple[str, int], Sequence[Interval]],
        buffers: Mapping[Kind, tuple[int, int]],
        today: date,
        rng: random.Random,
        search_days: int = 21,
    ) -> None:
        self.zone, self.rooms, self.is_closed = zone, list(rooms), is_closed
        self.buffers, self.today, self.rng, self.search_days = buffers, today, rng, search_days
        self.shifts: dict[int, list[Shift]] = defaultdict(list)
        for shift in sorted(shifts, key=lambda s: (s.practitioner, s.starts)):
            self.shifts[shift.weekday].append(shift)
        self.practitioners = sorted({s.practitioner for s in shifts})
        self.busy: dict[tuple[str, int, date], list[Interval]] = defaultdict(list)
        for (what, pk), intervals in busy.items():
            for interval in intervals:
                for day in self._local_days(interval):
                    self.busy[(what, pk, day)].append(interval)
        self.days: dict[date, list[Lane]] = {}
        self.placed: list[Visit] = []
        self.unplaced = 0  # visits that found no room within three weeks
        self.turn = 0

    def _local_days(self, interval: Interval) -> list[date]:
        first = interval[0].astimezone(self.zone).date()
        last = (interval[1] - timedelta(microseconds=1)).astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def lanes(self, day: date) -> list[Lane]:
        if day not in self.days:
            self.days[day] = [] if self.is_closed(day) else self._make_lanes(day)
        return self.days[day]

    def _make_lanes(self, day: date) -> list[Lane]:
        rooms: dict[int, int] = {}
        lanes = []
        for shift in self.shifts.get(day.weekday(), []):
            window = (
                datetime.combine(day, shift.starts, tzinfo=self.zone).astimezone(UTC),
                datetime.combine(day, shift.ends, tzinfo=self.zone).astimezone(UTC),
            )
            free = free_parts(window, self.busy.get(("practitioner", shift.practitioner, day), []))
            if not free:
                continue  # away all day (on leave, or not yet at the clinic): no room needed
            if shift.practitioner not in rooms:
                if len(rooms) == len(self.rooms):
                    continue  # more practitioners at work than rooms: the rest wait
                rooms[shift.practitioner] = self.rooms[len(rooms)]
            room = rooms[shift.practitioner]
            stretches = []
            for part in free:
                for piece in free_parts(part, self.busy.get(("room", room, day), [])):
                    grid = on_grid(piece, self.zone)
                    if grid is not None:
                        stretches.append(Stretch(*grid))
            lanes.append(Lane(shift.practitioner, room, stretches))
        return lanes

    def steps(self, visit: Visit) -> int:
        before, after = self.buffers[visit.kind]
        return math.ceil(timedelta(minutes=before + visit.minutes + after) / STEP)

    def _days(self, visit: Visit) -> Iterable[date]:
        """The wanted day, then the days around it: up to two days before (not before
        the earliest), then later days, up to three weeks on."""
        wanted = visit.wanted
        for n in range(self.search_days + 1):
            yield wanted + timedelta(days=n)
            if n in (1, 2) and wanted - timedelta(days=n) >= visit.earliest:
                yield wanted - timedelta(days=n)

    def place(self, visit: Visit) -> Visit | None:
        steps = self.steps(visit)
        preferred = self.practitioners[int(visit.preference * len(self.practitioners))]
        for day in self._days(visit):
            lanes = self.lanes(day)
            if not lanes:
                continue
            outcome = visit.forced or outcome_for(visit.chance, day, self.today)
            takes_time = outcome != Outcome.CANCELLED
            found = self._room_for(lanes, steps, preferred, takes_time=takes_time)
            if found is None:
                continue
            lane, stretch = found
            if takes_time:
                stretch.used += steps
                stretch.visits.append(visit)
            else:
                stretch.loose.append(visit)
            visit.day, visit.outcome = day, outcome
            visit.practitioner, visit.room = lane.practitioner, lane.room
            self.placed.append(visit)
            return visit
        self.unplaced += 1
        return None

    def _room_for(
        self, lanes: Sequence[Lane], steps: int, preferred: int, *, takes_time: bool
    ) -> tuple[Lane, Stretch] | None:
        self.turn += 1
        start = self.turn % len(lanes)
        order = [lane for lane in lanes if lane.practitioner == preferred]
        order += [*lanes[start:], *lanes[:start]]
        for lane in order:
            for stretch in lane.stretches:
                room_left = stretch.steps - (stretch.used if takes_time else 0)
                if room_left >= steps:
                    return lane, stretch
        return None

    def lay_out(self) -> None:
        """Give every placed visit its start and end; see step 4 of the module docstring."""
        for day in sorted(self.days):
            for lane in self.days[day]:
                for stretch in lane.stretches:
                    self._lay_out(stretch)

    def _lay_out(self, stretch: Stretch) -> None:
        rng = self.rng
        visits = list(stretch.visits)
        rng.shuffle(visits)
        gaps = [0] * (len(visits) + 1)
        for _ in range(stretch.steps - stretch.used):
            gaps[rng.randrange(len(gaps))] += 1
        position = 0
        for gap, visit in zip(gaps, visits, strict=False):
            position += gap
            self._set_time(visit, stretch.start + position * STEP)
            position += self.steps(visit)
        for visit in stretch.loose:
            position = rng.randrange(stretch.steps - self.steps(visit) + 1)
            self._set_time(visit, stretch.start + position * STEP)

    def _set_time(self, visit: Visit, blocked_from: datetime) -> None:
        before, _ = self.buffers[visit.kind]
        visit.starts_at = blocked_from + timedelta(minutes=before)
        visit.ends_at = visit.starts_at + timedelta(minutes=visit.minutes)


class Demand:
    """A diary without limits, for sizing the real one: every visit on the day it wants
    (or the next open day), counting the minutes each ISO week asks for."""

    def __init__(
        self,
        *,
        is_open: Callable[[date], bool],
        buffers: Mapping[Kind, tuple[int, int]],
        today: date,
    ) -> None:
        self.is_open, self.buffers, self.today = is_open, buffers, today
        self.minutes: dict[tuple[int, int], int] = defaultdict(int)

    def place(self, visit: Visit) -> Visit | None:
        day = visit.wanted
        for _ in range(14):
            if self.is_open(day):
                break
            day += timedelta(days=1)
        visit.day = day
        visit.outcome = visit.forced or outcome_for(visit.chance, day, self.today)
        if visit.outcome != Outcome.CANCELLED:
            before, after = self.buffers[visit.kind]
            steps = math.ceil(timedelta(minutes=before + visit.minutes + after) / STEP)
            self.minutes[day.isocalendar()[:2]] += steps * 15
        return visit


def tell_stories(stories: Sequence[Story], booker: Booker) -> list[PatientStory]:
    """Run every story against the diary, handing out time in the order visits were
    booked (a course's sessions together, on the day the course was booked)."""
    told: list[PatientStory | None] = [None] * len(stories)
    queue: list[tuple[date, int, int, Visit]] = []
    count = 0

    def advance(index: int, answer: Visit | None) -> None:
        nonlocal count
        try:
            visit = stories[index].send(answer)
        except StopIteration as finished:
            told[index] = finished.value
            return
        count += 1
        heapq.heappush(queue, (_booked_on(visit), count, index, visit))

    for index in range(len(stories)):
        advance(index, None)
    while queue:
        _, _, index, visit = heapq.heappop(queue)
        advance(index, booker.place(visit))
    return [story for story in told if story is not None]


def _booked_on(visit: Visit) -> date:
    if visit.booked_at is not None:
        return visit.booked_at.date()
    if visit.booked_after is not None and visit.booked_after.day is not None:
        return visit.booked_after.day
    return visit.wanted
