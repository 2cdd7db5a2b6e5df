"""The questions the patient answers at home are the practitioner's history, one for one:
a field added to the history without its question at home (or the reverse) fails here."""

from treatments.consultations.home_questions import HOME_QUESTIONS, SECTIONS, Asked
from treatments.consultations.services import HISTORY_FIELDS
from treatments.models import MedicalHistory


def test_each_history_field_has_one_question_at_home_and_each_question_a_field():
    assert list(HOME_QUESTIONS) != []
    assert set(HOME_QUESTIONS) == set(HISTORY_FIELDS)
    assert len(HOME_QUESTIONS) == len(HISTORY_FIELDS)


def test_each_question_is_asked_the_way_its_field_holds_it():
    conditions = set(MedicalHistory.CONDITION_FIELDS.values())
    dates = set(MedicalHistory.DATE_FIELDS.values())
    for name, question in HOME_QUESTIONS.items():
        if name in conditions:
            assert question.asked is Asked.YES_NO, name
        elif name in dates:
            assert question.asked is Asked.WHEN, name
        else:
            assert question.asked is Asked.TEXT, name


def test_each_question_has_help_and_belongs_to_a_section():
    sections = {section.key for section in SECTIONS}
    for name, question in HOME_QUESTIONS.items():
        assert question.text, name
        assert question.help, name
        assert question.section in sections, name
