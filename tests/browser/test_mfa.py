"""Journeys: a practitioner sets up two-step sign-in at first sign-in, signs in again with
the app's code and then with a recovery code; the manager invites a practitioner, who
sets a password from the emailed link."""

import re
import time
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app holding ``secret`` (as typed by hand) shows."""
    token = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6)
    token.time = time.time() + 30 * steps_ahead
    return f"{token.token():06d}"


def _password_step(page: Page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page: Page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")


def test_a_practitioner_sets_up_two_step_then_signs_in_with_a_code_and_a_recovery_code(
    live_server, page: Page, screenshot, console_errors
):
    base = live_server.url
    UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])

    # First sign-in: the password, then setting up the authenticator (no menu until then).
    _password_step(page, base, "prac")
    expect(page).to_have_url(re.compile(r"/accounts/two-step/"))
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    qr = page.get_by_test_id("mfa-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: URI draws under the CSP
    secret = page.get_by_test_id("mfa-secret").inner_text()
    screenshot("mfa-enrol")
    page.get_by_label("Code from the app").fill("123")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code does not match")).to_be_visible()
    page.get_by_label("Code from the app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    # The codes arrive with the next page: wait for it before reading them.
    code_items = page.get_by_test_id("recovery-codes").locator("li")
    expect(code_items).to_have_count(10)
    codes = code_items.all_inner_texts()
    screenshot("mfa-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_test_id("home-practitioner")).to_be_visible()
    _sign_out(page, base)

    # Next sign-in: the code the app shows (the next one: the first was used).
    _password_step(page, base, "prac")
    expect(page).to_have_url(re.compile(r"/accounts/verify/"))
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    # After a wrong code the authenticator is paused for a second (then two, four ...).
    page.wait_for_timeout(1500)
    page.get_by_label("Code").fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("home-practitioner")).to_be_visible()
    _sign_out(page, base)

    # Without the phone: a recovery code, once.
    _password_step(page, base, "prac")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("home-practitioner")).to_be_visible()
    expect(page.get_by_text("recovery code; 9 left")).to_be_visible()
    screenshot("mfa-recovery-code-used")
    _sign_out(page, base)
    _password_step(page, base, "prac")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    assert console_errors == []


def test_the_manager_invites_a_practitioner_who_sets_a_password_from_the_email(
    live_server, page: Page, screenshot, console_errors
):
    base = live_server.url
    UserFactory(username="boss", first_name="Helen", roles=[Role.CLINIC_MANAGER])
    sign_in(page, base, "boss")

    page.goto(f"{base}/staff/")
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("User name").fill("lwong")
    page.get_by_label("First name").fill("Lucy")
    page.get_by_label("Last name").fill("Wong")
    page.get_by_label("Email").fill("lucy@clinic.example")
    page.get_by_label("Practitioner").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Lucy Wong is invited")).to_be_visible()
    page.goto(f"{base}/staff/")
    expect(page.get_by_role("row", name=re.compile("Lucy Wong"))).to_contain_text("Invited")
    screenshot("staff-list-after-invitation")
    _sign_out(page, base)

    [email] = [m for m in mail.outbox if m.to == ["lucy@clinic.example"]]
    link = re.search(r"http\S+/accounts/password/set/\S+", str(email.body)).group(0)  # type: ignore[union-attr]
    path = link.split("/accounts/", 1)[1]
    page.goto(f"{base}/accounts/{path}")
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    password = "a quiet clinic by the river"
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set")).to_be_visible()

    # She signs in with it and is asked to set up two-step sign-in, as a practitioner.
    _password_step(page, base, "lwong", password)
    expect(page).to_have_url(re.compile(r"/accounts/two-step/"))
    screenshot("invited-practitioner-first-sign-in")

    # The link worked once.
    page.goto(f"{base}/accounts/{path}")
    expect(page.get_by_test_id("link-invalid")).to_be_visible()
    assert console_errors == []
