"""The whole journey of a history given at home: the patient answers on her phone from
her consultation's confirmation and sends; the practitioner, at a desk, sees its
findings on the appointment before starting, starts the consultation and takes the
answers in; the consultation is screened on them, and what she said stays beside what
was recorded. The front desk sees only that the history came."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import Browser, Page, expect

from clinic.scheduling.models import Appointment
from clinic.staff.roles import Role
from tests.browser.accessibility import assert_accessible, context_args
from tests.browser.journeys import fill_in_history_at_home, sign_in
from tests.factories import make_staff
from tests.treatments.home_history.home_setup import consultation_confirmed, history_link_in
from treatments.models import Consultation, HistoryTakeIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The consent text the migrations ship, gone from the flushed database of a browser test.
SHIPPED = ["treatments.migrations.0006_consent_text"]


def _consultation_booked() -> tuple[Appointment, str]:
    """A consultation with Amara in five days; its confirmation sent. Returns the
    appointment and the path of the questionnaire link in the email."""
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    amara = make_staff(
        username="amara", first_name="Amara", last_name="Okafor", roles=[Role.PRACTITIONER]
    )
    make_staff(username="desk", roles=[Role.FRONT_DESK])
    appointment, email = consultation_confirmed(amara.practitioner_profile)
    return appointment, history_link_in(email)


def test_history_from_home_to_the_consultation(
    live_server, page: Page, browser: Browser, browser_context_args, screenshot, console_errors
):
    appointment, path = _consultation_booked()

    # At home, on a 360-pixel phone.
    phone = browser.new_context(**context_args(browser_context_args, phone=True))
    at_home = phone.new_page()
    at_home.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    at_home.on("pageerror", lambda exc: console_errors.append(str(exc)))
    fill_in_history_at_home(at_home, f"{live_server.url}{path}")
    phone.close()

    # The front desk sees that it came, and nothing of it.
    desk_context = browser.new_context(**browser_context_args)
    desk = desk_context.new_page()
    sign_in(desk, live_server.url, "desk")
    desk.goto(f"{live_server.url}/appointments/{appointment.pk}/")
    expect(desk.get_by_text("History received")).to_be_visible()
    expect(desk.get_by_test_id("home-history-panel")).to_have_count(0)
    assert "Warfarin" not in desk.content()
    desk_context.close()

    # At the clinic, before the consultation: its findings on the appointment.
    sign_in(page, live_server.url, "amara")
    page.goto(f"{live_server.url}/appointments/{appointment.pk}/")
    panel = page.get_by_test_id("home-history-panel")
    expect(panel.get_by_test_id("home-finding-blood_thinners")).to_be_visible()
    expect(panel.get_by_test_id("home-finding-cold_sore_history")).to_contain_text("Precaution")
    assert_accessible(page)
    screenshot("home-history-journey-appointment")

    panel.get_by_role("link", name="Start the consultation").click()
    page.get_by_label("Acne scars").check()
    page.get_by_label("Face").check()
    page.get_by_label("Fitzpatrick skin type").select_option("2")
    page.get_by_role("button", name="Save consultation").click()
    page.get_by_test_id("home-history-summary").get_by_role(
        "link", name="Review and take in"
    ).click()
    screening = page.get_by_test_id("consultation-screening")
    expect(screening.get_by_test_id("finding-blood_thinners")).to_have_count(0)

    page.get_by_role("button", name="Take in all answers as given").click()
    expect(page.get_by_test_id("left-to-take-in")).to_have_text("All taken in")
    expect(screening.get_by_test_id("finding-blood_thinners")).to_be_visible()
    expect(screening.get_by_test_id("finding-cold_sore_history")).to_be_visible()
    medicines = page.get_by_test_id("answer-medicines")
    expect(medicines.get_by_test_id("said")).to_contain_text("Warfarin")
    expect(medicines.get_by_test_id("recorded")).to_contain_text("Warfarin")
    assert_accessible(page)
    screenshot("home-history-journey-taken-in")

    consultation = Consultation.objects.get(patient=appointment.patient)
    taken = {t.field: (t.patient_said, t.recorded) for t in HistoryTakeIn.objects.all()}
    assert taken["cold_sore_history"] == (True, True)
    assert consultation.history.cold_sore_history is True
    assert [line.medicine_key for line in consultation.history.medicine_lines.all()] == ["warfarin"]
    assert console_errors == []
