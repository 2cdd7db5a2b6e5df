"""Journey: each role signs in on the real browser and lands on its own home page."""

import pytest
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import authenticator_for, enter_code
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = [
    ("desk", Role.FRONT_DESK, "home-front-desk", "Today's arrivals"),
    ("prac", Role.PRACTITIONER, "home-practitioner", "Your day"),
    ("boss", Role.CLINIC_MANAGER, "home-manager", "Latest audited events"),
]


def _sign_in(page: Page, base: str, username: str, password: str) -> None:
    device = authenticator_for(username)
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        # Practitioners and the manager pass the second step.
        expect(page).to_have_url(f"{base}/accounts/verify/?next=/")
        enter_code(page, device)


@pytest.mark.parametrize(("username", "role", "testid", "heading"), HOMES)
def test_each_role_signs_in_and_sees_its_home(
    live_server, page: Page, screenshot, console_errors, username, role, testid, heading
):
    UserFactory(username=username, first_name="Sam", roles=[role])

    _sign_in(page, live_server.url, username, TEST_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id(testid)).to_be_visible()
    expect(page.get_by_text(heading)).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(role.label)
    # The app's own stylesheet is applied: the menu bar wears the clinic's teal.
    nav_colour = page.locator("nav.clinic-nav").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert nav_colour == "rgb(47, 111, 115)"
    screenshot(f"sign-in-{role.value}")
    assert console_errors == []

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_a_wrong_password_is_explained_on_the_page(live_server, page: Page, screenshot):
    UserFactory(username="desk", roles=[Role.FRONT_DESK])

    _sign_in(page, live_server.url, "desk", "not-it")

    expect(page.get_by_test_id("login-error")).to_contain_text("do not match")
    screenshot("sign-in-wrong-password")


def test_the_menu_collapses_on_a_phone_sized_screen(live_server, page: Page):
    UserFactory(username="boss", roles=[Role.CLINIC_MANAGER])
    page.set_viewport_size({"width": 400, "height": 800})
    _sign_in(page, live_server.url, "boss", TEST_PASSWORD)

    audit_link = page.get_by_role("link", name="Audit log", exact=True)
    expect(audit_link).to_be_hidden()
    page.get_by_role("button", name="Show the menu").click()
    expect(audit_link).to_be_visible()
