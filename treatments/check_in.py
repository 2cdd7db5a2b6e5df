"""Screening again at check-in, and whether a session may start.

The check-in form is short: what changed since the last visit. Conditions that come and
go (a flare, sunburn, a cold sore, pregnancy) are asked afresh; lasting ones (a bleeding
disorder, keloid scarring) carry over from the signed consultation. Overrides recorded at
the consultation still count when the finding is the same; a new needs-clearance finding
needs an override now.
"""

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from treatments.models import CheckInScreening, Consultation
from treatments.screening import Condition, DatedEvent, Level, ScreeningAnswers, screen
from treatments.selectors import rule_adjustments

# Asked afresh at every check-in; the rest carries over from the consultation.
CHANGING_CONDITIONS = (
    Condition.ACTIVE_ACNE,
    Condition.ECZEMA_FLARE,
    Condition.ROSACEA_FLARE,
    Condition.SKIN_INFECTION_OR_WOUND,
    Condition.COLD_SORE_ACTIVE,
    Condition.SUNBURN,
    Condition.SUSPICIOUS_LESION,
    Condition.PREGNANT_OR_BREASTFEEDING,
    Condition.TAKING_ISOTRETINOIN,
    Condition.CANCER_TREATMENT_IN_PROGRESS,
)


def _consultation_for_check_in(patient: Patient) -> Consultation:
    consultation = (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .select_related("history")
        .prefetch_related("findings")
        .order_by("-consulted_on", "-id")
        .first()
    )
    if consultation is None or consultation.decision == Consultation.Decision.NOT_SUITABLE:
        raise ValidationError(
            "No signed consultation clears this patient for treatment: a practitioner must "
            "consult first."
        )
    return consultation


def _answers_today(
    consultation: Consultation,
    today: date,
    conditions: set[Condition],
    new_medications: str,
    dates: dict[DatedEvent, date],
) -> ScreeningAnswers:
    history = consultation.history
    lasting = {c for c in Condition if c not in CHANGING_CONDITIONS and getattr(history, c.value)}
    merged_dates = {
        event: day
        for event in DatedEvent
        if (day := max(filter(None, [getattr(history, f"{event.value}_on"), dates.get(event)]),
                       default=None))
    }  # fmt: skip
    new_lines = tuple(line.strip() for line in new_medications.splitlines() if line.strip())
    return ScreeningAnswers(
        treatment_date=today,
        conditions=frozenset(lasting | conditions),
        dates=merged_dates,
        medications=history.medication_lines() + new_lines,
        fitzpatrick_type=consultation.fitzpatrick_type,
    )


@transaction.atomic
def check_in_screen(
    *,
    patient: Patient,
    by: User,
    conditions: set[Condition],
    new_medications: str = "",
    dates: dict[DatedEvent, date] | None = None,
    other_changes: str = "",
    override_reason: str = "",
    physician_clearance_note: str = "",
) -> CheckInScreening:
    """Screen for today and record whether the session may start."""
    dates = dates or {}
    today = timezone.localdate()
    if any(day > today for day in dates.values()):
        raise ValidationError("A date of a past procedure cannot be in the future.")
    consultation = _consultation_for_check_in(patient)
    result = screen(
        _answers_today(consultation, today, conditions, new_medications, dates),
        adjustments=rule_adjustments(),
    )
    cleared_before = {(f.code, f.detail) for f in consultation.findings.all() if f.is_overridden}
    needs_physician = False
    findings: list[dict[str, Any]] = []
    for finding in result.findings:
        cleared_by = ""
        if finding.level is Level.NEEDS_CLEARANCE:
            if (finding.code, finding.detail) in cleared_before:
                cleared_by = "consultation"
            elif override_reason.strip():
                cleared_by = "check-in"
                needs_physician |= finding.needs_physician_clearance
        blocks = finding.level is Level.CONTRAINDICATED or (
            finding.level is Level.NEEDS_CLEARANCE and not cleared_by
        )
        findings.append(
            {
                "code": finding.code,
                "title": finding.title,
                "level": finding.level.code,
                "level_label": finding.level.label,
                "reason": finding.reason,
                "detail": finding.detail,
                "cleared_by": cleared_by,
                "blocks": blocks,
            }
        )
    if needs_physician and not physician_clearance_note.strip():
        raise ValidationError(
            {"physician_clearance_note": ["A finding here needs the physician's clearance."]}
        )
    return CheckInScreening.objects.create(
        patient=patient,
        consultation=consultation,
        screened_on=today,
        by=by,
        changes={
            "conditions": sorted(c.value for c in conditions),
            "new_medications": new_medications.strip(),
            "dates": {event.value: day.isoformat() for event, day in dates.items()},
            "other": other_changes.strip(),
        },
        level=result.level.code,
        ruleset_version=result.ruleset_version,
        findings=findings,
        override_reason=override_reason.strip(),
        physician_clearance_note=physician_clearance_note.strip(),
        may_start=not any(f["blocks"] for f in findings),
    )


def session_may_start(check_in: CheckInScreening | None, on: date) -> tuple[bool, list[str]]:
    """Whether a session on ``on`` may start, and if not, why, in the practitioner's words.

    The plug for treatment sessions: they call this with the day's latest check-in.
    """
    if check_in is None or check_in.screened_on != on:
        return False, ["Screen the patient again at check-in today before starting."]
    why = {"contraindicated": "contraindicated", "needs_clearance": "needs an override"}
    reasons = [f"{f['title']}: {why[f['level']]}" for f in check_in.blocking]
    return check_in.may_start and not reasons, reasons
