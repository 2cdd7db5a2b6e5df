"""The day view's columns: appointments with the free starts between them. No database.

A free slot (from ``availability.free_slots``) names every practitioner and every room
free at its start. A column shows the starts at which its own practitioner (or room) is
free, each paired with the first room (or practitioner) free with it, so that one click
opens the booking page with everything filled in.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
