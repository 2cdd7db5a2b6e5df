"""Steps that several browser journeys share."""

from playwright.sync_api import Page

from tests.factories import TEST_PASSWORD


def sign_in(page: Page, base: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real sign-in form."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
