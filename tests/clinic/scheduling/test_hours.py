"""A week of hours as plain values: overlaps, problems in words, what fits."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.scheduling.hours import first_overlap, fits, overlap, week_problems

LONDON = ZoneInfo("Europe/London")


def t(text: str) -> time:
    return time.fromisoformat(text)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("09:00", "13:00"), ("12:00", "17:00"), True),
        (("09:00", "13:00"), ("13:00", "17:00"), False),  # one ends as the other begins
        (("09:00", "17:00"), ("10:00", "11:00"), True),  # one inside the other
        (("14:00", "17:00"), ("09:00", "12:00"), False),
        (("09:00", "12:00"), ("09:00", "12:00"), True),
    ],
)
def test_overlap(a, b, expected):
    a, b = (t(a[0]), t(a[1])), (t(b[0]), t(b[1]))
    assert overlap(a, b) is expected
    assert overlap(b, a) is expected


@given(st.lists(st.tuples(st.times(), st.times()).filter(lambda i: i[0] < i[1]), max_size=5))
def test_first_overlap_is_none_exactly_when_no_two_intervals_overlap(intervals):
    any_pair = any(overlap(a, b) for n, a in enumerate(intervals) for b in intervals[n + 1 :])
    assert (first_overlap(intervals) is not None) is any_pair


@pytest.mark.parametrize(
    ("week", "problems"),
    [
        ({}, []),
        ({0: [(t("09:00"), t("17:00"))], 6: []}, []),
        ({0: [(t("09:00"), t("12:00")), (t("13:00"), t("17:00"))]}, []),
        ({1: [(t("17:00"), t("09:00"))]}, ["Tuesday: 17:00 to 09:00 ends before it starts."]),
        ({2: [(t("09:00"), t("09:00"))]}, ["Wednesday: 09:00 to 09:00 ends before it starts."]),
        (
            {4: [(t("12:00"), t("17:00")), (t("09:00"), t("13:00"))]},
            ["Friday: 09:00 to 13:00 and 12:00 to 17:00 overlap."],
        ),
        ({7: [(t("09:00"), t("17:00"))]}, ["7 is not a day of the week."]),
    ],
)
def test_week_problems(week, problems):
    assert week_problems(week) == problems


MONDAY_HOURS = {0: [(t("09:00"), t("12:00")), (t("13:00"), t("17:00"))]}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-02T09:00", "2026-03-02T10:00", True),
        ("2026-03-02T11:30", "2026-03-02T12:00", True),  # ends as the morning ends
        ("2026-03-02T11:30", "2026-03-02T12:30", False),  # runs into the lunch break
        ("2026-03-02T12:30", "2026-03-02T13:30", False),
        ("2026-03-02T16:00", "2026-03-02T17:00", True),
        ("2026-03-02T16:30", "2026-03-02T17:30", False),
        ("2026-03-03T10:00", "2026-03-03T11:00", False),  # Tuesday: closed
        ("2026-03-02T23:30", "2026-03-03T00:30", False),  # across midnight
    ],
)
def test_fits(start, end, expected):
    local = [datetime.fromisoformat(v).replace(tzinfo=LONDON) for v in (start, end)]
    assert fits(MONDAY_HOURS, *local) is expected
