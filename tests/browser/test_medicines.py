"""Journeys: medicines chosen from the clinic's list as they are typed, an unknown one
checked before signing, and the manager's rule changes governed."""

import pytest
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str, role: Role) -> None:
    UserFactory(username=username, first_name="Amara", last_name="Okafor", roles=[role])
    sign_in(page, base, username)


def test_a_misspelt_medicine_is_offered_and_an_unknown_one_checked_before_signing(
    live_server, page: Page, screenshot, console_errors
):
    patient = make_patient(first_name="Zoë", last_name="Martin")
    _sign_in(page, live_server.url, "prac", Role.PRACTITIONER)
    page.goto(f"{live_server.url}/patients/{patient.pk}/consultations/new/")
    page.get_by_label("Acne scars").check()
    page.get_by_label("Face").check()
    page.get_by_label("Fitzpatrick skin type").select_option("2")
    rows = page.get_by_test_id("medicine-line")
    panel = page.get_by_test_id("screening-panel")

    # A misspelling is offered, never applied: nothing is found until it is accepted.
    rows.nth(0).get_by_label("Medicine", exact=True).press_sequentially("Elliquis 5mg", delay=20)
    offer = rows.nth(0).get_by_role("option", name="Eliquis (apixaban)")
    expect(offer).to_be_visible()
    expect(panel).to_contain_text("Nothing found so far")
    offer.click()
    expect(rows.nth(0).get_by_test_id("medicine-match")).to_contain_text("Eliquis (apixaban)")
    finding = panel.get_by_test_id("finding-blood_thinners")
    expect(finding).to_contain_text("Needs clearance")
    rows.nth(0).get_by_label("How taken").select_option("mouth")

    # A medicine the list does not know is saved, but signing waits for a check.
    rows.nth(1).get_by_label("Medicine", exact=True).fill("Zyxolin 10mg")
    screenshot("medicines-typed")
    page.get_by_role("button", name="Save consultation").click()
    expect(page.get_by_test_id("unchecked-medicines")).to_contain_text("“Zyxolin 10mg”")
    page.get_by_label("Not suitable").check()
    page.get_by_role("button", name="Sign consultation").click()
    expect(page.get_by_text("Check the medicine “Zyxolin 10mg”")).to_be_visible()
    expect(page.get_by_test_id("decision")).to_have_count(0)

    page.get_by_role("link", name="Edit").click()
    zyxolin = page.get_by_test_id("medicine-line").nth(1)
    expect(zyxolin.get_by_label("Medicine", exact=True)).to_have_value("Zyxolin 10mg")
    zyxolin.get_by_label("Checked: not relevant to microneedling").check()
    page.get_by_role("button", name="Save consultation").click()
    expect(page.get_by_test_id("medicine-lines")).to_contain_text("checked as not relevant")
    page.get_by_label("Not suitable").check()
    page.get_by_role("button", name="Sign consultation").click()
    expect(page.get_by_test_id("decision")).to_have_text("Not suitable")
    screenshot("medicines-signed")
    assert console_errors == []


def test_the_pregnancy_rule_cannot_be_switched_off_and_a_change_asks_why(
    live_server, page: Page, screenshot, console_errors
):
    _sign_in(page, live_server.url, "boss", Role.CLINIC_MANAGER)
    page.goto(f"{live_server.url}/screening-rules/")

    pregnancy = page.get_by_test_id("rule-pregnant_or_breastfeeding")
    expect(pregnancy.get_by_test_id("rule-fixed")).to_contain_text("cannot be switched off")
    expect(pregnancy.get_by_role("combobox")).to_have_count(0)

    keloid = page.get_by_test_id("rule-keloid_tendency")
    keloid.get_by_label("Level").select_option("precaution")
    keloid.get_by_role("button", name="Save").click()
    # The browser asks for the reason before anything is sent.
    reason = keloid.get_by_label("Why (required)")
    assert reason.evaluate("input => input.validity.valueMissing")
    expect(page.get_by_text("Rule updated")).to_have_count(0)

    reason.fill("Our scar clinic assesses these patients.")
    keloid.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Rule updated")).to_be_visible()
    keloid = page.get_by_test_id("rule-keloid_tendency")
    expect(keloid).to_contain_text("Our scar clinic assesses these patients.")
    screenshot("screening-rules-governed")
    assert console_errors == []
