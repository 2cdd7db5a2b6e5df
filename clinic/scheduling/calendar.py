"""The day view's columns: appointments with the free starts between them. No database.

A free slot (from ``availability.free_slots``) names every practitioner and every room
free at its start. A column shows the starts at which its own practitioner (or room) is
free, each paired with the first room (or practitioner) free with it, so that one click
opens the booking page with everything filled in.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import pairwise
from typing import Generic, Literal, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from clinic.scheduling.availability import Slot

By = Literal["practitioner", "room"]


A = TypeVar("A")  # an appointment: only its start matters here


@dataclass(frozen=True)
class FreeStart:
    start: datetime
    label: str  # the wall-clock time at the location, "09:15"
    query: str  # the booking page's parameters for this start


@dataclass(frozen=True)
class FreeRun:
    """Free starts one after another, with no appointment between them."""

    starts: tuple[FreeStart, ...]
    is_free = True


@dataclass
class DayColumn(Generic[A]):
    key: int
    name: str
    appointments: list[A] = field(default_factory=list)
    entries: list[A | FreeRun] = field(default_factory=list)


def booking_query(
    *, appointment_type_id: int, practitioner_id: int, room_id: int, local_start: datetime
) -> str:
    """The booking page's parameters (its form's field names) for one start."""
    return urlencode(
        {
            "appointment_type": appointment_type_id,
            "practitioner": practitioner_id,
            "room": room_id,
            "day": local_start.date().isoformat(),
            "start_time": local_start.strftime("%H:%M"),
        }
    )


def free_starts_by_column(
    slots: Iterable[Slot], *, by: By, appointment_type_id: int, zone: ZoneInfo
) -> dict[int, list[FreeStart]]:
    """Each practitioner's (or room's) free starts, in time order."""
    columns: dict[int, list[FreeStart]] = {}
    for slot in slots:
        local = slot.start.astimezone(zone)
        if by == "room":
            pairs = [(slot.practitioner_ids[0], room) for room in slot.room_ids]
        else:
            pairs = [(practitioner, slot.room_ids[0]) for practitioner in slot.practitioner_ids]
        for practitioner_id, room_id in pairs:
            query = booking_query(
                appointment_type_id=appointment_type_id,
                practitioner_id=practitioner_id,
                room_id=room_id,
                local_start=local,
            )
            key = room_id if by == "room" else practitioner_id
            columns.setdefault(key, []).append(FreeStart(slot.start, f"{local:%H:%M}", query))
    for starts in columns.values():
        starts.sort(key=lambda free: free.start)
    return columns


def interleave(
    appointments: Sequence[A], free: Sequence[FreeStart], *, start_of: Callable[[A], datetime]
) -> list[A | FreeRun]:
    """Appointments in time order with the free starts before, between and after them,
    each unbroken stretch of free starts as one run."""
    entries: list[A | FreeRun] = []
    waiting = list(free)
    for appointment in appointments:
        before = [f for f in waiting if f.start < start_of(appointment)]
        if before:
            entries.append(FreeRun(tuple(before)))
            waiting = waiting[len(before) :]
        entries.append(appointment)
    if waiting:
        entries.append(FreeRun(tuple(waiting)))
    return entries


# --- The time grid's data: wall-clock times at the location, no database -------------
#
# The grid keeps no time zones: it is given each time as the location's wall clock
# ("2026-11-23T09:00") and hands drops back the same way; the server converts.

WallClock = str  # "2026-11-23T09:00", the location's local time


def wall_clock(moment: datetime, zone: ZoneInfo) -> WallClock:
    """The wall-clock time at ``zone``, "2026-11-23T09:00" (isoformat is the cheapest)."""
    return moment.astimezone(zone).isoformat(timespec="minutes")[:16]


@dataclass(frozen=True)
class Shade:
    """A stretch of a column (or of every column, ``column`` None) that cannot be booked,
    with the words that say why: closed, leave, day off."""

    column: int | None
    starts: WallClock
    ends: WallClock
    label: str

    def as_row(self) -> list[object]:
        return [self.column, self.starts, self.ends, self.label]


def day_shades(
    *,
    day: date,
    opening: Sequence[tuple[time, time]],
    closure_reason: str | None,
    grid_from: time,
    grid_until: time,
) -> list[Shade]:
    """The location's shading for one day: the whole day when it is closed (a closure or
    no hours that weekday), else the grid's time before it opens and after it closes."""

    def at(moment: time) -> WallClock:
        return f"{day.isoformat()}T{moment:%H:%M}"

    if closure_reason is not None or not opening:
        label = f"Closed: {closure_reason}" if closure_reason else "Closed"
        return [Shade(None, at(grid_from), at(grid_until), label)]
    shades = []
    edges = [(grid_from, grid_from), *sorted(opening), (grid_until, grid_until)]
    for (_, closes), (opens, _) in pairwise(edges):
        if closes < opens:
            shades.append(Shade(None, at(closes), at(opens), "Closed"))
    return shades


def grid_bounds(opening: Iterable[tuple[time, time]]) -> tuple[time, time]:
    """The grid's first and last row: the earliest opening and latest closing of the week
    (whole hours), or 08:00 to 18:00 for a location with no hours yet."""
    hours = list(opening)
    if not hours:
        return time(8), time(18)
    first = min(opens for opens, _ in hours)
    last = max(closes for _, closes in hours)
    until = time(min(last.hour + (1 if last.minute else 0), 23), 59 if last.hour >= 23 else 0)
    return time(first.hour), until


def zone_named(time_zone: str, clinic_zone: str, at: datetime) -> str:
    """A location's zone in words where it differs from the clinic's ("America/New_York,
    EST" on that date), else nothing: staff read a time as the clinic's unless told."""
    if time_zone == clinic_zone:
        return ""
    return f"{time_zone.replace('_', ' ')}, {at.astimezone(ZoneInfo(time_zone)).tzname()}"


def free_cells(slots: Iterable[Slot], *, by: By, zone: ZoneInfo) -> list[list[object]]:
    """The grid's free starts, short: [column, wall clock, the room (or practitioner) free
    with it]; the page makes the booking address from them, as ``booking_query`` does."""
    cells: list[list[object]] = []
    for slot in slots:
        at = wall_clock(slot.start, zone)
        if by == "room":
            cells += [[room, at, slot.practitioner_ids[0]] for room in slot.room_ids]
        else:
            cells += [[person, at, slot.room_ids[0]] for person in slot.practitioner_ids]
    return cells
