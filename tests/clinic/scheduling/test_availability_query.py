"""The database's view of availability agrees with what the booking service accepts."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.scheduling.models import LONGEST_BLOCK, Appointment, Closure, Leave, Room
from clinic.scheduling.selectors import (
    _blocking,
    availability_query,
    free_slots_for,
    free_slots_in_any_room,
)
from clinic.scheduling.services import SlotTaken, appointment_book
from tests.factories import make_appointment

MONDAY = date(2026, 11, 23)


def _slots(clinic, **kwargs):
    fields = {
        "location": clinic["location"],
        "appointment_type": clinic["type"],
        "first_day": MONDAY,
        "last_day": MONDAY + timedelta(days=6),
    }
    return free_slots_for(**{**fields, **kwargs})


def _book(clinic, start, practitioner=0, room=0):
    return appointment_book(
        patient=clinic["patient"],
        practitioner=clinic["practitioners"][practitioner],
        room=clinic["rooms"][room],
        appointment_type=clinic["type"],
        start=start,
        by=clinic["desk"],
    )


def test_a_range_over_before_not_before_has_no_slots_and_asks_nothing(
    clinic, django_assert_num_queries
):
    """A past day in the book: nothing can be free, so nothing is read."""
    monday = {"first_day": MONDAY, "last_day": MONDAY}
    tuesday = datetime.combine(MONDAY + timedelta(days=1), time(0), tzinfo=UTC)
    with django_assert_num_queries(0):
        assert _slots(clinic, **monday, not_before=tuesday) == []
    late_morning = datetime.combine(MONDAY, time(11), tzinfo=UTC)
    assert all(
        slot.start >= late_morning for slot in _slots(clinic, **monday, not_before=late_morning)
    )
    assert _slots(clinic, **monday, not_before=late_morning)


def test_every_slot_offered_can_be_booked_and_then_is_no_longer_offered(clinic):
    first = _slots(clinic)[0]
    practitioner = clinic["practitioners"][0]

    appointment = _book(clinic, first.start)

    again = _slots(clinic, practitioner_ids=[practitioner.pk])
    assert first.start not in {s.start for s in again}
    # The 10-minute buffer after a 60-minute session keeps the next hour's start too.
    assert appointment.ends_at not in {s.start for s in again}
    assert appointment.ends_at + timedelta(minutes=15) in {s.start for s in again}


def test_a_slot_the_booking_service_refuses_is_never_offered(clinic):
    practitioner = clinic["practitioners"][0]
    slots = {s.start for s in _slots(clinic, practitioner_ids=[practitioner.pk])}
    for day_offset in range(5):
        for quarter in range(0, 8 * 4):
            start = datetime.combine(MONDAY + timedelta(days=day_offset), time(9), tzinfo=UTC)
            start += timedelta(minutes=15 * quarter)
            try:
                with transaction.atomic():
                    _book(clinic, start)
                    transaction.set_rollback(True)  # undo it, messages and all
                bookable = True
            except (SlotTaken, ValidationError):  # refused for hours or a clash
                bookable = False
            assert bookable == (start in slots), start


def test_leave_closures_and_the_practitioners_days_off_are_not_offered(clinic):
    practitioner = clinic["practitioners"][0]
    Closure.objects.create(location=clinic["location"], first_day=MONDAY, last_day=MONDAY)
    Leave.objects.create(
        practitioner=practitioner,
        starts_at=datetime.combine(MONDAY + timedelta(days=1), time(0), tzinfo=UTC),
        ends_at=datetime.combine(MONDAY + timedelta(days=2), time(0), tzinfo=UTC),
    )

    days = {s.start.date() for s in _slots(clinic, practitioner_ids=[practitioner.pk])}

    # Monday closed, Tuesday on leave, Friday not a working day, weekend closed.
    assert days == {MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)}


def test_an_appointment_to_be_moved_can_be_ignored(clinic):
    practitioner = clinic["practitioners"][0]
    start = datetime.combine(MONDAY, time(10), tzinfo=UTC)
    appointment = _book(clinic, start)

    kept = {s.start for s in _slots(clinic, practitioner_ids=[practitioner.pk])}
    ignored = {
        s.start
        for s in _slots(
            clinic, practitioner_ids=[practitioner.pk], ignore_appointment_ids=[appointment.pk]
        )
    }

    assert start not in kept
    assert start in ignored


def test_nothing_before_the_given_moment_is_offered(clinic):
    now = datetime.combine(MONDAY + timedelta(days=2), time(12), tzinfo=UTC)
    assert min(s.start for s in _slots(clinic, not_before=now)) == now


@pytest.mark.parametrize("busy_days", [1, 4])
def test_the_query_count_does_not_grow_with_the_bookings(
    clinic, busy_days, django_assert_num_queries
):
    for offset in range(busy_days):
        for hour in (9, 11, 13):
            _book(clinic, datetime.combine(MONDAY + timedelta(days=offset), time(hour), tzinfo=UTC))
    Closure.objects.create(location=clinic["location"], first_day=MONDAY, last_day=MONDAY)
    # opening hours, closures, practitioners, their working hours, rooms, leave, appointments
    with django_assert_num_queries(7):
        availability_query(
            location=clinic["location"],
            appointment_type=clinic["type"],
            first_day=MONDAY,
            last_day=MONDAY + timedelta(days=6),
        )


# --- One practitioner, any room: rooms read only as far as needed -------------------------


def _any_room(clinic, practitioner=0, **kwargs):
    fields = {
        "location": clinic["location"],
        "appointment_type": clinic["type"],
        "first_day": MONDAY,
        "last_day": MONDAY + timedelta(days=6),
        "practitioner_ids": [clinic["practitioners"][practitioner].pk],
    }
    return free_slots_in_any_room(**{**fields, **kwargs})


def test_any_room_offers_the_same_starts_as_every_room(clinic):
    _book(clinic, datetime.combine(MONDAY, time(10), tzinfo=UTC), practitioner=0, room=0)
    # Room 2 is taken by the other practitioner when room 1 is free, and both are taken
    # at 14:00: that start has no room at all.
    _book(clinic, datetime.combine(MONDAY, time(12), tzinfo=UTC), practitioner=1, room=1)
    Room.objects.create(location=clinic["location"], name="Room 3", is_active=False)
    _book(clinic, datetime.combine(MONDAY, time(14), tzinfo=UTC), practitioner=1, room=0)
    third = Room.objects.create(location=clinic["location"], name="Room 4")
    practitioner = clinic["practitioners"][0]
    every = _slots(clinic, practitioner_ids=[practitioner.pk])

    any_room = _any_room(clinic)

    assert [s.start for s in any_room] == [s.start for s in every]
    for slot, full in zip(any_room, every, strict=True):
        assert slot.room_ids
        assert set(slot.room_ids) <= set(full.room_ids)
    assert third.pk in {room for s in any_room for room in s.room_ids}


def test_any_room_reads_the_practitioners_own_room_first_and_no_more_when_it_is_free(clinic):
    own = clinic["rooms"][1]
    _book(clinic, datetime.combine(MONDAY, time(10), tzinfo=UTC), practitioner=0, room=1)
    # Busy time in the other room is never read: its booking changes nothing here.
    _book(clinic, datetime.combine(MONDAY, time(15), tzinfo=UTC), practitioner=1, room=0)

    slots = _any_room(clinic)

    assert {s.room_ids for s in slots} == {(own.pk,)}
    assert datetime.combine(MONDAY, time(15), tzinfo=UTC) in {s.start for s in slots}


def test_any_room_with_no_room_free_offers_nothing(clinic):
    for room in clinic["rooms"]:
        room.is_active = False
        room.save(update_fields=["is_active"])

    assert _any_room(clinic) == []


# --- Busy time is looked for where a block may begin, and nowhere less ------------------


WINDOW = (datetime(2026, 11, 23, 0, tzinfo=UTC), datetime(2026, 11, 24, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("begins", "length", "overlaps"),
    [
        (timedelta(hours=-13), timedelta(hours=12), False),  # ends an hour before
        (timedelta(hours=-12), LONGEST_BLOCK, False),  # ends as the window begins
        (timedelta(hours=-12, minutes=1), LONGEST_BLOCK, True),  # the longest, a minute in
        (timedelta(hours=-1), timedelta(hours=2), True),
        (timedelta(hours=10), timedelta(hours=1), True),
        (timedelta(hours=23, minutes=59), LONGEST_BLOCK, True),
        (timedelta(hours=24), timedelta(hours=1), False),  # begins as the window ends
    ],
)
def test_the_search_for_busy_time_finds_exactly_the_blocks_that_reach_into_the_window(
    db, begins, length, overlaps
):
    """Blocks are looked for only where they may begin (at most ``LONGEST_BLOCK`` before
    the window, which the indexes on blocked_from use); no block that reaches into the
    window is missed."""
    start = WINDOW[0] + begins
    block = make_appointment(starts_at=start)
    Appointment.objects.filter(pk=block.pk).update(
        ends_at=start + length, blocked_from=start, blocked_until=start + length
    )

    found = Appointment.objects.filter(_blocking(*WINDOW)).filter(pk=block.pk).exists()

    assert found is overlaps
