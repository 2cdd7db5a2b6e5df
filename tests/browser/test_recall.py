"""Journey: a device maker recalls a cartridge lot; the practitioner finds the patients
treated with it and writes to them all through the outbox."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.messaging.models import PatientMessage
from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_cleared_patient, make_clinic_location
from tests.treatments.sessions.sessions_setup import make_plan
from treatments.models import LotRecall, TreatmentSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHIPPED = [
    "treatments.migrations.0006_consent_text",
    "treatments.migrations.0012_catalog_and_plan_permissions",
]


def _treated_with(prac, setting, lot, first_name):
    """A patient whose first session recorded ``lot`` (written straight to the row)."""
    consultation = make_cleared_patient(prac)
    consultation.patient.first_name = first_name
    consultation.patient.save(update_fields=["first_name"])
    plan = make_plan({**setting, "consultation": consultation}, prac)
    TreatmentSession.objects.filter(plan=plan, number=1).update(
        needle_lot=lot, device="pen", device_model="Dermapen 4", started_at=timezone.now(),
        status=TreatmentSession.Status.COMPLETED, signed_at=timezone.now(), signed_by=prac,
    )  # fmt: skip
    return consultation.patient


def test_a_practitioner_finds_a_recalled_lot_and_writes_to_the_patients(
    live_server, page: Page, screenshot, console_errors
):
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    prac = UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])
    location, _rooms, profiles = make_clinic_location()
    setting = {"location": location, "profiles": profiles}
    treated = [_treated_with(prac, setting, "LOT-7731", name) for name in ("Ines", "Noor")]
    untouched = _treated_with(prac, setting, "LOT-1000", "Olga")

    sign_in(page, live_server.url, "prac")
    page.get_by_role("link", name="Lot recall").click()
    page.get_by_label("Cartridge or needle lot").fill("lot-7731")
    page.get_by_test_id("lot-search").click()

    expect(page.get_by_test_id("lot-summary")).to_have_text(
        "2 sessions used lot lot-7731, 2 patients"
    )
    table = page.get_by_test_id("lot-sessions")
    for patient in treated:
        expect(table).to_contain_text(patient.full_name)
    expect(table).not_to_contain_text(untouched.full_name)
    expect(table).to_contain_text("Amara")
    page.get_by_label("What to tell the patients").fill(
        "The maker has recalled the needle cartridges of lot LOT-7731. Please call us."
    )
    page.get_by_test_id("send-recall").click()

    expect(page.get_by_text("The recall message is on its way to 2 patients")).to_be_visible()
    screenshot("lot-recall")
    recall = LotRecall.objects.get()
    assert set(recall.patients.all()) == set(treated)
    sent_to = PatientMessage.objects.filter(kind=PatientMessage.Kind.RECALL)
    assert {m.patient for m in sent_to} == set(treated)
    assert console_errors == []
