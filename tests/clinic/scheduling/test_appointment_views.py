"""Booking and appointment pages: the front desk's, with clear answers to every mistake."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_book
from tests.signing_in import sign_in

# Booking is for times to come: the clock stands at the Friday before the Monday booked.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

MONDAY = date(2026, 11, 23)


def _form(clinic, **overrides):
    data = {
        "patient": clinic["patient"].pk,
        "appointment_type": clinic["type"].pk,
        "practitioner": clinic["practitioners"][0].pk,
        "room": clinic["rooms"][0].pk,
        "day": MONDAY.isoformat(),
        "start_time": "10:00",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 403), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_the_front_desk_books(role_clients, clinic, who, expected):
    url = f"{reverse('scheduling:new')}?patient={clinic['patient'].pk}"

    assert role_clients[who].get(url).status_code == expected


def test_booking_through_the_page(front_desk_client, clinic):
    response = front_desk_client.post(reverse("scheduling:new"), _form(clinic))

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:appointment", args=[appointment.pk])


def test_a_slot_taken_a_moment_ago_answers_409_with_a_plain_message(front_desk_client, clinic):
    from datetime import UTC, datetime, time

    appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][1], appointment_type=clinic["type"],
        start=datetime.combine(MONDAY, time(10), tzinfo=UTC), by=clinic["desk"],
    )  # fmt: skip

    response = front_desk_client.post(reverse("scheduling:new"), _form(clinic))

    assert response.status_code == 409
    assert "That slot was just taken" in response.content.decode()
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"day": "2026-02-30"}, "day", "Enter a valid date"),
        ({"start_time": "25:00"}, "start_time", "Enter a valid time"),
        ({"patient": "999999"}, "patient", "There is no such patient"),
        ({"room": "999999"}, "room", "valid choice"),
        ({"appointment_type": ""}, "appointment_type", "required"),
    ],
)
def test_bad_input_gets_a_message_on_the_field(front_desk_client, clinic, change, field, message):
    response = front_desk_client.post(reverse("scheduling:new"), _form(clinic, **change))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Appointment.objects.exists()


def test_a_time_outside_the_hours_is_explained(front_desk_client, clinic):
    response = front_desk_client.post(reverse("scheduling:new"), _form(clinic, start_time="07:00"))

    assert response.status_code == 200
    assert "outside the clinic&#x27;s opening hours" in response.content.decode()


def test_without_a_patient_the_page_finds_one_first(front_desk_client, clinic):
    response = front_desk_client.get(reverse("scheduling:new"))

    assert response.status_code == 200
    assert "Who is it for?" in response.content.decode()
    assert response.context["patient"] is None


def _booked(clinic, days_ahead=0):
    from datetime import UTC, datetime, time

    return appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=clinic["type"],
        start=datetime.combine(MONDAY + timedelta(days=days_ahead), time(10), tzinfo=UTC),
        by=clinic["desk"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 200), ("manager", 403), ("outsider", 403)],
)
def test_who_sees_an_appointment(role_clients, clinic, who, expected):
    appointment = _booked(clinic)

    assert (
        role_clients[who].get(reverse("scheduling:appointment", args=[appointment.pk])).status_code
        == expected
    )


@pytest.mark.parametrize("who", ["practitioner", "manager", "outsider"])
def test_only_the_front_desk_checks_in_or_cancels(role_clients, clinic, who):
    appointment = _booked(clinic)

    for action in ("check-in", "cancel", "no-show", "confirm"):
        url = reverse("scheduling:action", args=[appointment.pk, action])
        assert role_clients[who].post(url, {"reason": "x"}).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_check_in_and_cancel_from_the_page(front_desk_client, front_desk, clinic):
    first, second = _booked(clinic), _booked(clinic, days_ahead=1)

    with time_machine.travel(first.starts_at, tick=False):  # check-in is on the day
        on_the_day = Client()
        sign_in(on_the_day, front_desk)
        on_the_day.post(reverse("scheduling:action", args=[first.pk, "check-in"]))
    empty = front_desk_client.post(
        reverse("scheduling:action", args=[second.pk, "cancel"]), {"reason": ""}, follow=True
    )
    front_desk_client.post(
        reverse("scheduling:action", args=[second.pk, "cancel"]), {"reason": "Moved away"}
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Appointment.Status.CHECKED_IN
    assert "Say why" in empty.content.decode()
    assert second.status == Appointment.Status.CANCELLED


def test_a_no_show_before_the_start_is_explained(front_desk_client, clinic):
    from datetime import UTC, datetime, time

    future = appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=clinic["type"],
        start=datetime.combine(date(2027, 11, 22), time(10), tzinfo=UTC), by=clinic["desk"],
    )  # fmt: skip

    response = front_desk_client.post(
        reverse("scheduling:action", args=[future.pk, "no-show"]), follow=True
    )

    assert "has not started yet" in response.content.decode()


def test_an_unknown_action_is_not_found(front_desk_client, clinic):
    appointment = _booked(clinic)

    url = reverse("scheduling:action", args=[appointment.pk, "teleport"])
    assert front_desk_client.post(url).status_code == 404


@pytest.mark.parametrize(("who", "queries"), [("front_desk", 12), ("practitioner", 7)])
def test_the_appointment_page_costs_a_fixed_number_of_queries(
    role_clients, clinic, django_assert_num_queries, frozen_now, who, queries
):
    appointment = _booked(clinic)
    # session, user, role permissions, the appointment with patient, practitioner, room,
    # location and type, [front desk, for the nearby free times: opening hours, closures,
    # the practitioner, their working hours, leave, the room, active appointments as busy
    # time], the messages about it, roles (menu), [practitioner: the appointment's
    # history from home (none)]
    with django_assert_num_queries(queries):
        role_clients[who].get(reverse("scheduling:appointment", args=[appointment.pk]))
