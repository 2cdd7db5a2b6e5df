"""The medical history keeps one column per thing the screening rules look at.

The columns are written out on the model; these tests fail when a screening condition or
dated event is added without its column, or a column without its rule input.
"""

from datetime import date

from django.db import models

from treatments.models import MedicalHistory
from treatments.screening.rules import Condition, DatedEvent

# The history's own free-text answers, which no rule reads as a column.
TEXT_FIELDS = {"medications", "allergies", "other_conditions"}


def _fields_of(kind: type[models.Field]) -> set[str]:
    return {
        field.name
        for field in MedicalHistory._meta.get_fields()
        if isinstance(field, kind) and field.concrete and not field.is_relation
    }


def test_each_condition_has_a_yes_no_field_and_each_yes_no_field_a_condition():
    assert _fields_of(models.BooleanField) == {condition.value for condition in Condition}


def test_each_dated_event_has_a_date_field_and_each_date_field_an_event():
    assert _fields_of(models.DateField) == {f"{event.value}_on" for event in DatedEvent}


def test_the_history_has_no_other_answers_than_those_and_its_free_text():
    answers = _fields_of(models.Field) - {"id"}
    screening = {c.value for c in Condition} | {f"{e.value}_on" for e in DatedEvent}

    assert answers == screening | TEXT_FIELDS


def test_the_field_maps_name_real_fields_one_for_one():
    assert set(MedicalHistory.CONDITION_FIELDS) == set(Condition)
    assert set(MedicalHistory.DATE_FIELDS) == set(DatedEvent)
    assert set(MedicalHistory.CONDITION_FIELDS.values()) == _fields_of(models.BooleanField)
    assert set(MedicalHistory.DATE_FIELDS.values()) == _fields_of(models.DateField)


def test_it_reads_the_conditions_and_dates_answered():
    history = MedicalHistory(sunburn=True, keloid_tendency=True, chemical_peel_on=date(2026, 1, 5))

    assert history.conditions() == [Condition.SUNBURN, Condition.KELOID_TENDENCY]
    assert history.event_dates() == {DatedEvent.CHEMICAL_PEEL: date(2026, 1, 5)}
