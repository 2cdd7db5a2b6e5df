"""Journey: the manager restricts a patient's data from their record, reads the printable
copy of the whole record, then records an erasure after typing the patient's name."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_cleared_patient, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHIPPED = ["treatments.migrations.0006_consent_text"]


def test_the_manager_restricts_prints_and_erases(
    live_server, page: Page, screenshot, console_errors
):
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    prac = make_staff(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])
    UserFactory(username="boss", first_name="Helen", roles=[Role.CLINIC_MANAGER])
    patient = make_cleared_patient(prac).patient

    sign_in(page, live_server.url, "boss")
    page.get_by_role("link", name="Data requests").click()
    page.get_by_label("Find a patient").fill(patient.last_name)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=f"{patient.last_name}, {patient.first_name}").click()
    page.get_by_label("Reason").fill("Letter of 20 November: disputes her address.")
    page.get_by_role("button", name="Restrict: send nothing to the patient").click()
    expect(page.get_by_test_id("restricted")).to_contain_text("nothing is sent to this patient")

    page.get_by_role("link", name="Readable copy to print").click()
    copy = page.get_by_test_id("record-export")
    expect(copy).to_contain_text(f"The record of {patient.full_name}")
    expect(page.get_by_test_id("section-consultations")).to_contain_text("signed")
    expect(page.get_by_test_id("section-record_accesses")).to_contain_text("restriction")
    screenshot("data-rights-record-copy")

    page.go_back()
    page.get_by_role("link", name="Erase the patient's data…").click()
    page.get_by_label("Reason").fill("Asked by email.")
    page.get_by_label("Type the patient's full name to confirm").fill("Someone Else")
    page.get_by_role("button", name="Erase what may go now").click()
    expect(page.get_by_text("to confirm this is the patient")).to_be_visible()
    page.get_by_label("Type the patient's full name to confirm").fill(patient.full_name)
    page.get_by_role("button", name="Erase what may go now").click()
    expect(page.get_by_test_id("erased")).to_contain_text("the clinical record is kept until")
    assert console_errors == []
