"""Free slots: hours, leave, closures, rooms, buffers, and daylight-saving days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.scheduling.availability import (
    AvailabilityQuery,
    DatedHours,
    Interval,
    Resource,
    free_slots,
    weekly_hours,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = weekly_hours(range(5), time(9), time(17))
HOUR = timedelta(hours=1)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _query(**overrides) -> AvailabilityQuery:
    fields = {
        "time_zone": LONDON,
        "first_day": date(2026, 11, 23),  # a Monday
        "last_day": date(2026, 11, 23),
        "duration": HOUR,
        "opening_hours": WEEKDAYS,
        "practitioners": (Resource(1),),
        "rooms": (Resource(10),),
    }
    return AvailabilityQuery(**{**fields, **overrides})


def _local_starts(slots, zone=LONDON) -> list[str]:
    return [s.start.astimezone(zone).strftime("%a %H:%M") for s in slots]


def test_a_free_day_offers_every_step_that_fits_before_closing():
    slots = free_slots(_query(opening_hours=weekly_hours([0], time(9), time(11))))

    assert _local_starts(slots) == ["Mon 09:00", "Mon 09:15", "Mon 09:30", "Mon 09:45", "Mon 10:00"]
    assert all(s.end - s.start == HOUR for s in slots)


def test_an_appointment_and_its_buffers_keep_others_away():
    busy = Interval(_utc(2026, 11, 23, 11), _utc(2026, 11, 23, 12))  # 11:00-12:00 GMT
    query = _query(
        opening_hours=weekly_hours([0], time(9), time(14)),
        practitioners=(Resource(1, busy=(busy,)),),
        buffer_before=timedelta(minutes=15),
        buffer_after=timedelta(minutes=15),
    )

    starts = _local_starts(free_slots(query))

    # Latest start before it: ends 09:45, plus 15 minutes of buffer = 11:00.
    assert "Mon 09:45" in starts
    assert "Mon 10:00" not in starts
    assert "Mon 12:00" not in starts
    assert "Mon 12:15" in starts


def test_practitioners_hours_and_days_off_are_kept():
    part_time = Resource(1, hours=weekly_hours([0, 2], time(10), time(12)))  # Mon, Wed
    query = _query(last_day=date(2026, 11, 25), practitioners=(part_time,))

    starts = _local_starts(free_slots(query))

    assert starts[0] == "Mon 10:00"
    assert not any(s.startswith("Tue") for s in starts)
    assert starts[-1] == "Wed 11:00"


def test_leave_is_busy_time():
    leave = Interval(_utc(2026, 11, 23, 0), _utc(2026, 11, 24, 0))
    query = _query(last_day=date(2026, 11, 24), practitioners=(Resource(1, busy=(leave,)),))

    starts = _local_starts(free_slots(query))

    assert starts
    assert all(s.startswith("Tue") for s in starts)


def test_no_slots_on_a_closure_or_a_weekend():
    query = _query(
        first_day=date(2026, 12, 24),  # Thursday
        last_day=date(2026, 12, 29),  # Tuesday
        closures=((date(2026, 12, 25), date(2026, 12, 28)),),
    )

    days = {s.start.astimezone(LONDON).date() for s in free_slots(query)}

    assert days == {date(2026, 12, 24), date(2026, 12, 29)}


def test_a_busy_room_leaves_the_others_and_all_busy_leaves_none():
    busy = (Interval(_utc(2026, 11, 23, 9), _utc(2026, 11, 23, 17)),)
    one_busy = _query(rooms=(Resource(10, busy=busy), Resource(11)))
    both_busy = _query(rooms=(Resource(10, busy=busy), Resource(11, busy=busy)))

    assert {s.room_ids for s in free_slots(one_busy)} == {(11,)}
    assert free_slots(both_busy) == []


def test_any_practitioner_lists_everyone_free_at_that_time():
    busy = (Interval(_utc(2026, 11, 23, 9), _utc(2026, 11, 23, 10)),)
    query = _query(practitioners=(Resource(1, busy=busy), Resource(2)))

    slots = {
        (s.start.astimezone(LONDON).strftime("%H:%M"), s.practitioner_ids)
        for s in free_slots(query)
    }

    assert ("09:00", (2,)) in slots
    assert ("10:00", (1, 2)) in slots


def test_starts_keep_to_the_local_step():
    query = _query(opening_hours=weekly_hours([0], time(9, 10), time(11)))

    assert _local_starts(free_slots(query))[0] == "Mon 09:15"


def test_no_slots_in_the_past():
    query = _query(not_before=_utc(2026, 11, 23, 15, 5))

    assert _local_starts(free_slots(query)) == ["Mon 15:15", "Mon 15:30", "Mon 15:45", "Mon 16:00"]


def test_wall_clock_hours_hold_across_the_spring_change_in_london():
    # Clocks go forward on Sunday 29 March 2026: 09:00 is 09:00 GMT on Friday 27th and
    # 08:00 UTC (09:00 BST) on Monday 30th.
    query = _query(first_day=date(2026, 3, 27), last_day=date(2026, 3, 30))

    firsts: dict[date, datetime] = {}
    for slot in free_slots(query):
        firsts.setdefault(slot.start.astimezone(LONDON).date(), slot.start)

    assert firsts[date(2026, 3, 27)] == _utc(2026, 3, 27, 9)
    assert firsts[date(2026, 3, 30)] == _utc(2026, 3, 30, 8)
    assert {s.start.astimezone(LONDON).strftime("%H:%M") for s in free_slots(query)} == {
        f"{h:02d}:{m:02d}" for h in range(9, 16) for m in (0, 15, 30, 45)
    } | {"16:00"}


def test_wall_clock_hours_hold_across_the_autumn_change_in_london():
    # Clocks go back on Sunday 25 October 2026.
    query = _query(first_day=date(2026, 10, 23), last_day=date(2026, 10, 26))

    starts = [s.start for s in free_slots(query)]

    assert _utc(2026, 10, 23, 8) in starts  # Friday 09:00 BST
    assert _utc(2026, 10, 26, 9) in starts  # Monday 09:00 GMT
    assert _utc(2026, 10, 26, 8) not in starts


def test_a_weekend_clinic_on_the_day_the_clocks_change_in_new_york():
    # US clocks go forward on Sunday 8 March 2026; the clinic opens on Sundays here.
    query = _query(
        time_zone=NEW_YORK,
        first_day=date(2026, 3, 7),
        last_day=date(2026, 3, 8),
        opening_hours=weekly_hours([5, 6], time(10), time(12)),
    )

    firsts: dict[date, datetime] = {}
    for slot in free_slots(query):
        firsts.setdefault(slot.start.astimezone(NEW_YORK).date(), slot.start)

    assert firsts[date(2026, 3, 7)] == _utc(2026, 3, 7, 15)  # 10:00 EST
    assert firsts[date(2026, 3, 8)] == _utc(2026, 3, 8, 14)  # 10:00 EDT
    assert _local_starts(free_slots(query), NEW_YORK)[-1] == "Sun 11:00"


# --- Against a brute-force reference ----------------------------------------------------


def _reference(query: AvailabilityQuery) -> set[tuple[datetime, tuple[int, ...], tuple[int, ...]]]:
    """Minute by minute, in local time: slow and obvious, to check the real thing."""
    minute = timedelta(minutes=1)
    step = int(query.step.total_seconds() // 60)

    def open_at(hours, instant: datetime) -> bool:
        local = instant.astimezone(query.time_zone)
        return any(a <= local.time() < b for a, b in hours.get(local.weekday(), ()))

    def busy_at(resource: Resource, instant: datetime) -> bool:
        return any(i.start <= instant < i.end for i in resource.busy)

    def free(resource: Resource, start: datetime, end: datetime) -> bool:
        span = int((end - start) / minute)
        if resource.hours is not None and not all(
            open_at(resource.hours, start + k * minute) for k in range(span)
        ):
            return False
        padded_start = start - query.buffer_before
        padded = int((end + query.buffer_after - padded_start) / minute)
        return not any(busy_at(resource, padded_start + k * minute) for k in range(padded))

    found = set()
    day = query.first_day
    while day <= query.last_day:
        closed = any(a <= day <= b for a, b in query.closures)
        for m in range(0, 24 * 60, step):
            local = datetime.combine(day, time(m // 60, m % 60), tzinfo=query.time_zone)
            start = local.astimezone(UTC)
            if closed or start.astimezone(query.time_zone).date() != day:
                continue
            end = start + query.duration
            span = int(query.duration / minute)
            if not all(open_at(query.opening_hours, start + k * minute) for k in range(span)):
                continue
            if start.astimezone(query.time_zone).time() != local.time():
                continue  # a wall time that does not exist on this day
            who = tuple(p.id for p in query.practitioners if free(p, start, end))
            where = tuple(r.id for r in query.rooms if free(r, start, end))
            if who and where:
                found.add((start, who, where))
        day += timedelta(days=1)
    return found


def _busy(days: int):
    return st.lists(
        st.builds(
            lambda d, m, length: Interval(
                datetime.combine(
                    date(2026, 3, 27) + timedelta(days=d), time(0), tzinfo=LONDON
                ).astimezone(UTC)
                + timedelta(minutes=m),
                datetime.combine(
                    date(2026, 3, 27) + timedelta(days=d), time(0), tzinfo=LONDON
                ).astimezone(UTC)
                + timedelta(minutes=m + length),
            ),
            st.integers(0, days - 1),
            st.integers(7 * 12, 19 * 12).map(lambda x: x * 5),
            st.integers(1, 24).map(lambda x: x * 5),
        ),
        max_size=4,
    )


hours_strategy = st.builds(
    lambda opens, closes, days: weekly_hours(days, time(opens), time(closes)),
    st.integers(7, 10),
    st.integers(13, 19),
    st.sets(st.integers(0, 6), min_size=1).map(sorted),
)


@settings(max_examples=40, deadline=None)
@given(
    opening=hours_strategy,
    own_hours=st.none() | hours_strategy,
    busy_a=_busy(5),
    busy_b=_busy(5),
    room_busy=_busy(5),
    duration=st.sampled_from([30, 45, 60, 90]),
    before=st.sampled_from([0, 5, 15]),
    after=st.sampled_from([0, 10, 15]),
    closure_day=st.none() | st.integers(0, 4),
)
def test_free_slots_match_a_minute_by_minute_reference_across_a_clock_change(
    opening, own_hours, busy_a, busy_b, room_busy, duration, before, after, closure_day
):
    first = date(2026, 3, 27)  # Friday; the clocks go forward on Sunday 29th
    closures = () if closure_day is None else ((first + timedelta(days=closure_day),) * 2,)
    query = AvailabilityQuery(
        time_zone=LONDON,
        first_day=first,
        last_day=first + timedelta(days=4),
        duration=timedelta(minutes=duration),
        opening_hours=opening,
        practitioners=(Resource(1, hours=own_hours, busy=busy_a), Resource(2, busy=busy_b)),
        rooms=(Resource(10, busy=room_busy), Resource(11)),
        buffer_before=timedelta(minutes=before),
        buffer_after=timedelta(minutes=after),
        closures=closures,
    )

    found = {(s.start, s.practitioner_ids, s.room_ids) for s in free_slots(query)}

    assert found == _reference(query)


def test_hours_that_change_mid_range_apply_from_their_day():
    """Open 09:00-11:00 up to Tuesday, 14:00-16:00 from Wednesday (dated hours)."""
    before = weekly_hours(range(5), time(9), time(11))
    after = weekly_hours(range(5), time(14), time(16))
    changed = DatedHours([(None, date(2026, 11, 24), before), (date(2026, 11, 25), None, after)])

    slots = free_slots(_query(opening_hours=changed, last_day=date(2026, 11, 25), step=HOUR))

    assert _local_starts(slots) == ["Mon 09:00", "Mon 10:00", "Tue 09:00", "Tue 10:00",
                                    "Wed 14:00", "Wed 15:00"]  # fmt: skip


def test_a_practitioners_dated_hours_limit_their_own_slots():
    working = DatedHours([(date(2026, 11, 24), None, WEEKDAYS)])  # starts on Tuesday

    slots = free_slots(
        _query(
            practitioners=(Resource(1, hours=working),),
            last_day=date(2026, 11, 24),
            opening_hours=weekly_hours(range(5), time(9), time(10)),
        )
    )

    assert _local_starts(slots) == ["Tue 09:00"]
