"""Journey: a patient's history from home, sent before their consultation, reviewed by
the practitioner: its findings before starting, then each answer taken in (as given,
recorded differently, the medicines), the consultation's screening following."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.journeys import review_history_from_home, sign_in
from tests.factories import (
    UserFactory,
    make_consultation_appointment,
    make_home_history,
    make_patient,
    make_staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def test_the_practitioner_reviews_the_history_from_home_and_takes_it_in(
    live_server, page: Page, screenshot, console_errors
):
    practitioner = make_staff(
        username="prac", first_name="Amara", last_name="Okafor", roles=[Role.PRACTITIONER]
    )
    patient = make_patient(first_name="Zoë", last_name="Martin")
    appointment = make_consultation_appointment(
        patient=patient, practitioner=practitioner.practitioner_profile
    )
    make_home_history(
        patient=patient,
        appointment=appointment,
        submitted=True,
        answers={
            "cold_sore_history": True,
            "pregnant_or_breastfeeding": False,
            "chemical_peel_on": _day(10),
            "allergies": "Sticking plasters",
        },
        medicines=[{"text": "Eliquis 5mg", "medicine_key": "", "route": "mouth",
                    "current": True, "stopped_on": None, "dose": "twice daily"}],
    )  # fmt: skip
    sign_in(page, live_server.url, "prac")

    page.goto(f"{live_server.url}/appointments/{appointment.pk}/")
    screenshot("home-history-panel")
    assert_accessible(page)

    review_history_from_home(page, live_server.url, appointment_pk=appointment.pk, peel_on=_day(60))

    peel = page.get_by_test_id("answer-chemical_peel_on")
    expect(peel.get_by_test_id("said")).to_have_text(
        (timezone.localdate() - timedelta(days=10)).strftime("%-d %b %Y")
    )
    expect(peel.get_by_test_id("recorded")).to_contain_text(
        (timezone.localdate() - timedelta(days=60)).strftime("%-d %b %Y")
    )
    expect(page.get_by_test_id("answer-allergies").get_by_test_id("recorded")).to_have_text(
        "Sticking plasters"
    )
    screenshot("home-history-review")
    assert_accessible(page)

    page.get_by_role("link", name="Back to the consultation").click()
    summary = page.get_by_test_id("home-history-summary")
    expect(summary).to_contain_text("5 answers taken in.")
    expect(page.get_by_test_id("findings").get_by_test_id("finding-blood_thinners")).to_be_visible()
    assert console_errors == []


def test_the_front_desk_sees_no_history_from_home_on_the_appointment(live_server, page: Page):
    UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
    home = make_home_history(patient=make_patient(), submitted=True, answers={"sunburn": True})
    sign_in(page, live_server.url, "desk")

    page.goto(f"{live_server.url}/appointments/{home.appointment.pk}/")

    expect(page.get_by_test_id("status")).to_be_visible()
    expect(page.get_by_test_id("home-history-panel")).to_have_count(0)
    expect(page.get_by_text("Sunburn")).to_have_count(0)
