"""Journeys: a consultation with a blood thinner (override, sign) and one with active acne."""

import pytest
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str, role: Role) -> None:
    UserFactory(username=username, first_name="Amara", last_name="Okafor", roles=[role])
    sign_in(page, base, username)


def _start_consultation(page: Page, base: str, patient_pk: int) -> None:
    page.goto(f"{base}/patients/{patient_pk}/")
    page.get_by_role("link", name="New consultation").click()
    page.get_by_label("Acne scars").check()
    page.get_by_label("Face").check()
    page.get_by_label("Fitzpatrick skin type").select_option("2")


def test_blood_thinner_needs_clearance_live_then_override_and_sign(
    live_server, page: Page, screenshot, console_errors
):
    patient = make_patient(first_name="Zoë", last_name="Martin")
    _sign_in(page, live_server.url, "prac", Role.PRACTITIONER)
    _start_consultation(page, live_server.url, patient.pk)
    panel = page.get_by_test_id("screening-panel")
    expect(panel).to_contain_text("Nothing found so far")

    # The finding appears while typing, before anything is saved.
    page.get_by_label("Medicine", exact=True).first.press_sequentially("ELIQUIS 5 MG BD", delay=20)
    finding = panel.get_by_test_id("finding-blood_thinners")
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("Needs clearance")
    expect(finding).to_contain_text("Eliquis (apixaban)")
    screenshot("consultation-live-screening")

    page.get_by_role("button", name="Save consultation").click()
    findings = page.get_by_test_id("findings")
    expect(findings.get_by_test_id("finding-blood_thinners")).to_be_visible()

    # Signing as suitable is not offered until the override is recorded.
    expect(page.get_by_label("Suitable with precautions")).to_have_count(0)
    page.get_by_label("Why treatment may go ahead").fill(
        "Prescriber agrees; expect more pinpoint bleeding; shallower passes."
    )
    page.get_by_role("button", name="Record override").click()
    expect(page.get_by_test_id("override")).to_contain_text("Prescriber agrees")

    page.get_by_label("Suitable with precautions").check()
    page.get_by_role("button", name="Sign consultation").click()
    expect(page.get_by_test_id("decision")).to_have_text("Suitable with precautions")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Record override")).to_have_count(0)
    screenshot("consultation-signed")
    assert console_errors == []


def test_active_acne_is_not_suitable_and_no_plan_is_offered(live_server, page: Page, screenshot):
    patient = make_patient(first_name="Aisha", last_name="Rahman")
    _sign_in(page, live_server.url, "prac", Role.PRACTITIONER)
    _start_consultation(page, live_server.url, patient.pk)

    page.get_by_label("Active (inflamed) acne in the treatment area").check()
    expect(page.get_by_test_id("finding-active_acne")).to_contain_text("Contraindicated")
    page.get_by_role("button", name="Save consultation").click()

    expect(page.get_by_text("Cannot be overridden")).to_be_visible()
    expect(page.get_by_label("Suitable", exact=True)).to_have_count(0)
    expect(page.get_by_label("Suitable with precautions")).to_have_count(0)
    page.get_by_label("Not suitable").check()
    page.get_by_role("button", name="Sign consultation").click()

    expect(page.get_by_test_id("decision")).to_have_text("Not suitable")
    expect(page.get_by_test_id("no-plan")).to_contain_text("no treatment plan")
    screenshot("consultation-not-suitable")

    # The front desk sees only that she is not cleared, never why.
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, live_server.url, "desk", Role.FRONT_DESK)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    expect(page.get_by_test_id("clearance-badge")).to_have_text("Not cleared for treatment")
    expect(page.get_by_text("acne", exact=False)).to_have_count(0)
