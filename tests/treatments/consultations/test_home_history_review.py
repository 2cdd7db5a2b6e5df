"""The history from home: which one a consultation reviews, and taking its answers in."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.staff.roles import Role
from tests.factories import (
    HistoryTakeInFactory,
    UserFactory,
    make_home_history,
    make_patient,
)
from treatments.consultations.home_history_review import (
    history_answer_take_in,
    history_take_in_all,
)
from treatments.consultations.medicines import MedicineEntry, medicines_replace
from treatments.consultations.selectors import (
    answer_lines,
    home_history_for_appointment,
    home_history_for_patient,
    home_history_review,
)
from treatments.consultations.services import (
    HISTORY_FIELDS,
    consultation_sign,
    consultation_start,
)
from treatments.models import MEDICINES, HistoryTakeIn, HomeHistory
from treatments.models.home_history import ANSWER_FIELDS

pytestmark = pytest.mark.django_db


def _days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.fixture
def patient(db):
    return make_patient(first_name="Zoë", last_name="Martin")


@pytest.fixture
def home(patient):
    """Sent: cold sores in the past, a chemical peel ten days ago, no pregnancy, an
    allergy, a blood thinner and a line the vocabulary does not know."""
    return make_home_history(
        patient=patient,
        submitted=True,
        answers={
            "cold_sore_history": True,
            "pregnant_or_breastfeeding": False,
            "chemical_peel_on": _days_ago(10),
            "allergies": "Sticking plasters",
        },
        medicines=[
            {"text": "Eliquis 5mg", "medicine_key": "", "route": "mouth", "current": True,
             "stopped_on": None, "dose": "twice daily"},
            {"text": "Zyxolin", "medicine_key": "", "route": "", "current": True,
             "stopped_on": None, "dose": ""},
        ],
    )  # fmt: skip


@pytest.fixture
def draft(patient, practitioner):
    return consultation_start(patient=patient, practitioner=practitioner)


def _take(draft, home, field, by, **kwargs):
    return history_answer_take_in(
        consultation=draft, home_history=home, field=field, by=by, **kwargs
    )


# --- The factory ---------------------------------------------------------------------------


def test_the_factory_screens_a_sent_history_as_the_check_in_stores_findings(home):
    codes = {finding["code"]: finding for finding in home.findings}

    assert set(codes) == {"cold_sore_history", "chemical_peel_recent", "blood_thinners"}
    assert home.screening_level == "needs_clearance"
    assert codes["chemical_peel_recent"]["level_label"] == "Needs clearance"
    assert codes["chemical_peel_recent"]["blocks"] is True
    assert home.ruleset_version
    assert home.vocabulary_version


def test_the_answers_a_patient_may_give_are_the_consultations_history_fields():
    assert ANSWER_FIELDS == HISTORY_FIELDS


# --- Which history from home ----------------------------------------------------------------


def test_a_patient_with_none_has_no_history_from_home(patient):
    assert home_history_for_patient(patient) is None


def test_the_latest_sent_history_is_the_one_to_prepare_with(patient, home):
    older = make_home_history(patient=patient, submitted=True, answers={"sunburn": False})
    HomeHistory.objects.filter(pk=older.pk).update(
        submitted_at=home.submitted_at - timedelta(days=30)
    )

    assert home_history_for_patient(patient) == home


def test_a_history_started_and_not_sent_is_shown_when_none_is_waiting(patient):
    started = make_home_history(patient=patient, answers={"sunburn": True})

    found = home_history_for_patient(patient)
    assert found == started
    assert found is not None
    assert not found.is_submitted


def test_a_history_fully_taken_into_a_signed_consultation_is_done(patient, practitioner):
    home = make_home_history(patient=patient, submitted=True, answers={"sunburn": False})
    draft = consultation_start(patient=patient, practitioner=practitioner)
    history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    assert home_history_for_patient(patient) == home  # the draft is not signed yet
    consultation_sign(consultation=draft, by=practitioner, decision="suitable")
    assert home_history_for_patient(patient) is None


def test_a_history_partly_taken_into_a_signed_consultation_is_still_waiting(
    patient, home, practitioner
):
    draft = consultation_start(patient=patient, practitioner=practitioner)
    _take(draft, home, "pregnant_or_breastfeeding", practitioner)
    consultation_sign(consultation=draft, by=practitioner, decision="suitable")

    assert home_history_for_patient(patient) == home


def test_on_the_appointment_page_it_is_the_appointments_own(patient, home):
    other = make_home_history(patient=patient, submitted=True, answers={"sunburn": False})

    assert home_history_for_appointment(home.appointment) == home
    assert home_history_for_appointment(other.appointment) == other


def test_a_draft_reviews_the_history_it_took_answers_from(patient, home, draft, practitioner):
    _take(draft, home, "pregnant_or_breastfeeding", practitioner)
    newer = make_home_history(patient=patient, submitted=True, answers={"sunburn": True})

    assert home_history_for_patient(patient) == newer
    assert home_history_review(draft).home_history == home


def test_the_review_lists_every_answer_beside_what_the_consultation_records(home, draft):
    review = home_history_review(draft)
    rows = {row.field: row for row in review.rows}

    assert list(rows) == [
        "cold_sore_history", "pregnant_or_breastfeeding", "chemical_peel_on", "allergies",
        MEDICINES,
    ]  # fmt: skip
    assert rows["cold_sore_history"].question == "Has had cold sores"
    assert rows["cold_sore_history"].said == ["Yes"]
    assert rows["cold_sore_history"].now == ["No"]
    assert rows["cold_sore_history"].differs
    assert not rows["pregnant_or_breastfeeding"].differs
    assert rows[MEDICINES].said == ["Eliquis 5mg, twice daily: taking now", "Zyxolin: taking now"]
    assert rows[MEDICINES].now == ["None"]
    assert review.left_to_take_in == 5


def test_a_signed_consultation_that_took_nothing_in_reviews_nothing(home, draft, practitioner):
    signed = consultation_sign(consultation=draft, by=practitioner, decision="suitable")

    assert home_history_review(signed).home_history is None


@pytest.mark.parametrize(
    ("name", "stored", "words"),
    [
        ("sunburn", True, ["Yes"]),
        ("sunburn", False, ["No"]),
        ("chemical_peel_on", "2026-03-05", ["5 Mar 2026"]),
        ("chemical_peel_on", None, ["No date"]),
        ("allergies", "", ["Nothing"]),
        (MEDICINES, [], ["None"]),
        (
            MEDICINES,
            [{"text": "Roaccutane", "current": False, "stopped_on": "2026-01-02", "dose": ""},
             {"text": "Eliquis", "current": True, "stopped_on": None, "dose": "5mg"}],
            ["Roaccutane: stopped 2 Jan 2026", "Eliquis, 5mg: taking now"],
        ),
    ],
)  # fmt: skip
def test_answers_read_in_words(name, stored, words):
    assert answer_lines(name, stored) == words


# --- Taking answers in ------------------------------------------------------------------------


def test_taking_an_answer_in_as_given_writes_the_history_and_keeps_both(home, draft, practitioner):
    take_in = _take(draft, home, "cold_sore_history", practitioner)

    draft.history.refresh_from_db()
    assert draft.history.cold_sore_history is True
    assert (take_in.patient_said, take_in.recorded) == (True, True)
    assert take_in.by == practitioner
    assert not take_in.was_changed


def test_recording_an_answer_differently_keeps_what_the_patient_said(home, draft, practitioner):
    corrected = timezone.localdate() - timedelta(days=60)

    take_in = _take(draft, home, "chemical_peel_on", practitioner, recorded=corrected)

    draft.history.refresh_from_db()
    assert draft.history.chemical_peel_on == corrected
    assert take_in.patient_said == _days_ago(10)
    assert take_in.recorded == corrected.isoformat()
    assert take_in.was_changed
    home.refresh_from_db()
    assert home.answers["chemical_peel_on"] == _days_ago(10)


def test_the_medicine_list_becomes_the_consultations_medicine_rows(home, draft, practitioner):
    take_in = _take(draft, home, MEDICINES, practitioner)

    lines = list(draft.history.medicine_lines.order_by("position"))
    assert [(line.text, line.medicine_key) for line in lines] == [
        ("Eliquis 5mg", "eliquis"),
        ("Zyxolin", ""),
    ]
    assert not lines[1].is_resolved  # left for the practitioner, as any unknown line
    assert take_in.patient_said == home.medicines
    assert [line["text"] for line in take_in.recorded] == ["Eliquis 5mg", "Zyxolin"]
    assert take_in.recorded[0]["medicine_key"] == "eliquis"


def test_the_review_marks_only_answers_recorded_differently(home, draft, practitioner):
    _take(draft, home, MEDICINES, practitioner)  # matched to Eliquis on the way in
    _take(draft, home, "allergies", practitioner, recorded="Sticking plasters, latex")

    rows = {row.field: row for row in home_history_review(draft).rows}

    allergies, medicines = rows["allergies"].take_in, rows[MEDICINES].take_in
    assert rows["allergies"].question == "Allergies"
    assert allergies is not None
    assert allergies.was_changed
    assert allergies.recorded == ["Sticking plasters, latex"]
    assert medicines is not None
    assert not medicines.was_changed


def test_taking_in_screens_the_consultation_again(home, draft, practitioner):
    assert draft.screening_level == "clear"

    _take(draft, home, "cold_sore_history", practitioner)
    draft.refresh_from_db()
    assert draft.screening_level == "precaution"

    _take(draft, home, MEDICINES, practitioner)
    draft.refresh_from_db()
    assert draft.screening_level == "needs_clearance"
    assert set(draft.findings.values_list("code", flat=True)) == {
        "cold_sore_history",
        "blood_thinners",
    }


def test_a_corrected_date_outside_the_window_fires_no_finding(home, draft, practitioner):
    _take(draft, home, "chemical_peel_on", practitioner)
    draft.refresh_from_db()
    assert draft.findings.filter(code="chemical_peel_recent").exists()

    other = consultation_start(patient=draft.patient, practitioner=make_other_practitioner())
    corrected = timezone.localdate() - timedelta(days=60)
    _take(other, home, "chemical_peel_on", other.practitioner, recorded=corrected)
    other.refresh_from_db()
    assert not other.findings.filter(code="chemical_peel_recent").exists()


def make_other_practitioner():
    return UserFactory(first_name="Lena", roles=[Role.PRACTITIONER])


def test_taking_all_answers_in_as_given(home, draft, practitioner):
    _take(draft, home, "allergies", practitioner)

    result = history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    assert sorted(t.field for t in result.taken) == sorted(
        ["cold_sore_history", "pregnant_or_breastfeeding", "chemical_peel_on", MEDICINES]
    )
    assert result.refused == {}
    assert HistoryTakeIn.objects.filter(consultation=draft).count() == 5
    draft.refresh_from_db()
    assert draft.screening_level == "needs_clearance"
    assert home_history_review(draft).left_to_take_in == 0


def test_taking_all_leaves_out_an_answer_the_consultation_refuses(patient, practitioner):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    home = make_home_history(
        patient=patient, submitted=True, answers={"sunburn": True, "laser_or_ipl_on": tomorrow}
    )
    draft = consultation_start(patient=patient, practitioner=practitioner)

    result = history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    assert [t.field for t in result.taken] == ["sunburn"]
    assert "after the consultation" in result.refused["laser_or_ipl_on"]
    draft.history.refresh_from_db()
    assert draft.history.laser_or_ipl_on is None


def test_taking_the_same_answer_twice_is_refused_and_keeps_one_row(home, draft, practitioner):
    _take(draft, home, "cold_sore_history", practitioner)

    with pytest.raises(ValidationError, match="already taken in"):
        _take(draft, home, "cold_sore_history", practitioner, recorded=False)

    assert HistoryTakeIn.objects.filter(consultation=draft, field="cold_sore_history").count() == 1
    draft.history.refresh_from_db()
    assert draft.history.cold_sore_history is True


def test_taking_all_twice_takes_nothing_more(home, draft, practitioner):
    history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    again = history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    assert again.taken == []
    assert again.refused == {}
    assert HistoryTakeIn.objects.filter(consultation=draft).count() == 5


def test_a_signed_consultation_takes_nothing_in(home, draft, practitioner):
    consultation_sign(consultation=draft, by=practitioner, decision="suitable")

    with pytest.raises(ValidationError, match="signed"):
        _take(draft, home, "cold_sore_history", practitioner)
    with pytest.raises(ValidationError, match="signed"):
        history_take_in_all(consultation=draft, home_history=home, by=practitioner)
    assert not HistoryTakeIn.objects.exists()


def test_another_practitioner_may_not_take_answers_into_the_draft(home, draft):
    colleague = make_other_practitioner()

    with pytest.raises(ValidationError, match="Only the practitioner"):
        _take(draft, home, "cold_sore_history", colleague)
    assert not HistoryTakeIn.objects.exists()


def test_a_question_the_patient_did_not_answer_is_refused(home, draft, practitioner):
    with pytest.raises(ValidationError, match="did not answer"):
        _take(draft, home, "sunburn", practitioner)


def test_another_patients_history_or_one_not_sent_is_refused(home, practitioner):
    stranger = consultation_start(patient=make_patient(), practitioner=practitioner)
    with pytest.raises(ValidationError, match="another patient"):
        _take(stranger, home, "cold_sore_history", practitioner)

    unsent = make_home_history(patient=home.patient, answers={"sunburn": True})
    draft = consultation_start(patient=home.patient, practitioner=practitioner)
    with pytest.raises(ValidationError, match="not sent"):
        _take(draft, unsent, "sunburn", practitioner)


def test_the_medicine_list_is_only_taken_in_as_given(home, draft, practitioner):
    with pytest.raises(ValidationError, match="medicine list"):
        _take(draft, home, MEDICINES, practitioner, recorded="Nothing")


def test_no_to_isotretinoin_needs_the_stop_date_when_the_history_said_taking(patient, practitioner):
    earlier = consultation_start(patient=patient, practitioner=practitioner)
    earlier.history.taking_isotretinoin = True
    earlier.history.save()
    home = make_home_history(
        patient=patient, submitted=True,
        answers={"taking_isotretinoin": False, "isotretinoin_stopped_on": _days_ago(200)},
    )  # fmt: skip
    draft = consultation_start(patient=patient, practitioner=practitioner)
    assert draft.history.taking_isotretinoin

    with pytest.raises(ValidationError, match="date they stopped"):
        _take(draft, home, "taking_isotretinoin", practitioner)
    # Taking all puts the stop date in, and leaves the "no" the draft records as "yes".
    result = history_take_in_all(consultation=draft, home_history=home, by=practitioner)
    assert result.refused == {}
    assert result.differing == ["taking_isotretinoin"]
    draft.history.refresh_from_db()
    assert draft.history.taking_isotretinoin
    # The practitioner takes the "no" in on its own, the stop date now recorded.
    _take(draft, home, "taking_isotretinoin", practitioner)
    draft.history.refresh_from_db()
    assert not draft.history.taking_isotretinoin


def test_take_ins_and_their_history_writes_are_audited(home, draft, practitioner):
    _take(draft, home, "cold_sore_history", practitioner)

    models = set(LogEntry.objects.values_list("content_type__model", flat=True))
    assert {"historytakein", "medicalhistory"} <= models


def test_the_take_in_factory_makes_a_row_as_the_service_would(db):
    take_in = HistoryTakeInFactory()

    assert take_in.patient_said is False
    assert not take_in.was_changed
    assert take_in.by == take_in.consultation.practitioner
    assert take_in.consultation.patient == take_in.home_history.patient


# --- Taking in adds, never removes -----------------------------------------------------------


def _draft_after(patient, practitioner, medicines, **answers):
    """A draft started from an earlier consultation that recorded these."""
    earlier = consultation_start(patient=patient, practitioner=practitioner)
    for name, value in answers.items():
        setattr(earlier.history, name, value)
    earlier.history.save()
    medicines_replace(
        history=earlier.history,
        entries=[MedicineEntry(text=text) for text in medicines],
        by=practitioner,
        consulted_on=earlier.consulted_on,
    )
    return consultation_start(patient=patient, practitioner=practitioner)


def test_a_medicine_the_patient_forgot_at_home_stays_on_the_draft(patient, practitioner):
    draft = _draft_after(patient, practitioner, ["Warfarin"])
    draft.refresh_from_db()
    assert draft.findings.filter(code="blood_thinners").exists()
    home = make_home_history(
        patient=patient, submitted=True, answers={"sunburn": False},
        medicines=[{"text": "Zyxolin", "medicine_key": "", "route": "", "current": True,
                    "stopped_on": None, "dose": ""}],
    )  # fmt: skip

    history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    lines = list(draft.history.medicine_lines.order_by("position"))
    assert [(line.text, line.medicine_key) for line in lines] == [
        ("Warfarin", "warfarin"),
        ("Zyxolin", ""),
    ]
    take_in = HistoryTakeIn.objects.get(consultation=draft, field=MEDICINES)
    assert [line["text"] for line in take_in.recorded or []] == ["Warfarin", "Zyxolin"]
    assert take_in.was_changed  # the consultation records more than the patient gave
    draft.refresh_from_db()
    assert draft.findings.filter(code="blood_thinners").exists()


def test_a_line_already_on_the_draft_is_not_added_twice(patient, practitioner):
    draft = _draft_after(patient, practitioner, ["Eliquis", "Fish oil"])
    home = make_home_history(
        patient=patient, submitted=True, answers={},
        medicines=[
            {"text": "eliquis", "medicine_key": "", "route": "", "current": True,
             "stopped_on": None, "dose": ""},  # the same medicine, matched
            {"text": "  FISH   oil ", "medicine_key": "", "route": "", "current": True,
             "stopped_on": None, "dose": ""},  # the same text, case and spacing aside
            {"text": "Vitamin D", "medicine_key": "", "route": "", "current": True,
             "stopped_on": None, "dose": ""},
        ],
    )  # fmt: skip

    take_in = _take(draft, home, MEDICINES, practitioner)

    texts = list(draft.history.medicine_lines.order_by("position").values_list("text", flat=True))
    assert texts == ["Eliquis", "Fish oil", "Vitamin D"]
    assert [line["text"] for line in take_in.recorded] == texts


def test_taking_all_leaves_answers_the_draft_records_differently(patient, practitioner):
    draft = _draft_after(
        patient, practitioner, [], bleeding_disorder=True, allergies="Latex", sunburn=True
    )
    home = make_home_history(
        patient=patient, submitted=True,
        answers={"bleeding_disorder": False, "allergies": "Plasters", "sunburn": True,
                 "cold_sore_history": True, "keloid_tendency": False},
    )  # fmt: skip

    result = history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    assert sorted(result.differing) == ["allergies", "bleeding_disorder"]
    assert sorted(t.field for t in result.taken) == [
        "cold_sore_history", "keloid_tendency", "sunburn",
    ]  # fmt: skip
    draft.history.refresh_from_db()
    assert draft.history.bleeding_disorder is True
    assert draft.history.allergies == "Latex"
    assert draft.history.cold_sore_history is True
    assert home_history_review(draft).left_to_take_in == 2
    # Each stays the practitioner's explicit choice.
    _take(draft, home, "bleeding_disorder", practitioner)
    draft.history.refresh_from_db()
    assert draft.history.bleeding_disorder is False


def test_a_date_the_patient_is_not_sure_of_is_never_taken_in_as_no_date(patient, practitioner):
    """On the questionnaire "had it, not sure when" is kept as a date of null; taken in
    as given it would record that the patient never had it, and its rule would not fire."""
    home = make_home_history(
        patient=patient, submitted=True,
        answers={"isotretinoin_stopped_on": None, "sunburn": False},
    )  # fmt: skip
    draft = consultation_start(patient=patient, practitioner=practitioner)

    with pytest.raises(ValidationError, match="not sure when"):
        _take(draft, home, "isotretinoin_stopped_on", practitioner)
    result = history_take_in_all(consultation=draft, home_history=home, by=practitioner)

    assert [t.field for t in result.taken] == ["sunburn"]
    assert "not sure when" in result.refused["isotretinoin_stopped_on"]
    row = next(r for r in home_history_review(draft).rows if r.field == "isotretinoin_stopped_on")
    assert row.said == ["Had it, not sure when"]
    # Recorded with the date the practitioner asked for, it goes in.
    asked = timezone.localdate() - timedelta(days=100)
    take_in = _take(draft, home, "isotretinoin_stopped_on", practitioner, recorded=asked)
    assert (take_in.patient_said, take_in.recorded) == (None, asked.isoformat())
