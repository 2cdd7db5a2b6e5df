"""Steps that several browser journeys share."""

from collections.abc import Callable

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from clinic.staff.mfa import mfa_required
from tests.factories import TEST_PASSWORD, TOTPDeviceFactory
from tests.signing_in import code_now


def authenticator_for(username: str) -> TOTPDevice | None:
    """An authenticator app set up for this person if their sign-in needs a second step
    (a new one each time: a code is accepted once per device and 30-second step)."""
    user = User.objects.filter(username=username).first()
    if user is None or not (mfa_required(user) or TOTPDevice.objects.filter(user=user).exists()):
        return None
    return TOTPDeviceFactory(user=user)


def enter_code(page: Page, device: TOTPDevice) -> None:
    """The second step: type the code the authenticator app shows now."""
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real sign-in form, and the second step when the role needs it."""
    device = authenticator_for(username)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if device is not None and "/accounts/verify/" in page.url:
        with page.expect_navigation():
            enter_code(page, device)


def fill_in_history_at_home(
    page: Page, url: str, *, checkpoint: Callable[[Page, str], None] | None = None
) -> None:
    """The patient opens the questionnaire from her email, answers (a cold-sore history,
    warfarin taken now), finds her answers kept after a reload, reads the consent form,
    checks her answers and sends them. ``checkpoint(page, name)`` runs on each page
    ("questionnaire", "consent", "review", "received"), e.g. to check accessibility."""
    check = checkpoint or (lambda _page, _name: None)
    status = page.get_by_test_id("save-status")

    def saved_since(before: str | None) -> None:
        """Wait until a save after the one counted ``before`` is done and none is due."""
        expect(status).not_to_have_attribute("data-saves", before or "0")
        expect(status).to_have_attribute("data-pending", "false")
        expect(status).to_have_text("Saved.")

    page.goto(url)
    expect(page.get_by_role("heading", name="Hello Ines")).to_be_visible()
    check(page, "questionnaire")
    page.locator("#cold_sore_history-yes").check()
    saved_since(None)
    before = status.get_attribute("data-saves")
    page.locator("#sunburn-no").check()
    page.locator("#pregnant_or_breastfeeding-no").check()
    medicine = page.locator("#med-0-text")
    medicine.fill("warf")
    expect(page.locator("#medicine-suggestions option")).not_to_have_count(0)
    medicine.fill("Warfarin")
    page.locator("#med-0-dose").fill("3mg daily")
    page.locator("#med-0-dose").blur()
    saved_since(before)

    page.reload()
    expect(page.locator("#cold_sore_history-yes")).to_be_checked()
    expect(page.locator("#sunburn-no")).to_be_checked()
    expect(page.locator("#med-0-text")).to_have_value("Warfarin")
    expect(page.locator("#med-0-dose")).to_have_value("3mg daily")

    page.get_by_test_id("consent-link").click()
    expect(page.get_by_text("Reading it is not signing it")).to_be_visible()
    check(page, "consent")
    page.go_back()

    page.get_by_test_id("review-link").click()
    review = page.get_by_test_id("review-answers")
    expect(review).to_contain_text("Have you ever had cold sores?")
    expect(review).to_contain_text("Warfarin, 3mg daily: Taking now")
    check(page, "review")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("received")).to_have_text("Received, thank you Ines")
    expect(page.get_by_test_id("sent-answers")).to_contain_text("Warfarin")
    expect(page.locator("form[data-home-history]")).to_have_count(0)
    check(page, "received")
