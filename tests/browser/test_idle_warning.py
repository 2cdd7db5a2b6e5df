"""Journey: a receptionist steps away; two minutes before sign-out a warning offers to stay."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_idle_warning_appears_and_stay_signed_in_dismisses_it(
    live_server, page: Page, settings, screenshot
):
    # Idle limit just over the two-minute warning, so the warning shows after 3 seconds.
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=123)
    UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
    sign_in(page, live_server.url, "desk")

    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text("signed out in two minutes")
    screenshot("idle-warning")

    with page.expect_response(lambda r: r.url.endswith("/accounts/keepalive/")) as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()
    expect(page.get_by_test_id("home-front-desk")).to_be_visible()
