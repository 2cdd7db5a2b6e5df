"""Moving an appointment from its page: same practitioner, room and type, a new time."""

from datetime import UTC, date, datetime, time

import pytest
from django.urls import reverse

from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_book, appointment_cancel
from tests.factories import make_patient

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def _book(clinic, hour=10, *, practitioner=0, room=0, patient=None):
    return appointment_book(
        patient=patient or clinic["patient"], practitioner=clinic["practitioners"][practitioner],
        room=clinic["rooms"][room], appointment_type=clinic["type"],
        start=datetime.combine(MONDAY, time(hour), tzinfo=UTC), by=clinic["desk"],
    )  # fmt: skip


def _move(client, appointment, day="2026-11-23", start_time="14:00"):
    return client.post(
        reverse("scheduling:move", args=[appointment.pk]), {"day": day, "start_time": start_time}
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 302), ("practitioner", 403), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_the_front_desk_moves(role_clients, clinic, frozen_now, who, expected):
    appointment = _book(clinic)

    response = _move(role_clients[who], appointment)

    assert response.status_code == expected
    appointment.refresh_from_db()
    moved = who == "front_desk"
    assert appointment.starts_at.hour == (14 if moved else 10)
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_moving_to_a_free_time(front_desk_client, clinic, frozen_now):
    appointment = _book(clinic)

    response = _move(front_desk_client, appointment, start_time="14:30")

    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:appointment", args=[appointment.pk])
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    assert appointment.ends_at == datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    assert appointment.version == 2
    page = front_desk_client.get(response["Location"])
    assert "Moved to Monday 23 November at 14:30." in page.content.decode()


def test_a_time_outside_the_hours_gets_the_services_message_on_the_form(
    front_desk_client, clinic, frozen_now
):
    appointment = _book(clinic)

    response = _move(front_desk_client, appointment, start_time="07:00")

    assert response.status_code == 200
    assert "outside the clinic&#x27;s opening hours" in response.content.decode()
    assert 'data-testid="move-error"' in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at.hour == 10


def test_a_time_just_taken_answers_409_with_a_plain_message(front_desk_client, clinic, frozen_now):
    appointment = _book(clinic)
    _book(clinic, 14, room=1, patient=make_patient())  # same practitioner, other room

    response = _move(front_desk_client, appointment, start_time="14:00")

    assert response.status_code == 409
    assert "That slot was just taken" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at.hour == 10


def test_a_cancelled_appointment_cannot_be_moved(front_desk_client, clinic, frozen_now):
    appointment = _book(clinic)
    appointment_cancel(appointment=appointment, reason="Unwell", by=clinic["desk"], now=frozen_now)

    response = _move(front_desk_client, appointment)

    assert response.status_code == 200
    assert "This appointment is cancelled: it cannot be moved." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.starts_at.hour == 10
    # Its page offers no move at all.
    page = front_desk_client.get(reverse("scheduling:appointment", args=[appointment.pk]))
    assert page.context["move_form"] is None
    assert "Move appointment" not in page.content.decode()


@pytest.mark.parametrize(
    ("day", "start_time", "field"),
    [("2026-02-30", "10:00", "day"), ("2026-11-23", "25:00", "start_time"), ("", "", "day")],
)
def test_a_wrong_date_or_time_gets_a_message_on_its_field(
    front_desk_client, clinic, frozen_now, day, start_time, field
):
    appointment = _book(clinic)

    response = _move(front_desk_client, appointment, day=day, start_time=start_time)

    assert response.status_code == 200
    assert response.context["move_form"].errors[field]


def test_the_page_offers_the_nearest_free_times_for_the_same_practitioner_and_room(
    front_desk_client, clinic, frozen_now
):
    appointment = _book(clinic)
    _book(clinic, 12, room=1, patient=make_patient())  # the practitioner is busy at noon

    response = front_desk_client.get(reverse("scheduling:appointment", args=[appointment.pk]))

    nearby = response.context["nearby"]
    # Its own time counts as free once it moves; the nearest six either side of 10:00.
    assert [choice["time"] for choice in nearby] == [
        "09:15", "09:30", "09:45", "10:15", "10:30", "10:45",
    ]  # fmt: skip
    assert {choice["day"] for choice in nearby} == {"2026-11-23"}
    assert 'data-testid="nearby-times"' in response.content.decode()


def test_a_nearby_time_moves_in_one_click(front_desk_client, clinic, frozen_now):
    appointment = _book(clinic)
    page = front_desk_client.get(reverse("scheduling:appointment", args=[appointment.pk]))
    choice = page.context["nearby"][-1]

    response = _move(front_desk_client, appointment, day=choice["day"], start_time=choice["time"])

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime(2026, 11, 23, 10, 45, tzinfo=UTC)


def test_the_move_form_starts_at_the_appointments_own_date_and_time(
    front_desk_client, clinic, frozen_now
):
    appointment = _book(clinic)

    response = front_desk_client.get(reverse("scheduling:appointment", args=[appointment.pk]))

    form = response.context["move_form"]
    assert form.initial == {"day": MONDAY, "start_time": "10:00"}


def test_practitioners_see_the_appointment_without_the_move_form(
    practitioner_client, clinic, frozen_now
):
    appointment = _book(clinic)

    response = practitioner_client.get(reverse("scheduling:appointment", args=[appointment.pk]))

    assert response.status_code == 200
    assert response.context["move_form"] is None
    assert response.context["nearby"] == []
