"""Steps that several browser journeys share."""

from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

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
