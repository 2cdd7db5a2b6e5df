"""On a 360 x 740 phone, from the link in her consultation's confirmation: the patient
answers about her health (warfarin among her medicines), finds her answers kept after a
reload, reads the consent form, checks and sends; the clinic then has them with a
finding, and the link shows what was sent. axe-core finds no serious or critical
violation on any of these pages."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_accessible, context_args
from tests.browser.journeys import fill_in_history_at_home
from tests.treatments.home_history.home_setup import consultation_confirmed, history_link_in
from treatments.models import HomeHistory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The consent text the migrations ship, gone from the flushed database of a browser test.
SHIPPED = ["treatments.migrations.0006_consent_text"]


@pytest.fixture
def browser_context_args(browser_context_args):
    return context_args(browser_context_args, phone=True)


def test_a_patient_tells_the_clinic_about_her_health_from_the_confirmation(
    live_server, page: Page, screenshot, console_errors
):
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    appointment, email = consultation_confirmed()
    assert "Tell us about your health before your visit: about 5 minutes." in email
    shots: list[str] = []

    def checkpoint(page: Page, name: str) -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"the {name} page is {width} pixels wide on a 360-pixel phone"
        assert_accessible(page)
        if name in ("questionnaire", "received"):
            screenshot(f"home-history-{name}")
        shots.append(name)

    fill_in_history_at_home(
        page, f"{live_server.url}{history_link_in(email)}", checkpoint=checkpoint
    )

    assert shots == ["questionnaire", "consent", "review", "received"]
    history = HomeHistory.objects.get(appointment=appointment)
    assert history.is_submitted
    assert history.answers["cold_sore_history"] is True
    assert history.medicines[0]["medicine_key"] == "warfarin"
    assert {f["code"] for f in history.findings} >= {"blood_thinners", "cold_sore_history"}
    appointment.refresh_from_db()
    assert appointment.history_received_at is not None
    assert console_errors == []


def test_a_wrong_date_is_marked_where_it_is_and_holds_the_answers_back_until_mended(
    live_server, page: Page, screenshot, console_errors
):
    """A stopped medicine dated in the future: the date is marked, not the name; "Check
    and send" keeps her on the questionnaire, saying what to mend, until she has."""
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    appointment, email = consultation_confirmed()
    page.goto(f"{live_server.url}{history_link_in(email)}")
    status = page.get_by_test_id("save-status")

    page.locator("#med-0-text").fill("Warfarin")
    page.locator("#med-0-stopped-yes").check()
    page.locator("#med-0-stopped").fill("2099-01-01")
    page.locator("#med-0-stopped").blur()
    expect(status).to_have_text("Saved, except the answers marked: please check them.")
    expect(page.locator("#err-med-0")).to_have_text("This date is in the future. Check it.")
    expect(page.locator("#med-0-stopped")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#med-0-stopped")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#med-0-text")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    assert_accessible(page)

    page.get_by_test_id("review-link").click()
    error = page.get_by_test_id("patient-error")
    expect(error).to_contain_text("This date is in the future. Check it.")
    expect(page.get_by_role("heading", name="Check your answers")).to_have_count(0)
    assert_accessible(page)
    screenshot("home-history-a-date-to-mend")
    error.get_by_role("link", name="Medicine 1").click()
    expect(page.locator("#med-0-stopped")).to_be_focused()

    page.locator("#med-0-stopped").fill("2026-01-01")
    page.get_by_test_id("review-link").click()
    expect(page.get_by_test_id("review-answers")).to_contain_text("Warfarin")
    assert HomeHistory.objects.get(appointment=appointment).medicines[0]["stopped_on"] == (
        "2026-01-01"
    )
    # The saves the page made with the date wrong answered 400, as they should.
    assert [e for e in console_errors if "status of 400" not in e] == []
