"""Proposing every session of a treatment course at once: plain values in, proposals out.

The caller passes the free slots over the whole horizon (from
``clinic.scheduling.availability``) and the plan's wishes; no database is touched.

1. Session 1 goes in the first slot on or after the earliest date that suits the wishes.
2. Each later session goes in its window, ``min_gap`` to ``max_gap`` days after the one
   before, counted in local calendar days.
3. Within a window the best slot is the one that keeps, in this order: the preferred
   practitioner, the same local wall time as session 1 (or the preferred time), a
   preferred weekday, and then the earliest day.
4. If no slot fits a window, the first slot after it is proposed and the proposal says
   plainly by how much the window is missed; the later sessions follow from there.

Sessions already booked (say, after the front desk moved one) are passed as ``booked``;
only the rest are proposed, keeping the window after the last booked one."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.scheduling.availability import Slot


@dataclass(frozen=True)
class PlanWishes:
    sessions: int
    earliest: date
    min_gap_days: int
    max_gap_days: int
    time_zone: ZoneInfo
    practitioner_id: int | None = None
    preferred_time: time | None = None
    weekdays: frozenset[int] = frozenset()  # empty: any weekday


@dataclass(frozen=True)
class ProposedSession:
    number: int
    start: datetime
    end: datetime
    practitioner_id: int
    room_id: int
    window: tuple[date, date] | None  # None for session 1
    problem: str = ""

    @property
    def keeps_window(self) -> bool:
        return not self.problem


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def _score(slot: Slot, wishes: PlanWishes, wall: time | None, window_start: date) -> tuple:
    local = _local(slot.start, wishes.time_zone)
    off_practitioner = (
        wishes.practitioner_id is not None and wishes.practitioner_id not in slot.practitioner_ids
    )
    off_time = 0
    if wall is not None:
        off_time = abs((local.hour * 60 + local.minute) - (wall.hour * 60 + wall.minute))
    off_weekday = bool(wishes.weekdays) and local.weekday() not in wishes.weekdays
    return (off_practitioner, off_time, off_weekday, (local.date() - window_start).days)


def _pick(slot: Slot, wishes: PlanWishes) -> tuple[int, int]:
    practitioner = (
        wishes.practitioner_id
        if wishes.practitioner_id in slot.practitioner_ids
        else slot.practitioner_ids[0]
    )
    return practitioner, slot.room_ids[0]


def _best_in(
    slots: Sequence[Slot], wishes: PlanWishes, wall: time | None, first: date, last: date
) -> Slot | None:
    candidates = [s for s in slots if first <= _local(s.start, wishes.time_zone).date() <= last]
    if not candidates:
        return None
    return min(candidates, key=lambda s: _score(s, wishes, wall, first))


def propose_sessions(
    wishes: PlanWishes, slots: Sequence[Slot], booked: Sequence[Slot] = ()
) -> list[ProposedSession]:
    """Proposals for the sessions after those already ``booked``, in order."""
    slots = sorted(slots, key=lambda s: s.start)
    taken = {s.start for s in booked}
    slots = [s for s in slots if s.start not in taken]
    zone = wishes.time_zone
    wall = wishes.preferred_time
    if wall is None and booked:
        wall = _local(booked[0].start, zone).time()
    proposals: list[ProposedSession] = []
    previous = booked[-1] if booked else None
    for number in range(len(booked) + 1, wishes.sessions + 1):
        if previous is None:
            window = None
            first, last = wishes.earliest, date.max
        else:
            previous_day = _local(previous.start, zone).date()
            first = previous_day + timedelta(days=wishes.min_gap_days)
            last = previous_day + timedelta(days=wishes.max_gap_days)
            window = (first, last)
        if previous is None:
            # The first session: the earliest day that suits the wishes, then the best there.
            chosen = _first_session(slots, wishes, wall)
        else:
            chosen = _best_in(slots, wishes, wall, first, last)
        problem = ""
        if chosen is None and window is not None:
            chosen = _best_after(slots, wishes, wall, last)
            if chosen is not None:
                late = (_local(chosen.start, zone).date() - window[1]).days
                problem = (
                    f"No free time between {window[0]:%d %b} and {window[1]:%d %b %Y}: the "
                    f"{wishes.min_gap_days}-to-{wishes.max_gap_days}-day window cannot be "
                    f"kept; the nearest is {late} day{'s' if late != 1 else ''} later."
                )
        if chosen is None:
            break  # nothing free at all in the horizon: the caller says so
        if wall is None:
            wall = _local(chosen.start, zone).time()
        practitioner, room = _pick(chosen, wishes)
        proposals.append(
            ProposedSession(number, chosen.start, chosen.end, practitioner, room, window, problem)
        )
        slots = [s for s in slots if s.start != chosen.start]
        previous = chosen
    return proposals


def _first_session(slots: Sequence[Slot], wishes: PlanWishes, wall: time | None) -> Slot | None:
    eligible = [s for s in slots if _local(s.start, wishes.time_zone).date() >= wishes.earliest]
    if not eligible:
        return None
    # Prefer a fully suitable slot on the earliest day that has one; else the best score.
    suitable = [
        s for s in eligible if _score(s, wishes, wall, wishes.earliest)[:3] == (False, 0, False)
    ]
    if suitable:
        return suitable[0]
    return min(eligible, key=lambda s: _score(s, wishes, wall, wishes.earliest))


def _best_after(
    slots: Sequence[Slot], wishes: PlanWishes, wall: time | None, after: date
) -> Slot | None:
    later = [s for s in slots if _local(s.start, wishes.time_zone).date() > after]
    if not later:
        return None
    first_day = _local(later[0].start, wishes.time_zone).date()
    # The nearest day with any free time, then the best slot that day.
    return _best_in(later, wishes, wall, first_day, first_day)
