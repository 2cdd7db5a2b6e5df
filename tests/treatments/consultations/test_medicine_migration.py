"""The free-text medicines written before the rows existed become rows: matched when
recognised exactly or named spelt right, never by a near spelling; the rest wait for a
practitioner's check."""

from importlib import import_module

import pytest
from django.apps import apps

from tests.factories import make_patient
from treatments.consultations.services import consultation_sign, consultation_start
from treatments.models import MedicalHistory, MedicineLine
from treatments.screening.medicines import VOCABULARY_VERSION

pytestmark = pytest.mark.django_db
MIGRATION = import_module("treatments.migrations.0019_medications_text_to_rows")


def test_each_written_line_becomes_a_row_matched_only_exactly(practitioner):
    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
    MedicalHistory.objects.filter(pk=consultation.history.pk).update(
        medications="Eliquis 5mg bd\n\n  Elliquis 5mg \nZyxolin 10mg"
    )

    MIGRATION.text_to_rows(apps, None)

    eliquis, misspelt, unknown = MedicineLine.objects.order_by("position")
    assert (eliquis.text, eliquis.medicine_key, eliquis.medicine_label) == (
        "Eliquis 5mg bd", "eliquis", "Eliquis (apixaban)",
    )  # fmt: skip
    assert eliquis.classes
    assert eliquis.vocabulary_version == VOCABULARY_VERSION
    assert (misspelt.text, misspelt.medicine_key) == ("Elliquis 5mg", "")
    assert (unknown.medicine_key, unknown.confirmed_at) == ("", None)
    consultation.history.refresh_from_db()
    assert consultation.history.medications.startswith("Eliquis 5mg bd")


def test_a_migrated_draft_waits_for_its_unrecognised_lines(practitioner):
    from django.core.exceptions import ValidationError

    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
    MedicalHistory.objects.filter(pk=consultation.history.pk).update(medications="Zyxolin")
    MIGRATION.text_to_rows(apps, None)

    with pytest.raises(ValidationError, match="“Zyxolin”"):
        consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")


def test_running_it_twice_writes_the_rows_once(practitioner):
    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
    MedicalHistory.objects.filter(pk=consultation.history.pk).update(medications="warfarin")

    MIGRATION.text_to_rows(apps, None)
    MIGRATION.text_to_rows(apps, None)

    assert MedicineLine.objects.count() == 1


def test_a_line_naming_medicines_spelt_right_screens_as_before(practitioner):
    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
    MedicalHistory.objects.filter(pk=consultation.history.pk).update(
        medications="warfarin and aspirin daily"
    )

    MIGRATION.text_to_rows(apps, None)

    rows = MedicineLine.objects.order_by("position")
    assert [(row.text, row.medicine_key) for row in rows] == [
        ("warfarin and aspirin daily", "warfarin"),
        ("warfarin and aspirin daily", "aspirin"),
    ]
