"""Due times on the days the clocks change, worked out by hand."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.messaging.timing import (
    QuietHours,
    day_before_at,
    days_after_at,
    hours_before,
    wall_time,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
QUIET = QuietHours(start=time(21), end=time(8))


@pytest.mark.parametrize(
    ("start", "expected_utc", "local_wall"),
    [
        # Monday after the spring change (29 March 2026): 48 real hours earlier is 09:00
        # GMT on the Saturday, an hour earlier on the wall than the appointment.
        (datetime(2026, 3, 30, 9, tzinfo=UTC), datetime(2026, 3, 28, 9, tzinfo=UTC), time(9)),
        # Monday after the autumn change (25 October 2026): 11:00 BST on the Saturday.
        (datetime(2026, 10, 26, 10, tzinfo=UTC), datetime(2026, 10, 24, 10, tzinfo=UTC), time(11)),
    ],
)
def test_hours_before_counts_real_hours_across_a_change(start, expected_utc, local_wall):
    due = hours_before(start, 48)
    assert due == expected_utc
    assert due.astimezone(LONDON).time() == local_wall


@pytest.mark.parametrize(
    ("start", "zone", "expected_utc"),
    [
        # The day before at 18:00 is 18:00 on the wall on the change day itself.
        (datetime(2026, 3, 30, 9, tzinfo=UTC), LONDON, datetime(2026, 3, 29, 17, tzinfo=UTC)),
        (datetime(2026, 10, 26, 10, tzinfo=UTC), LONDON, datetime(2026, 10, 25, 18, tzinfo=UTC)),
        (datetime(2026, 3, 9, 14, tzinfo=UTC), NEW_YORK, datetime(2026, 3, 8, 22, tzinfo=UTC)),
        (datetime(2026, 11, 2, 15, tzinfo=UTC), NEW_YORK, datetime(2026, 11, 1, 23, tzinfo=UTC)),
    ],
)
def test_the_day_before_at_18_is_18_local_on_the_change_day(start, zone, expected_utc):
    due = day_before_at(start, time(18), zone)
    assert due == expected_utc
    assert due.astimezone(zone).time() == time(18)


def test_a_wall_time_the_clocks_skip_is_read_an_hour_later():
    # 01:30 does not happen in London on 29 March 2026; the clock reads 02:30 BST then.
    assert wall_time(date(2026, 3, 29), time(1, 30), LONDON) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )


def test_a_wall_time_that_happens_twice_is_the_first():
    # 01:30 on 25 October 2026 happens in BST first (00:30 UTC), then in GMT.
    assert wall_time(date(2026, 10, 25), time(1, 30), LONDON) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_days_after_keeps_the_wall_time():
    signed = datetime(2026, 3, 28, 15, tzinfo=UTC)  # Saturday, 15:00 GMT
    due = days_after_at(signed, 1, time(10), LONDON)
    assert due == datetime(2026, 3, 29, 9, tzinfo=UTC)  # 10:00 BST on the Sunday


@pytest.mark.parametrize(
    ("local", "expected_local"),
    [
        (datetime(2026, 6, 1, 20, 59, tzinfo=LONDON), datetime(2026, 6, 1, 20, 59, tzinfo=LONDON)),
        (datetime(2026, 6, 1, 21, 0, tzinfo=LONDON), datetime(2026, 6, 2, 8, 0, tzinfo=LONDON)),
        (datetime(2026, 6, 1, 23, 30, tzinfo=LONDON), datetime(2026, 6, 2, 8, 0, tzinfo=LONDON)),
        (datetime(2026, 6, 2, 3, 0, tzinfo=LONDON), datetime(2026, 6, 2, 8, 0, tzinfo=LONDON)),
        (datetime(2026, 6, 2, 8, 0, tzinfo=LONDON), datetime(2026, 6, 2, 8, 0, tzinfo=LONDON)),
        # Over the spring change: 08:00 BST the next morning.
        (datetime(2026, 3, 28, 22, 0, tzinfo=LONDON), datetime(2026, 3, 29, 8, 0, tzinfo=LONDON)),
    ],
)
def test_quiet_hours_push_to_eight_the_next_morning(local, expected_local):
    assert QUIET.next_allowed(local, LONDON) == expected_local


def test_a_daytime_quiet_spell_and_none_at_all():
    lunch = QuietHours(start=time(12), end=time(13))
    assert lunch.contains(time(12, 30))
    assert not lunch.contains(time(13))
    assert not QuietHours(start=time(9), end=time(9)).contains(time(9))


@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - Hypothesis bounds are naive
        max_value=datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.sampled_from([LONDON, NEW_YORK, ZoneInfo("Australia/Sydney")]),
)
def test_quiet_hours_never_answer_a_quiet_time_or_an_earlier_one(moment, zone):
    allowed = QUIET.next_allowed(moment, zone)
    assert allowed >= moment
    assert not QUIET.contains(allowed.astimezone(zone).time())
    # Never more than the length of the spell (11 hours, 12 on a change night) later.
    assert (allowed - moment).total_seconds() <= 12 * 3600
