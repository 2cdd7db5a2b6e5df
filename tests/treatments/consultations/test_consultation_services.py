"""Consultations: history carried forward, screening stored, overrides, signing, locking."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import make_patient
from treatments.consultations.medicines import entries_from_text
from treatments.consultations.services import (
    ConsultationLocked,
    allowed_decisions,
    consultation_sign,
    consultation_start,
    consultation_update,
    finding_override,
)
from treatments.models import Consultation, MedicalHistory, ScreeningFinding
from treatments.screening.rules import Condition, DatedEvent, Level, add_months

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _fill(consultation, by, history=None, **fields):
    """Save answers; "medications" (one medicine a line) become the medicine rows."""
    answers = dict(history or {})
    text = answers.pop("medications", None)
    return consultation_update(
        consultation=consultation, by=by, fields=fields, history=answers,
        medicines=None if text is None else entries_from_text(text),
    )  # fmt: skip


def _texts(history):
    return [line.text for line in history.medicine_lines.all()]


@pytest.fixture
def consultation(practitioner):
    return consultation_start(patient=make_patient(), practitioner=practitioner)


def test_every_condition_and_dated_event_has_a_history_column():
    names = {field.name for field in MedicalHistory._meta.get_fields()}

    assert {c.value for c in Condition} <= names
    assert {f"{e.value}_on" for e in DatedEvent} <= names


def test_a_new_consultation_starts_clear_as_a_draft(consultation):
    assert consultation.status == Consultation.Status.DRAFT
    assert consultation.level is Level.CLEAR
    assert consultation.ruleset_version
    assert not consultation.findings.exists()


def test_saving_a_blood_thinner_records_a_needs_clearance_finding(consultation, practitioner):
    result = _fill(consultation, practitioner, {"medications": "Eliquis 5mg bd\nRamipril 5mg"})

    consultation.refresh_from_db()
    assert result.level is Level.NEEDS_CLEARANCE
    assert consultation.screening_level == "needs_clearance"
    finding = consultation.findings.get()
    assert finding.code == "blood_thinners"
    assert "Eliquis" in finding.detail


def test_windows_are_judged_against_the_intended_treatment_date(consultation, practitioner):
    today = TODAY()
    stopped = add_months(today, -5)

    _fill(consultation, practitioner, {"isotretinoin_stopped_on": stopped})
    assert consultation.findings.filter(code="isotretinoin_recent").exists()

    _fill(consultation, practitioner, intended_treatment_date=add_months(today, 2))
    assert not consultation.findings.exists()


@pytest.mark.parametrize(
    ("fields", "history", "field"),
    [
        ({"consulted_on": date(2999, 1, 1)}, {}, "consulted_on"),
        ({"intended_treatment_date": date(2000, 1, 1)}, {}, "intended_treatment_date"),
        ({}, {"chemical_peel_on": date(2999, 1, 1)}, "chemical_peel_on"),
        ({}, {"isotretinoin_stopped_on": date(2999, 1, 1)}, "isotretinoin_stopped_on"),
    ],
)
def test_impossible_dates_are_refused_on_their_field(
    consultation, practitioner, fields, history, field
):
    with pytest.raises(ValidationError) as refused:
        _fill(consultation, practitioner, history, **fields)

    assert field in refused.value.message_dict


def test_a_fitzpatrick_type_outside_one_to_six_is_refused(consultation, practitioner):
    with pytest.raises(ValidationError):
        _fill(consultation, practitioner, fitzpatrick_type=7)


def test_a_needs_clearance_finding_takes_an_override_with_a_reason(consultation, practitioner):
    _fill(consultation, practitioner, {"medications": "warfarin 3mg"})
    finding = consultation.findings.get()

    with pytest.raises(ValidationError, match="Write why"):
        finding_override(finding=finding, by=practitioner, reason="  ")
    finding_override(finding=finding, by=practitioner, reason="INR stable; prescriber agrees.")

    finding.refresh_from_db()
    assert finding.is_overridden
    assert finding.overridden_by == practitioner
    assert not finding.blocks_treatment


def test_a_bleeding_disorder_needs_the_physicians_clearance_note(consultation, practitioner):
    _fill(consultation, practitioner, {"bleeding_disorder": True})
    finding = consultation.findings.get()

    with pytest.raises(ValidationError) as refused:
        finding_override(finding=finding, by=practitioner, reason="Mild, well managed.")
    assert "physician_clearance_note" in refused.value.message_dict

    finding_override(
        finding=finding,
        by=practitioner,
        reason="Mild, well managed.",
        physician_clearance_note="Letter from Dr Shah, 2 Nov: fit for treatment.",
    )
    assert ScreeningFinding.objects.get(pk=finding.pk).is_overridden


def test_a_contraindication_cannot_be_overridden(consultation, practitioner):
    _fill(consultation, practitioner, {"active_acne": True})

    with pytest.raises(ValidationError, match="cannot be overridden"):
        finding_override(finding=consultation.findings.get(), by=practitioner, reason="Mild")


def test_a_precaution_takes_no_override(consultation, practitioner):
    _fill(consultation, practitioner, fitzpatrick_type=5)

    with pytest.raises(ValidationError, match="Only a needs-clearance"):
        finding_override(finding=consultation.findings.get(), by=practitioner, reason="ok")


def test_an_override_is_asked_again_when_the_finding_changes(consultation, practitioner):
    _fill(consultation, practitioner, {"medications": "warfarin 3mg"})
    finding_override(finding=consultation.findings.get(), by=practitioner, reason="Agreed.")

    _fill(consultation, practitioner, {"medications": "Xarelto 20mg"})

    assert not consultation.findings.get().is_overridden


@pytest.mark.parametrize(
    ("history", "fields", "override", "allowed"),
    [
        ({}, {}, False, ["not_suitable", "suitable_with_precautions", "suitable"]),
        ({}, {"fitzpatrick_type": 5}, False, ["not_suitable", "suitable_with_precautions"]),
        ({"medications": "aspirin 75mg"}, {}, False, ["not_suitable"]),
        ({"medications": "aspirin 75mg"}, {}, True, ["not_suitable", "suitable_with_precautions"]),
        ({"active_acne": True, "medications": "aspirin"}, {}, True, ["not_suitable"]),
    ],
)
def test_the_findings_decide_which_decisions_are_open(
    consultation, practitioner, history, fields, override, allowed
):
    _fill(consultation, practitioner, history, **fields)
    if override:
        finding = consultation.findings.get(code="blood_thinners")
        finding_override(finding=finding, by=practitioner, reason="Prescriber agrees.")

    assert allowed_decisions(consultation.findings.all()) == allowed


def test_signing_is_refused_for_a_decision_the_findings_do_not_allow(consultation, practitioner):
    _fill(consultation, practitioner, {"active_acne": True})

    with pytest.raises(ValidationError) as refused:
        consultation_sign(consultation=consultation, by=practitioner, decision="suitable")

    assert "not suitable" in refused.value.message_dict["decision"][0]


def test_a_signed_consultation_never_changes(consultation, practitioner):
    _fill(consultation, practitioner, {"medications": "warfarin"})
    consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")

    with pytest.raises(ConsultationLocked):
        _fill(consultation, practitioner, {"medications": ""})
    with pytest.raises(ConsultationLocked):
        finding_override(finding=consultation.findings.get(), by=practitioner, reason="x")
    with pytest.raises(ConsultationLocked):
        consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")
    consultation.refresh_from_db()
    assert consultation.is_signed
    assert _texts(consultation.history) == ["warfarin"]


def test_only_the_consultations_practitioner_may_change_or_sign_it(consultation, db):
    from clinic.staff.roles import Role
    from tests.factories import make_staff

    colleague = make_staff(roles=[Role.PRACTITIONER])

    with pytest.raises(ValidationError):
        _fill(consultation, colleague, {"sunburn": True})
    with pytest.raises(ValidationError):
        consultation_sign(consultation=consultation, by=colleague, decision="suitable")


def test_a_new_consultation_copies_the_last_history_and_leaves_it_untouched(
    consultation, practitioner
):
    _fill(consultation, practitioner, {"medications": "warfarin 3mg", "keloid_tendency": True})
    consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")

    later = consultation_start(patient=consultation.patient, practitioner=practitioner)
    _fill(later, practitioner, {"medications": "", "keloid_tendency": False})

    later.history.refresh_from_db()
    assert _texts(later.history) == []
    consultation.history.refresh_from_db()
    assert _texts(consultation.history) == ["warfarin 3mg"]
    assert consultation.history.keloid_tendency is True


def test_the_second_consultation_starts_from_what_was_known(consultation, practitioner):
    _fill(consultation, practitioner, {"medications": "warfarin 3mg"})

    later = consultation_start(patient=consultation.patient, practitioner=practitioner)

    assert _texts(later.history) == ["warfarin 3mg"]
    assert later.findings.get().code == "blood_thinners"


def test_changes_to_clinical_records_are_audited(consultation, practitioner):
    from auditlog.context import set_actor

    with set_actor(practitioner):
        _fill(consultation, practitioner, {"medications": "warfarin"})

    line = consultation.history.medicine_lines.get()
    line_added = LogEntry.objects.get_for_object(line).get(action=LogEntry.Action.CREATE)
    assert line_added.actor == practitioner
    assert line_added.changes_dict["text"] == ["None", "warfarin"]
    assert LogEntry.objects.get_for_object(consultation.findings.get()).exists()


def test_the_database_refuses_an_override_on_a_contraindication(consultation, practitioner):
    from django.db import IntegrityError, transaction

    _fill(consultation, practitioner, {"active_acne": True})
    finding = consultation.findings.get()
    finding.override_reason, finding.overridden_at = "forced", timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        finding.save()


def test_yesterday_is_a_fine_consultation_date(consultation, practitioner):
    yesterday = TODAY() - timedelta(days=1)

    _fill(consultation, practitioner, consulted_on=yesterday)

    consultation.refresh_from_db()
    assert consultation.consulted_on == yesterday


# --- From review ----------------------------------------------------------------------


def test_a_new_blood_thinner_after_an_override_asks_for_a_new_one(consultation, practitioner):
    _fill(consultation, practitioner, {"medications": "warfarin 3mg"})
    finding_override(finding=consultation.findings.get(), by=practitioner, reason="Agreed.")

    _fill(consultation, practitioner, {"medications": "warfarin 3mg\nclopidogrel 75mg"})

    finding = consultation.findings.get()
    assert "clopidogrel" in finding.detail
    assert not finding.is_overridden


def test_unticking_isotretinoin_needs_the_stop_date(consultation, practitioner):
    _fill(consultation, practitioner, {"taking_isotretinoin": True})

    with pytest.raises(ValidationError) as refused:
        _fill(consultation, practitioner, {"taking_isotretinoin": False})
    assert "isotretinoin_stopped_on" in refused.value.message_dict

    _fill(
        consultation,
        practitioner,
        {"taking_isotretinoin": False, "isotretinoin_stopped_on": TODAY() - timedelta(days=30)},
    )
    assert consultation.findings.get().code == "isotretinoin_recent"


def test_a_treatment_more_than_a_year_ahead_is_refused(consultation, practitioner):
    with pytest.raises(ValidationError) as refused:
        _fill(consultation, practitioner, intended_treatment_date=add_months(TODAY(), 13))

    assert "intended_treatment_date" in refused.value.message_dict


def test_signing_after_a_rule_change_shows_the_new_findings_first(
    consultation, practitioner, manager
):
    from treatments.consultations.services import screening_rule_configure

    _fill(consultation, practitioner, {"keloid_tendency": True})
    finding_override(finding=consultation.findings.get(), by=practitioner, reason="Accepted.")
    screening_rule_configure(
        code="keloid_tendency", by=manager, enabled=True, level=Level.CONTRAINDICATED,
        reason="Our surgeon prefers not to.",
    )  # fmt: skip

    with pytest.raises(ValidationError, match="screening changed"):
        consultation_sign(
            consultation=consultation, by=practitioner, decision="suitable_with_precautions"
        )

    consultation.refresh_from_db()
    assert not consultation.is_signed
    assert consultation.screening_level == "contraindicated"
    assert allowed_decisions(consultation.findings.all()) == ["not_suitable"]
    consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")


def test_a_long_medication_line_fits_on_postgresql_too(consultation, practitioner):
    line = "Eliquis 5mg " + "taken twice daily with food in the morning and at night " * 6

    _fill(consultation, practitioner, {"medications": line})

    assert line.strip() in consultation.findings.get().detail
