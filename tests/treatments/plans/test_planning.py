"""Proposing a course: every session in its window, the same local time, or a plain warning."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from clinic.scheduling.availability import (
    AvailabilityQuery,
    Interval,
    Resource,
    free_slots,
    weekly_hours,
)
from treatments.plans.planning import PlanWishes, propose_sessions

LONDON = ZoneInfo("Europe/London")
START = date(2026, 11, 23)  # a Monday
NEW_YEAR_CLOSURE = (date(2026, 12, 24), date(2027, 1, 2))
MON_WED_FRI = weekly_hours([0, 2, 4], time(9), time(17))


def _slots(practitioners=None, days=6 * 42 + 14, closures=(NEW_YEAR_CLOSURE,)):
    return free_slots(
        AvailabilityQuery(
            time_zone=LONDON,
            first_day=START,
            last_day=START + timedelta(days=days),
            duration=timedelta(minutes=60),
            opening_hours=weekly_hours(range(6), time(9), time(18)),
            practitioners=practitioners or (Resource(1, hours=MON_WED_FRI),),
            rooms=(Resource(10), Resource(11)),
            closures=closures,
        )
    )


def _wishes(**overrides) -> PlanWishes:
    fields = {
        "sessions": 6,
        "earliest": START,
        "min_gap_days": 28,
        "max_gap_days": 42,
        "time_zone": LONDON,
        "practitioner_id": 1,
        "preferred_time": time(10),
    }
    return PlanWishes(**{**fields, **overrides})


def _local(proposal) -> datetime:
    return proposal.start.astimezone(LONDON)


def test_six_sessions_keep_the_window_the_hours_and_the_wall_time():
    proposals = propose_sessions(_wishes(), _slots())

    assert [p.number for p in proposals] == [1, 2, 3, 4, 5, 6]
    assert all(p.keeps_window for p in proposals)
    locals_ = [_local(p) for p in proposals]
    for before, after in pairwise(locals_):
        assert 28 <= (after.date() - before.date()).days <= 42
    assert {moment.time() for moment in locals_} == {time(10)}
    assert {moment.weekday() for moment in locals_} <= {0, 2, 4}
    assert not any(NEW_YEAR_CLOSURE[0] <= m.date() <= NEW_YEAR_CLOSURE[1] for m in locals_)
    # The course crosses the spring change: 10:00 is 10:00 UTC in winter, 09:00 UTC after.
    utc_hours = {p.start.astimezone(UTC).hour for p in proposals}
    assert utc_hours == {10, 9}
    assert locals_[-1].date() > date(2027, 3, 28)


def test_each_window_is_reported_with_the_proposal():
    proposals = propose_sessions(_wishes(), _slots())

    first_day = _local(proposals[0]).date()
    assert proposals[0].window is None
    assert proposals[1].window == (first_day + timedelta(days=28), first_day + timedelta(days=42))


def test_a_window_that_cannot_be_kept_is_said_plainly_not_broken_silently():
    # The practitioner is away from 1 January to 31 March 2027.
    leave = Interval(datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    slots = _slots(practitioners=(Resource(1, hours=MON_WED_FRI, busy=(leave,)),))

    proposals = propose_sessions(_wishes(), slots)

    missed = [p for p in proposals if not p.keeps_window]
    assert missed
    assert "window cannot be kept" in missed[0].problem
    assert missed[0].window is not None
    assert _local(missed[0]).date() > missed[0].window[1]
    assert _local(missed[0]).date() >= date(2027, 4, 1)
    assert len(proposals) == 6


def test_moving_a_session_re_proposes_the_later_ones_from_it():
    slots = _slots()
    original = propose_sessions(_wishes(), slots)
    booked = [s for s in slots if s.start in {original[0].start}]
    moved_day = _local(original[1]).date() + timedelta(days=7)
    moved = next(
        s for s in slots if s.start.astimezone(LONDON).date() >= moved_day
        and s.start.astimezone(LONDON).time() == time(10)
    )  # fmt: skip

    later = propose_sessions(_wishes(), slots, booked=[*booked, moved])

    assert [p.number for p in later] == [3, 4, 5, 6]
    assert (_local(later[0]).date() - moved.start.astimezone(LONDON).date()).days >= 28
    assert all(p.keeps_window for p in later)


def test_the_preferred_practitioner_is_kept_when_free():
    slots = _slots(
        practitioners=(
            Resource(1, hours=MON_WED_FRI),
            Resource(2, hours=weekly_hours(range(5), time(9), time(17))),
        )
    )

    proposals = propose_sessions(_wishes(practitioner_id=2), slots)

    assert {p.practitioner_id for p in proposals} == {2}


def test_without_a_preferred_time_the_first_sessions_time_is_kept():
    proposals = propose_sessions(_wishes(preferred_time=None), _slots())

    assert len({_local(p).time() for p in proposals}) == 1


def test_nothing_free_proposes_nothing():
    assert propose_sessions(_wishes(), []) == []
