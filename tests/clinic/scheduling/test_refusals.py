"""What the clock does not allow: booking or moving into the past (a walk-in's grace
aside), dates outside the clinic's horizon, check-in on another day than the
appointment's own at its location, and undoing a check-in until the session starts."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from clinic.scheduling.models import Appointment, Location, OpeningHours, Room, WorkingHours
from clinic.scheduling.services import (
    appointment_book,
    appointment_check_in,
    appointment_check_in_undo,
    appointment_confirm,
    appointment_move,
    appointment_start,
)
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _book(clinic, start, **kwargs):
    return appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=clinic["type"], start=start,
        by=clinic["desk"], **kwargs,
    )  # fmt: skip


def _signed_in(user):
    client = Client()
    sign_in(client, user)
    return client


# --- The past ----------------------------------------------------------------------


def test_a_booking_that_starts_in_the_past_is_refused(clinic):
    with pytest.raises(ValidationError, match="That time has passed"):
        _book(clinic, _at(MONDAY, 10), now=_at(MONDAY, 11))
    assert not Appointment.objects.exists()


def test_a_walk_in_may_be_entered_as_they_arrive_but_no_earlier(clinic, settings):
    settings.WALK_IN_GRACE = timedelta(minutes=15)

    walk_in = _book(clinic, _at(MONDAY, 10), now=_at(MONDAY, 10, 15))
    with pytest.raises(ValidationError, match="That time has passed"):
        _book(clinic, _at(MONDAY, 11), now=_at(MONDAY, 11, 16))

    assert walk_in.starts_at == _at(MONDAY, 10)


def test_a_move_into_the_past_is_refused(clinic):
    appointment = _book(clinic, _at(MONDAY, 14), now=_at(MONDAY, 9))

    with pytest.raises(ValidationError, match="That time has passed"):
        appointment_move(
            appointment=appointment, start=_at(MONDAY, 10), by=clinic["desk"],
            now=_at(MONDAY, 12),
        )  # fmt: skip
    appointment.refresh_from_db()
    assert appointment.starts_at == _at(MONDAY, 14)


def test_the_booking_page_says_a_past_time_has_passed_on_the_time_field(front_desk, clinic):
    data = {
        "patient": clinic["patient"].pk, "appointment_type": clinic["type"].pk,
        "practitioner": clinic["practitioners"][0].pk, "room": clinic["rooms"][0].pk,
        "day": MONDAY.isoformat(), "start_time": "10:00",
    }  # fmt: skip
    with time_machine.travel(_at(MONDAY, 12), tick=False):
        response = _signed_in(front_desk).post(reverse("scheduling:new"), data)

    assert response.status_code == 200
    assert "That time has passed" in response.context["form"].errors["start_time"][0]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2029-01-01"])
def test_a_date_outside_the_horizon_is_a_field_message_on_booking_not_a_500(
    front_desk, clinic, day
):
    data = {
        "patient": clinic["patient"].pk, "appointment_type": clinic["type"].pk,
        "practitioner": clinic["practitioners"][0].pk, "room": clinic["rooms"][0].pk,
        "day": day, "start_time": "23:45",
    }  # fmt: skip
    with time_machine.travel(_at(date(2026, 11, 20), 9), tick=False):
        response = _signed_in(front_desk).post(reverse("scheduling:new"), data)

    assert response.status_code == 200
    assert "Choose a date" in response.context["form"].errors["day"][0]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_outside_the_horizon_is_a_field_message_on_moving_not_a_500(front_desk, clinic, day):
    with time_machine.travel(_at(date(2026, 11, 20), 9), tick=False):
        appointment = _book(clinic, _at(MONDAY, 10))
        response = _signed_in(front_desk).post(
            reverse("scheduling:move", args=[appointment.pk]), {"day": day, "start_time": "23:45"}
        )

    assert response.status_code == 200
    assert "Choose a date" in response.context["move_form"].errors["day"][0]


def test_the_moving_page_says_a_past_time_has_passed(front_desk, clinic):
    with time_machine.travel(_at(MONDAY, 9), tick=False):
        appointment = _book(clinic, _at(MONDAY, 14))
    with time_machine.travel(_at(MONDAY, 12), tick=False):
        response = _signed_in(front_desk).post(
            reverse("scheduling:move", args=[appointment.pk]),
            {"day": MONDAY.isoformat(), "start_time": "10:00"},
        )

    assert response.status_code == 200
    assert "That time has passed" in response.context["move_form"].errors["start_time"][0]


def test_the_clinic_chooses_the_first_day_a_form_accepts(front_desk, clinic, settings):
    settings.CLINIC_OPENED_ON = date(2024, 3, 1)
    data = {
        "patient": clinic["patient"].pk, "appointment_type": clinic["type"].pk,
        "practitioner": clinic["practitioners"][0].pk, "room": clinic["rooms"][0].pk,
        "day": "2024-02-29", "start_time": "10:00",
    }  # fmt: skip
    with time_machine.travel(_at(date(2026, 11, 20), 9), tick=False):
        response = _signed_in(front_desk).post(reverse("scheduling:new"), data)

    assert response.context["form"].errors["day"] == [
        "Choose a date from 1 March 2024, when the clinic opened."
    ]


# --- Check-in on the day, and its undo -----------------------------------------------


def test_check_in_is_refused_the_day_before(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))

    assert not appointment.can_check_in(_at(MONDAY - timedelta(days=1), 10))
    with pytest.raises(ValidationError, match="check the patient in on the day"):
        appointment_check_in(appointment=appointment, now=_at(MONDAY - timedelta(days=1), 10))
    assert appointment.can_check_in(_at(MONDAY, 8))


def test_check_in_follows_the_day_at_the_appointments_own_location(clinic):
    """19:30 in New York is 00:30 the next day in London: it is still New York's day."""
    new_york = Location.objects.create(name="Manhattan", time_zone="America/New_York")
    room = Room.objects.create(location=new_york, name="Suite 1")
    practitioner = clinic["practitioners"][1]
    OpeningHours.objects.create(location=new_york, weekday=0, opens=time(9), closes=time(21))
    WorkingHours.objects.create(
        practitioner=practitioner, location=new_york, weekday=0, starts=time(9), ends=time(21)
    )
    evening = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # Monday 19:30 in New York
    appointment = appointment_book(
        patient=clinic["patient"], practitioner=practitioner, room=room,
        appointment_type=clinic["type"], start=evening, by=clinic["desk"],
    )  # fmt: skip

    assert appointment.can_check_in(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # 18:00 there
    assert not appointment.can_check_in(datetime(2026, 11, 24, 5, 30, tzinfo=UTC))  # Tuesday


def test_undoing_a_check_in_restores_what_it_was(clinic):
    appointment = appointment_confirm(appointment=_book(clinic, _at(MONDAY, 10)))
    checked_in = appointment_check_in(appointment=appointment, now=_at(MONDAY, 9, 50))

    undone = appointment_check_in_undo(appointment=checked_in, now=_at(MONDAY, 9, 55))

    assert undone.status == Appointment.Status.CONFIRMED
    assert undone.can_check_in(_at(MONDAY, 9, 56))


def test_a_check_in_cannot_be_undone_once_the_session_has_started(clinic):
    appointment = _book(clinic, _at(MONDAY, 10))
    started = appointment_start(
        appointment=appointment_check_in(appointment=appointment, now=_at(MONDAY, 9, 50))
    )

    assert not started.can_undo_check_in(_at(MONDAY, 10, 5))
    with pytest.raises(ValidationError, match="in progress"):
        appointment_check_in_undo(appointment=started, now=_at(MONDAY, 10, 5))


def test_the_appointment_page_offers_check_in_only_on_the_day_and_then_its_undo(front_desk, clinic):
    appointment = _book(clinic, _at(MONDAY, 10))
    page = reverse("scheduling:appointment", args=[appointment.pk])

    with time_machine.travel(_at(MONDAY - timedelta(days=1), 10), tick=False):
        day_before = _signed_in(front_desk).get(page).content.decode()
    with time_machine.travel(_at(MONDAY, 9), tick=False):
        client = _signed_in(front_desk)
        on_the_day = client.get(page).content.decode()
        client.post(reverse("scheduling:action", args=[appointment.pk, "check-in"]))
        checked_in = client.get(page).content.decode()
        client.post(reverse("scheduling:action", args=[appointment.pk, "undo-check-in"]))

    appointment.refresh_from_db()
    assert "Check in</button>" not in day_before
    assert "Check in</button>" in on_the_day
    assert "Undo check-in" in checked_in
    assert appointment.status == Appointment.Status.BOOKED


def test_a_refused_check_in_says_why(front_desk, clinic):
    appointment = _book(clinic, _at(MONDAY, 10))
    with time_machine.travel(_at(MONDAY - timedelta(days=1), 10), tick=False):
        response = _signed_in(front_desk).post(
            reverse("scheduling:action", args=[appointment.pk, "check-in"]), follow=True
        )

    assert "check the patient in on the day" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


@pytest.mark.parametrize("who", ["practitioner", "manager", "outsider"])
def test_only_the_front_desk_undoes_a_check_in(role_clients, clinic, who):
    appointment = _book(clinic, _at(MONDAY, 10))
    appointment_check_in(appointment=appointment, now=_at(MONDAY, 9))

    url = reverse("scheduling:action", args=[appointment.pk, "undo-check-in"])
    assert role_clients[who].post(url).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN


@pytest.mark.parametrize("status", Appointment.Status.values)
@pytest.mark.parametrize(
    "now", [_at(MONDAY - timedelta(days=1), 10), _at(MONDAY, 8), _at(MONDAY, 11)]
)
def test_the_rules_for_a_plain_row_are_the_models(status, now):
    """The book's cards are plain rows judged by ``Appointment.allowed``: it answers as
    the instance's own rules do, for every status, before its day, on it and after the
    start."""
    location = Location(name="Bath", time_zone="Europe/London")
    appointment = Appointment(status=status, starts_at=_at(MONDAY, 10), location=location)

    allowed = Appointment.allowed(
        status,
        on_its_day=appointment.is_on_local_day(now),
        started=appointment.has_started(now),
    )

    assert allowed.confirm == appointment.can_confirm
    assert allowed.check_in == appointment.can_check_in(now)
    assert allowed.no_show == appointment.can_mark_no_show(now)
    assert allowed.move == appointment.can_move
    assert allowed.cancel == appointment.can_cancel
