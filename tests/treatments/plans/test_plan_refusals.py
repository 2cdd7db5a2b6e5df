"""A plan's dates outside the clinic's horizon, or a session moved into the past, are
said on the form: never a 500 (0001-01-01 and 9999-12-31 used to overflow)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_staff
from tests.treatments.sessions.sessions_setup import make_plan
from treatments.models import Treatment, TreatmentArea, TreatmentPlan
from treatments.plans.services import plan_book

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_earliest_start_outside_the_horizon_is_a_field_message(
    setting, practitioner_client, day
):
    treatment = Treatment.objects.get(name="Microneedling")
    data = {
        "treatment": treatment.pk,
        "areas": [TreatmentArea.objects.get(treatment=treatment, code="face").pk],
        "location": setting["location"].pk,
        "earliest_start": day,
    }
    url = reverse("treatments:plan_new", args=[setting["consultation"].pk])

    response = practitioner_client.post(url, data)

    assert response.status_code == 200
    assert "Choose a date" in response.context["form"].errors["earliest_start"][0]
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("name", ["treatments:plan_session_move", "treatments:plan_session_adjust"])
def test_a_session_date_outside_the_horizon_is_explained_not_a_500(
    setting, practitioner, front_desk_client, day, name
):
    plan = make_plan(setting, practitioner)
    if name == "treatments:plan_session_move":
        plan_book(plan=plan, by=make_staff(), now=timezone.now())

    response = front_desk_client.post(
        reverse(name, args=[plan.pk, 2]), {"day": day, "start_time": "23:45"}, follow=True
    )

    assert response.status_code == 200
    assert "Date: Choose a date" in response.content.decode()


def test_a_booked_session_moved_into_the_past_is_refused(setting, practitioner, front_desk_client):
    plan = make_plan(setting, practitioner)
    plan_book(plan=plan, by=make_staff(), now=timezone.now())
    second = plan.sessions.select_related("appointment").get(number=2)

    response = front_desk_client.post(
        reverse("treatments:plan_session_move", args=[plan.pk, 2]),
        {"day": "2026-11-20", "start_time": "10:00"},
        follow=True,
    )

    assert "That time has passed" in response.content.decode()
    second.appointment.refresh_from_db()
    assert second.appointment.starts_at > timezone.now()
