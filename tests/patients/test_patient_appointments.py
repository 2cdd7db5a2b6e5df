"""The patient record lists the patient's appointments: to come, then past, each in its
location's own time, a fixed number of each."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.scheduling.models import Location, Room
from clinic.scheduling.templatetags.patient_appointments import SHOWN
from tests.factories import make_appointment, make_patient, make_practitioner

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _record(client, patient):
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    return response


def test_the_record_lists_what_is_to_come_soonest_first_and_the_past_latest_first(
    front_desk_client,
):
    patient = make_patient()
    practitioner = make_practitioner()
    days = (-10, 3, -2, 7)
    made = {
        d: make_appointment(
            starts_at=NOW + timedelta(days=d), patient=patient, practitioner=practitioner
        )
        for d in days
    }
    make_appointment(starts_at=NOW + timedelta(days=1))  # someone else's

    response = _record(front_desk_client, patient)

    panel = response.context["upcoming"], response.context["past"]
    assert [a.pk for a in panel[0]] == [made[3].pk, made[7].pk]
    assert [a.pk for a in panel[1]] == [made[-2].pk, made[-10].pk]
    html = response.content.decode()
    assert 'data-testid="patient-appointments"' in html
    assert reverse("scheduling:appointment", args=[made[3].pk]) in html


def test_an_appointment_elsewhere_shows_in_its_locations_time_with_the_zone_named(
    front_desk_client,
):
    patient = make_patient()
    new_york = Location.objects.create(name="Manhattan", time_zone="America/New_York")
    room = Room.objects.create(location=new_york, name="NY 1")
    # 19:30 in New York is 00:30 the next day in UTC.
    make_appointment(
        starts_at=datetime(2026, 11, 25, 0, 30, tzinfo=UTC), patient=patient, room=room
    )

    html = _record(front_desk_client, patient).content.decode()

    assert "Tue 24 Nov 2026, 19:30" in html
    assert "America/New" in html  # the zone named, as on the appointment's page


def test_the_record_costs_the_same_however_many_appointments(
    front_desk_client, django_assert_num_queries
):
    patient = make_patient()
    practitioner = make_practitioner()
    for d in (-3, 3):
        make_appointment(
            starts_at=NOW + timedelta(days=d), patient=patient, practitioner=practitioner
        )
    _record(front_desk_client, patient)
    with CaptureQueriesContext(connection) as few:
        _record(front_desk_client, patient)
    for d in range(1, 2 * SHOWN + 3):
        for sign in (-1, 1):
            make_appointment(
                starts_at=NOW + sign * timedelta(days=d, hours=1),
                patient=patient,
                practitioner=practitioner,
            )

    with django_assert_num_queries(len(few.captured_queries)):
        response = _record(front_desk_client, patient)

    assert len(response.context["upcoming"]) == SHOWN
    assert len(response.context["past"]) == SHOWN
    assert response.content.decode().count(f"Only the {SHOWN} nearest are shown.") == 2


def test_no_panel_for_a_role_that_does_not_see_the_book(manager):
    patient = make_patient()
    make_appointment(starts_at=NOW + timedelta(days=1), patient=patient)
    request = RequestFactory().get("/")
    request.user = manager

    html = Template("{% load patient_appointments %}{% patient_appointments patient %}").render(
        Context({"request": request, "patient": patient})
    )

    assert "patient-appointments" not in html
