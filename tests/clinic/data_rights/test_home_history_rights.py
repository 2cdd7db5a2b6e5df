"""The medical history a patient gave at home is part of their record: in the export as
given (with what the practitioner took from it), and anonymised with the rest of the
clinical record once retention is over."""

import json
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.data_rights.services import patient_erase
from clinic.data_rights.tasks import anonymise_past_retention
from tests.factories import make_appointment
from treatments.models import HistoryTakeIn, HomeHistory

pytestmark = pytest.mark.django_db

WRITTEN = "Swells up with sticking plasters"


def _home_history(world) -> HomeHistory:
    appointment = make_appointment(
        starts_at=timezone.now() + timedelta(days=3), patient=world.patient,
        practitioner=world.profile,
    )  # fmt: skip
    history = HomeHistory.objects.create(
        patient=world.patient,
        appointment=appointment,
        answers={"allergies": WRITTEN, "sunburn": False, "chemical_peel_on": "2026-10-01"},
        medicines=[{"text": "Eliquis 5mg", "medicine_key": "eliquis", "route": "",
                    "current": True, "stopped_on": None, "dose": "5mg twice a day"}],
        submitted_at=timezone.now(),
        screening_level="needs_clearance",
        findings=[{"code": "blood_thinners", "title": "Blood thinners", "level": "needs_clearance",
                   "reason": "Bleeding.", "detail": "Eliquis 5mg", "blocks": True}],
    )  # fmt: skip
    HistoryTakeIn.objects.create(
        home_history=history, consultation=world.consultation, field="allergies",
        patient_said=WRITTEN, recorded=WRITTEN, by=world.practitioner, at=timezone.now(),
    )  # fmt: skip
    return history


def test_the_export_holds_the_home_history_as_given_and_what_was_taken_in(world, role_clients):
    history = _home_history(world)

    response = role_clients["practitioner"].get(
        reverse("data_rights:export_json", args=[world.patient.pk])
    )

    data = json.loads(response.content)
    [given] = data["home_histories"]
    assert given["answers"] == history.answers
    assert given["medicines"][0]["text"] == "Eliquis 5mg"
    assert given["sent_at"]
    assert given["taken_into_consultation"][0]["patient_said"] == WRITTEN
    printable = role_clients["practitioner"].get(
        reverse("data_rights:export_print", args=[world.patient.pk])
    )
    assert "Medical history given at home" in printable.content.decode()


def test_anonymisation_blanks_what_the_patient_wrote_and_keeps_the_answers_counted(
    world, frozen, manager
):
    history = _home_history(world)
    patient = world.patient
    patient_erase(patient=patient, reason="Asked in writing.", by=manager, now=timezone.now())
    patient.refresh_from_db()
    after = patient.clinical_retained_until + timedelta(days=1)
    frozen.move_to(datetime.combine(after, time(4), tzinfo=timezone.get_current_timezone()))

    anonymise_past_retention()

    history.refresh_from_db()
    assert history.answers == {"allergies": "", "sunburn": False, "chemical_peel_on": "2026-10-01"}
    assert history.medicines[0]["text"] == ""
    assert history.medicines[0]["dose"] == ""
    assert history.medicines[0]["medicine_key"] == "eliquis"
    assert set(history.findings[0]) == {"code", "title", "level", "blocks"}
    take_in = HistoryTakeIn.objects.get()
    assert (take_in.patient_said, take_in.recorded) == (None, None)
