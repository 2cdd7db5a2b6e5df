"""The front desk sees one fact of the history a patient sends from home: whether it is
in, and when. Never an answer."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.treatments.home_history.home_setup import consultation_booked, in_days
from treatments.consultations.home_history import home_history_save, home_history_send

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# An answer no page word contains, so that "not shown" means not shown.
SECRET_ALLERGY = "Quillaja bark"


@pytest.fixture
def appointment(time_machine):
    time_machine.move_to(NOW, tick=False)
    return consultation_booked(start=in_days(NOW, 7), now=NOW)


def _page(client, appointment) -> str:
    response = client.get(reverse("scheduling:appointment", args=[appointment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_front_desk_sees_history_not_received_yet(front_desk_client, appointment):
    assert "History not received yet" in _page(front_desk_client, appointment)


def test_the_front_desk_sees_history_received_with_the_time_and_no_answer(
    front_desk_client, appointment
):
    home_history_save(
        appointment=appointment, answers={"allergies": SECRET_ALLERGY, "sunburn": True},
        medicines=[{"text": "Warfarin", "medicine_key": "warfarin", "route": "",
                    "current": True, "stopped_on": None, "dose": ""}],
        now=NOW,
    )  # fmt: skip
    home_history_send(appointment=appointment, now=NOW)

    page = _page(front_desk_client, appointment)

    assert "History received 23 November at 09:00" in page
    assert SECRET_ALLERGY not in page
    assert "Warfarin" not in page
    assert "sunburn" not in page.lower()


def test_a_treatment_appointment_says_nothing_of_a_history(front_desk_client, time_machine):
    time_machine.move_to(NOW, tick=False)
    treatment = consultation_booked(start=in_days(NOW, 7), now=NOW, kind="treatment")

    assert "History" not in _page(front_desk_client, treatment)


def test_an_outsider_does_not_see_the_appointment(outsider_client, appointment):
    response = outsider_client.get(reverse("scheduling:appointment", args=[appointment.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("who", ["front_desk", "manager", "outsider"])
def test_staff_who_may_not_view_consultations_do_not_reach_the_answers_in_the_admin(
    role_clients, appointment, who
):
    history = home_history_save(
        appointment=appointment, answers={"allergies": SECRET_ALLERGY}, medicines=[], now=NOW
    )
    url = reverse("admin:treatments_homehistory_change", args=[history.pk])

    response = role_clients[who].get(url)

    assert response.status_code in (302, 403)
    assert SECRET_ALLERGY not in response.content.decode()
