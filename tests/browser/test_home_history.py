"""On a 360 x 740 phone, from the link in her consultation's confirmation: the patient
answers about her health (warfarin among her medicines), finds her answers kept after a
reload, reads the consent form, checks and sends; the clinic then has them with a
finding, and the link shows what was sent. axe-core finds no serious or critical
violation on any of these pages."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import Page

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
