"""Journey: the front desk registers a patient, is warned of a duplicate, finds them again."""

import pytest
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from patients.models import Patient
from tests.browser.journeys import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str) -> None:
    UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
    sign_in(page, base, "desk")


def _menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=item).click()


def _fill_patient(page: Page) -> None:
    page.get_by_label("First name").fill("Zoë")
    page.get_by_label("Last name").fill("Martin")
    page.get_by_label("Date of birth").fill("1988-04-12")
    page.get_by_label("Mobile", exact=True).fill("07911 123456")
    page.get_by_label("Email", exact=True).fill("zoe.martin@example.org")
    page.get_by_label("Agrees to appointment and care emails").check()


def test_front_desk_registers_and_finds_a_patient(
    live_server, page: Page, screenshot, console_errors
):
    _sign_in(page, live_server.url)
    _menu(page, "Patients")
    page.get_by_role("link", name="Register a patient").click()

    # A mistake first: the form says what is wrong, on the field.
    _fill_patient(page)
    page.get_by_label("Mobile", exact=True).fill("0791")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_text("This is not a valid phone number")).to_be_visible()

    page.get_by_label("Mobile", exact=True).fill("07911 123456")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_role("heading", name="Zoë Martin")).to_be_visible()
    expect(page.get_by_text("Zoë Martin is registered.")).to_be_visible()
    expect(page.get_by_text("07911 123456")).to_be_visible()

    # Registering the same person again is caught before a second record is made.
    _menu(page, "Patients")
    page.get_by_role("link", name="Register a patient").click()
    _fill_patient(page)
    page.get_by_label("First name").fill("ZOE")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_test_id("duplicate-warning")).to_contain_text("Zoë Martin")
    screenshot("patients-duplicate-warning")
    assert Patient.objects.count() == 1

    # Live search: typing part of the name without the accent finds her.
    _menu(page, "Patients")
    page.get_by_role("searchbox").fill("zoe mar")
    results = page.get_by_test_id("patient-results")
    expect(results.get_by_role("link", name="Martin, Zoë")).to_be_visible()
    # The address follows the search, so Back and a bookmark return to it.
    expect(page).to_have_url(f"{live_server.url}/patients/?q=zoe%20mar")
    screenshot("patients-search")

    # Leaving the search and coming Back shows it again, fetched afresh: htmx keeps no
    # copy of the page (patient names) in the browser's storage.
    page.get_by_role("link", name="Martin, Zoë").click()
    expect(page.get_by_role("heading", name="Zoë Martin")).to_be_visible()
    page.go_back()
    expect(results.get_by_role("link", name="Martin, Zoë")).to_be_visible()
    stored = "() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]"
    assert "htmx-history-cache" not in page.evaluate(stored)
    assert console_errors == []
