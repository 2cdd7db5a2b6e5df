"""Booking: hours, closures, leave and buffers are kept, and nobody is double-booked."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from clinic.scheduling.models import (
    LONGEST_APPOINTMENT_MINUTES,
    LONGEST_BLOCK,
    LONGEST_BUFFER_MINUTES,
    Appointment,
    AppointmentType,
    Closure,
    Leave,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.scheduling.services import (
    SlotTaken,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_confirm,
    appointment_mark_no_show,
    appointment_move,
    appointment_start,
)
from tests.factories import make_practitioner

MONDAY = date(2026, 11, 23)
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races and the exclusion constraint are PostgreSQL's; SQLite serialises writes",
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    # London is on GMT in late November, so local time equals UTC here.
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _book(clinic, start, practitioner=0, room=0, **overrides):
    fields = {
        "patient": clinic["patient"],
        "practitioner": clinic["practitioners"][practitioner],
        "room": clinic["rooms"][room],
        "appointment_type": clinic["type"],
        "start": start,
        "by": clinic["desk"],
    }
    return appointment_book(**{**fields, **overrides})


def test_a_booking_inside_the_hours_is_made(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))

    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.ends_at - appointment.starts_at == timedelta(hours=1)
    assert appointment.location == clinic["location"]
    assert appointment.version == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (_at(MONDAY, 8, 30), "outside the clinic's opening hours"),
        (_at(MONDAY, 16, 30), "outside the clinic's opening hours"),
        (_at(MONDAY + timedelta(days=4), 10), "does not work at that time"),  # Friday
        (_at(MONDAY + timedelta(days=5), 10), "outside the clinic's opening hours"),  # Saturday
    ],
)
def test_a_booking_outside_the_hours_is_refused_with_the_reason(clinic, start, message):
    with pytest.raises(ValidationError, match=message):
        _book(clinic, start)

    assert not Appointment.objects.exists()


def test_a_closure_and_leave_are_refused_with_the_reason(clinic):
    Closure.objects.create(location=clinic["location"], first_day=MONDAY, last_day=MONDAY)
    Leave.objects.create(
        practitioner=clinic["practitioners"][0],
        starts_at=_at(MONDAY + timedelta(days=1), 0),
        ends_at=_at(MONDAY + timedelta(days=2), 0),
    )

    with pytest.raises(ValidationError, match="closed on Monday 23 November"):
        _book(clinic, _at(MONDAY, 10))
    with pytest.raises(ValidationError, match="is away"):
        _book(clinic, _at(MONDAY + timedelta(days=1), 10))


@pytest.mark.parametrize(
    ("practitioner", "room", "start"),
    [
        (0, 1, _at(MONDAY, 10, 30)),  # same practitioner, other room
        (1, 0, _at(MONDAY, 10, 30)),  # same room, other practitioner
        (0, 1, _at(MONDAY, 11)),  # right after, but inside the 10-minute buffer
        (0, 1, _at(MONDAY, 9, 15)),  # ends inside the first
    ],
)
def test_clashes_are_refused_as_just_taken(clinic, practitioner, room, start):
    _book(clinic, _at(MONDAY, 10))

    with pytest.raises(SlotTaken):
        _book(clinic, start, practitioner=practitioner, room=room)


def test_after_the_buffer_the_next_booking_fits(clinic):
    _book(clinic, _at(MONDAY, 10))

    assert _book(clinic, _at(MONDAY, 11, 10))


def test_a_cancelled_appointment_frees_its_time(clinic):
    first = _book(clinic, _at(MONDAY, 10))
    first.status = Appointment.Status.CANCELLED
    first.save(update_fields=["status"])

    assert _book(clinic, _at(MONDAY, 10))


def test_a_time_without_a_time_zone_is_refused(clinic):
    with pytest.raises(ValidationError, match="time zone"):
        _book(clinic, datetime(2026, 11, 23, 10))  # noqa: DTZ001 - the point of the test


@ON_POSTGRESQL
def test_the_database_refuses_an_overlap_that_skips_the_service(clinic):
    first = _book(clinic, _at(MONDAY, 10))
    twin = Appointment(
        patient=first.patient, practitioner=first.practitioner, room=clinic["rooms"][1],
        location=first.location, appointment_type=first.appointment_type,
        starts_at=_at(MONDAY, 10, 30), ends_at=_at(MONDAY, 11, 30), booked_by=first.booked_by,
        blocked_from=_at(MONDAY, 10, 30), blocked_until=_at(MONDAY, 11, 40),
    )  # fmt: skip

    with pytest.raises(IntegrityError, match="not_double_booked"), transaction.atomic():
        twin.save()


def _race(clinic, contenders: list[dict]) -> tuple[int, list[str]]:
    """Fire the bookings at once, each on its own connection; count wins and failures."""
    barrier = threading.Barrier(len(contenders))
    wins, failures = [], []
    lock = threading.Lock()

    def contend(overrides: dict) -> None:
        try:
            barrier.wait()
            _book(clinic, _at(MONDAY, 10), **overrides)
            with lock:
                wins.append(1)
        except SlotTaken:
            with lock:
                failures.append("taken")
        except Exception as exc:  # anything else would be a 500
            with lock:
                failures.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return len(wins), failures


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_sixteen_bookings_racing_for_one_practitioner_let_exactly_one_through(clinic):
    # Sixteen receptionists, one practitioner, one slot, two rooms between them.
    contenders = [{"practitioner": 0, "room": n % 2} for n in range(16)]

    wins, failures = _race(clinic, contenders)

    assert wins == 1
    assert failures == ["taken"] * 15
    assert Appointment.objects.count() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_sixteen_bookings_racing_for_one_room_let_exactly_one_through(clinic):
    extra = [make_practitioner() for _ in range(14)]
    for practitioner in extra:
        WorkingHours.objects.create(
            practitioner=practitioner, location=clinic["location"], weekday=0,
            starts=time(9), ends=time(17),
        )  # fmt: skip
    clinic["practitioners"] += extra
    contenders = [{"practitioner": n, "room": 0} for n in range(16)]

    wins, failures = _race(clinic, contenders)

    assert wins == 1
    assert failures == ["taken"] * 15


# --- Transitions ----------------------------------------------------------------------


def test_moving_keeps_the_rules_and_bumps_the_version(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))
    appointment_confirm(appointment=appointment)

    moved = appointment_move(appointment=appointment, start=_at(MONDAY, 14), by=clinic["desk"])

    assert moved.starts_at == _at(MONDAY, 14)
    assert moved.version == 2
    assert moved.status == Appointment.Status.BOOKED  # to be confirmed again
    with pytest.raises(ValidationError, match="opening hours"):
        appointment_move(appointment=moved, start=_at(MONDAY, 16, 30), by=clinic["desk"])


def test_moving_onto_another_booking_is_just_taken_but_onto_itself_is_fine(clinic):
    first = _book(clinic, _at(MONDAY, 10))
    _book(clinic, _at(MONDAY, 12))

    with pytest.raises(SlotTaken):
        appointment_move(appointment=first, start=_at(MONDAY, 11, 30), by=clinic["desk"])
    assert appointment_move(appointment=first, start=_at(MONDAY, 10, 15), by=clinic["desk"])


@pytest.mark.parametrize(
    ("hours_before", "late"), [(48, False), (24, False), (23, True), (1, True)]
)
def test_cancelling_inside_the_window_is_flagged_late(clinic, hours_before, late):
    appointment = _book(clinic, _at(MONDAY, 10))

    cancelled = appointment_cancel(
        appointment=appointment,
        reason="Unwell",
        by=clinic["desk"],
        now=_at(MONDAY, 10) - timedelta(hours=hours_before),
    )

    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.late_cancel is late
    assert cancelled.version == 2


def test_a_cancellation_needs_a_reason(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))

    with pytest.raises(ValidationError):
        appointment_cancel(
            appointment=appointment, reason=" ", by=clinic["desk"], now=_at(MONDAY, 8)
        )


def test_no_show_only_after_the_start(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))

    with pytest.raises(ValidationError, match="not started yet"):
        appointment_mark_no_show(appointment=appointment, now=_at(MONDAY, 9, 59))
    marked = appointment_mark_no_show(appointment=appointment, now=_at(MONDAY, 10, 5))
    assert marked.status == Appointment.Status.NO_SHOW


def test_the_day_goes_booked_checked_in_in_progress_completed(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))

    appointment = appointment_check_in(appointment=appointment, now=_at(MONDAY, 9, 50))
    appointment = appointment_start(appointment=appointment)
    appointment = appointment_complete(appointment=appointment)

    assert appointment.status == Appointment.Status.COMPLETED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("cancelled", "check_in"), ("completed", "cancel"), ("no_show", "move"),
        ("booked", "start"), ("checked_in", "complete"), ("in_progress", "check_in"),
        ("confirmed", "confirm"), ("cancelled", "no_show"),
    ],
)  # fmt: skip
def test_each_transition_checks_the_current_state(clinic, status, action):
    appointment = _book(clinic, _at(MONDAY, 10))
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    desk = clinic["desk"]
    act = {
        "check_in": lambda: appointment_check_in(appointment=appointment, now=_at(MONDAY, 9)),
        "cancel": lambda: appointment_cancel(
            appointment=appointment, reason="x", by=desk, now=_at(MONDAY, 8)
        ),
        "move": lambda: appointment_move(appointment=appointment, start=_at(MONDAY, 14), by=desk),
        "start": lambda: appointment_start(appointment=appointment),
        "complete": lambda: appointment_complete(appointment=appointment),
        "confirm": lambda: appointment_confirm(appointment=appointment),
        # Before the start, too: the state is what is wrong, and the message says so.
        "no_show": lambda: appointment_mark_no_show(appointment=appointment, now=_at(MONDAY, 8)),
    }[action]

    with pytest.raises(ValidationError, match="cannot be"):
        act()


def test_a_room_switched_off_meanwhile_is_refused(clinic):
    stale = clinic["rooms"][0]
    Room.objects.filter(pk=stale.pk).update(is_active=False)

    with pytest.raises(ValidationError, match="not in use"):
        _book(clinic, _at(MONDAY, 10), room=0)


# --- No appointment blocks longer than LONGEST_BLOCK -------------------------------------


def test_the_longest_appointment_with_the_longest_buffers_blocks_exactly_the_longest_block(
    clinic,
):
    longest = AppointmentType.objects.create(
        name="Longest", kind="treatment", duration_minutes=LONGEST_APPOINTMENT_MINUTES,
        buffer_before_minutes=LONGEST_BUFFER_MINUTES, buffer_after_minutes=LONGEST_BUFFER_MINUTES,
    )  # fmt: skip
    OpeningHours.objects.filter(location=clinic["location"]).update(
        opens=time(0), closes=time(23, 59)
    )
    WorkingHours.objects.filter(practitioner=clinic["practitioners"][0]).update(
        starts=time(0), ends=time(23, 59)
    )

    booked = appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=longest, start=_at(MONDAY, 8), by=clinic["desk"],
    )  # fmt: skip

    assert booked.blocked_until - booked.blocked_from == LONGEST_BLOCK == timedelta(hours=12)


def test_a_type_may_keep_at_most_two_hours_free_either_side(clinic):
    with pytest.raises(IntegrityError, match="buffers_at_most_two_hours"), transaction.atomic():
        AppointmentType.objects.create(
            name="Too long a pause", kind="treatment", duration_minutes=30,
            buffer_after_minutes=LONGEST_BUFFER_MINUTES + 1,
        )  # fmt: skip


@ON_POSTGRESQL
def test_the_database_refuses_a_block_longer_than_the_longest_that_skips_the_service(clinic):
    first = _book(clinic, _at(MONDAY, 10))
    first.blocked_from = first.blocked_until - LONGEST_BLOCK - timedelta(minutes=1)

    with pytest.raises(IntegrityError, match="at_most_twelve_hours"), transaction.atomic():
        first.save(update_fields=["blocked_from"])
