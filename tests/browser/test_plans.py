"""Journey: a practitioner plans four sessions, the front desk books them, and moving
session 2 moves sessions 3 and 4 to keep the 28-to-42-day window."""

import importlib
import itertools
from datetime import timedelta

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_cleared_patient, make_clinic_location
from treatments.models import TreatmentPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Data the migrations ship, gone from the flushed database of a browser test.
SHIPPED = [
    "treatments.migrations.0006_consent_text",
    "treatments.migrations.0012_catalog_and_plan_permissions",
]


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _local_days(plan):
    zone = plan.location.zone
    sessions = plan.sessions.select_related("appointment").order_by("number")
    return [s.appointment.starts_at.astimezone(zone) for s in sessions]


def test_plan_four_sessions_book_them_and_move_the_second(
    live_server, page: Page, screenshot, console_errors
):
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    make_clinic_location()
    prac = UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])
    UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
    consultation = make_cleared_patient(prac)  # type: ignore[arg-type]

    # The practitioner plans the course from the signed consultation.
    sign_in(page, live_server.url, "prac")
    page.goto(f"{live_server.url}/consultations/{consultation.pk}/")
    page.get_by_role("link", name="Create a treatment plan").click()
    page.get_by_label("Face (4 sessions").check()
    page.get_by_label("Sessions", exact=True).fill("4")
    page.get_by_role("button", name="Propose the sessions").click()
    expect(page.get_by_text("Plan made: every session is proposed below.")).to_be_visible()
    for number in (1, 2, 3, 4):
        expect(page.get_by_test_id(f"session-{number}")).to_contain_text("Proposed")
    _sign_out(page)

    # The front desk books them all from the patient's record.
    sign_in(page, live_server.url, "desk")
    page.goto(f"{live_server.url}/patients/{consultation.patient_id}/")
    page.get_by_test_id("patient-plans").get_by_role("link").first.click()
    page.get_by_test_id("book-plan").click()
    expect(page.get_by_text("Every session is booked.")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_have_text("Active")
    plan = TreatmentPlan.objects.get()
    before = _local_days(plan)

    # Session 2 moves three weeks later (same weekday, same time).
    new_second = before[1] + timedelta(days=21)
    session_two = page.get_by_test_id("session-2")
    session_two.get_by_label("Date").fill(new_second.strftime("%Y-%m-%d"))
    session_two.get_by_label("Time").fill(new_second.strftime("%H:%M"))
    session_two.get_by_role("button", name="Move session 2").click()
    expect(page.get_by_text("Session 2 moved to")).to_be_visible()

    after = _local_days(plan)
    assert after[0] == before[0]
    assert after[1] == new_second
    assert after[2] != before[2]  # 3 and 4 moved with it
    assert after[3] != before[3]
    for previous, session in itertools.pairwise(after[1:]):
        assert 28 <= (session.date() - previous.date()).days <= 42
        assert session.time() == before[0].time()  # the same local wall time
    expect(page.get_by_test_id("session-3").get_by_test_id("session-time")).to_contain_text(
        after[2].strftime("%-d %b %Y")
    )
    screenshot("plan-moved-session-two")
    assert console_errors == []
