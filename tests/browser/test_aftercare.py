"""Journey: the practitioner starts, records and signs a session; the aftercare in force
is issued, shown on the session page and laid out to print."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.messaging.models import PatientMessage
from clinic.scheduling.services import appointment_check_in
from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import (
    UserFactory,
    make_appointment,
    make_cleared_patient,
    make_clinic_location,
)
from tests.treatments.sessions.sessions_setup import make_plan
from treatments.models import IssuedAftercare, TreatmentSession
from treatments.sessions.check_in import check_in_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHIPPED = [
    "treatments.migrations.0006_consent_text",
    "treatments.migrations.0012_catalog_and_plan_permissions",
    "treatments.migrations.0014_aftercare_default_and_permissions",
]


def _session_checked_in_now(prac):
    """Session 1 of a plan, its appointment starting now and the patient checked in and
    screened again (the live server runs on the real clock)."""
    location, _rooms, profiles = make_clinic_location()
    consultation = make_cleared_patient(prac)
    setting = {"location": location, "profiles": profiles, "consultation": consultation}
    plan = make_plan(setting, prac)
    plan.status = plan.Status.ACTIVE
    plan.save(update_fields=["status"])
    now = timezone.now().replace(second=0, microsecond=0)
    appointment = make_appointment(
        starts_at=now - timedelta(minutes=1) if now.minute else now,
        practitioner=profiles[0],
        patient=consultation.patient,
    )
    session = plan.sessions.get(number=1)
    session.appointment = appointment
    session.status = TreatmentSession.Status.BOOKED
    session.save(update_fields=["appointment", "status"])
    appointment_check_in(appointment=appointment, now=appointment.starts_at)
    check_in_screen(patient=consultation.patient, by=prac, conditions=set())
    return session


def test_signing_a_session_issues_the_aftercare_shown_on_its_page(
    live_server, page: Page, screenshot, console_errors
):
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    prac = UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])
    session = _session_checked_in_now(prac)

    sign_in(page, live_server.url, "prac")
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text("Session started")).to_be_visible()

    page.get_by_label("Device", exact=True).select_option("pen")
    page.get_by_label("Cartridge or needle lot").fill("LOT-7731")
    page.get_by_label("Skin", exact=True).select_option("thick")  # 1.25 mm: thick skin's range
    page.get_by_label("Face: Cheeks and chin (mm)").fill("1.25")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("Record saved.")).to_be_visible()
    page.get_by_test_id("sign-session").click()

    aftercare = page.get_by_test_id("issued-aftercare")
    expect(aftercare).to_contain_text("Aftercare given")
    expect(aftercare).to_contain_text("Version 1 of the microneedling aftercare")
    expect(aftercare).to_contain_text("Days 2 to 4")
    expect(aftercare).to_contain_text("Wear a mineral sunscreen")
    expect(page.get_by_test_id("session-status")).to_have_text("Completed")
    issued = IssuedAftercare.objects.get(session=session)
    kinds = set(
        PatientMessage.objects.filter(appointment=session.appointment).values_list(
            "kind", flat=True
        )
    )
    assert {"aftercare", "follow_up"} <= kinds
    assert issued.version == 1

    aftercare.get_by_role("link", name="Print").click()
    sheet = page.get_by_test_id("aftercare-sheet")
    expect(sheet).to_contain_text("Caring for your skin after microneedling")
    expect(sheet).to_contain_text("Contact the clinic at once if you notice")
    screenshot("aftercare-print")
    assert console_errors == []
