"""Writes for the medical history a patient gives at home before a consultation.

1. ``home_history_save`` keeps the answers as the patient gives them, answer by answer;
   what did not pass its check keeps the answer saved before.
2. ``home_history_send`` fixes them once: it screens the answers as they are for the
   appointment's day, keeps the result beside them and tells the appointment that the
   history is in (all the front desk sees of it). Sending again changes nothing.
3. ``home_history_consent_shown`` records which consent text the patient read at home.

Every write locks the appointment first, so that two tabs or a double click are taken one
after the other, and runs inside ``acting_patient``: the audit names the patient.
"""

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.messaging.self_service import acting_patient, audit_patient_action
from clinic.scheduling.models import Appointment
from treatments.consultations.home_questions import HOME_QUESTIONS
from treatments.consultations.selectors import rule_adjustments
from treatments.consultations.services import screening_answers
from treatments.models import ConsentText, HomeHistory, MedicalHistory
from treatments.screening import medicines as vocabulary
from treatments.screening.engine import screen
from treatments.screening.rules import Finding, Level, ScreeningResult

ALREADY_SENT = "Your answers have been sent to the clinic and can no longer be changed."
NOT_OPEN = "This appointment is no longer coming up, so the questionnaire is closed."


def _locked(appointment: Appointment, now: datetime) -> tuple[Appointment, HomeHistory]:
    """The appointment and its home history (made when first needed), both locked."""
    current = (
        Appointment.objects.select_for_update()
        .select_related("patient", "location", "appointment_type")
        .get(pk=appointment.pk)
    )
    if not current.is_consultation:
        raise ValidationError(NOT_OPEN)
    HomeHistory.objects.get_or_create(appointment=current, defaults={"patient": current.patient})
    history = HomeHistory.objects.select_for_update().get(appointment=current)
    return current, history


def _open(appointment: Appointment, history: HomeHistory, now: datetime) -> None:
    if not history.may_be_changed:
        raise ValidationError(ALREADY_SENT)
    if not appointment.is_still_to_come(now):
        raise ValidationError(NOT_OPEN)


def home_history_save(
    *,
    appointment: Appointment,
    answers: dict[str, Any],
    medicines: list[dict[str, Any]],
    keep: Collection[str] = (),
    now: datetime,
    address: str | None = None,
) -> HomeHistory:
    """Replace the saved answers with these (checked by the form); the names in ``keep``
    did not pass their check and keep what was saved before."""
    unknown = set(answers) - set(HOME_QUESTIONS)
    if unknown:
        raise ValidationError(f"Unknown questions: {', '.join(sorted(unknown))}.")
    patient = appointment.patient
    action = "saved medical history answers"
    with acting_patient(patient, action=action, address=address), transaction.atomic():
        current, history = _locked(appointment, now)
        _open(current, history, now)
        kept = {name: history.answers[name] for name in keep if name in history.answers}
        history.answers = {**answers, **kept}
        history.medicines = medicines
        history.save(update_fields=["answers", "medicines", "updated_at"])
        audit_patient_action(history, patient=patient, action=action, address=address)
    return history


def home_history_consent_shown(
    *, appointment: Appointment, consent_text: ConsentText, now: datetime,
    address: str | None = None,
) -> HomeHistory:  # fmt: skip
    """Note the consent text the patient was shown (reading is not signing); once the
    history is sent, it stays as it was."""
    patient = appointment.patient
    action = "viewed the consent text"
    with acting_patient(patient, action=action, address=address), transaction.atomic():
        _current, history = _locked(appointment, now)
        if history.may_be_changed and history.consent_text_id != consent_text.pk:
            history.consent_text = consent_text
            history.save(update_fields=["consent_text", "updated_at"])
        audit_patient_action(history, patient=patient, action=action, address=address)
    return history


def stored_finding(
    finding: Finding, cleared_before: Collection[tuple[str, str]] = ()
) -> dict[str, Any]:
    """A finding as stored with a screening kept as JSON (a check-in's, a history sent from
    home). ``cleared_before`` holds the (code, detail) of needs-clearance findings the
    consultation already cleared: such a finding, unchanged, stays cleared; any other
    needs-clearance finding blocks. A history from home clears nothing: the practitioner
    reviews it."""
    carried = (
        finding.level is Level.NEEDS_CLEARANCE and (finding.code, finding.detail) in cleared_before
    )
    return {
        "code": finding.code,
        "title": finding.title,
        "level": finding.level.code,
        "level_label": finding.level.label,
        "reason": finding.reason,
        "detail": finding.detail,
        "needs_physician_clearance": finding.needs_physician_clearance,
        "cleared_by": "consultation" if carried else "",
        "override_reason": "",
        "physician_clearance_note": "",
        "blocks": finding.level is Level.CONTRAINDICATED
        or (finding.level is Level.NEEDS_CLEARANCE and not carried),
    }


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def medicine_lines(history: HomeHistory) -> tuple[vocabulary.MedicineLine, ...]:
    """The patient's medicine lines as screening judges them: a line the vocabulary
    recognised exactly is that medicine; any other stays unmatched for the practitioner."""
    return tuple(
        vocabulary.MedicineLine(
            text=row["text"],
            medicine_key=row.get("medicine_key") or None,
            current=bool(row.get("current", True)),
            stopped_on=None if row.get("current", True) else _as_date(row.get("stopped_on")),
        )
        for row in history.medicines
        if row.get("text")
    )


def home_screening(history: HomeHistory, treatment_date: date) -> ScreeningResult:
    """The answers screened for ``treatment_date``. A question not answered counts as no;
    a past treatment the patient had but is not sure when counts as recent, so that its
    rule shows and the practitioner asks."""
    answers = history.answers
    values: dict[str, Any] = {
        name: answers.get(name) is True for name in MedicalHistory.CONDITION_FIELDS.values()
    }
    for name in MedicalHistory.DATE_FIELDS.values():
        if name in answers:
            values[name] = _as_date(answers[name]) or treatment_date
    return screen(
        screening_answers(
            history=values,
            fitzpatrick_type=None,
            treatment_date=treatment_date,
            medicines=medicine_lines(history),
        ),
        adjustments=rule_adjustments(),
    )


def home_history_send(
    *, appointment: Appointment, now: datetime, address: str | None = None
) -> tuple[HomeHistory, bool]:
    """Send the answers to the clinic, once: (the history, whether this call sent it).

    A second send (another tab, a double click) finds it sent and changes nothing."""
    patient = appointment.patient
    action = "sent the medical history"
    with acting_patient(patient, action=action, address=address), transaction.atomic():
        current, history = _locked(appointment, now)
        if history.is_submitted:
            return history, False
        _open(current, history, now)
        result = home_screening(history, current.local_day)
        history.submitted_at = now
        history.screening_level = result.level.code
        history.findings = [stored_finding(finding) for finding in result.findings]
        history.ruleset_version = result.ruleset_version
        history.vocabulary_version = result.vocabulary_version
        history.save(
            update_fields=[
                "submitted_at", "screening_level", "findings", "ruleset_version",
                "vocabulary_version", "updated_at",
            ]
        )  # fmt: skip
        current.history_received_at = now
        current.save(update_fields=["history_received_at", "updated_at"])
        audit_patient_action(history, patient=patient, action=action, address=address)
    return history, True
