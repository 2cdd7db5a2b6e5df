"""Screening again at check-in, and whether a session may start.

1. The practitioner asks what changed since the last visit. Conditions that come and go
   (a flare, sunburn, a cold sore, pregnancy) are asked afresh; lasting ones (a bleeding
   disorder, keloid scarring) carry over from the signed consultation and new ones can
   be added. "Taking isotretinoin" carries over until a stop date is given. New
   medicines follow the consultation's rule: each is recognised exactly, or the
   practitioner confirms the ones not recognised are not relevant to microneedling.
2. The answers are screened for today. Overrides recorded at the consultation still count
   for a finding that is unchanged; any other needs-clearance finding is shown first and
   then takes its own override (``check_in_override``).
3. ``session_may_start(patient=..., on=...)`` is what treatment sessions ask.

A screening is dated with the day at the location where the patient is seen today
(``screening_day``), the day a session there starts on, not the clinic's own day."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.scheduling.models import Appointment
from patients.models import Patient
from treatments.consultations.home_history import stored_finding
from treatments.consultations.medicines import (
    MedicineEntry,
    entries_from_text,
    history_lines,
    matched,
    screened_lines,
)
from treatments.consultations.selectors import clearing_consultation, rule_adjustments
from treatments.models import CheckInScreening, Consultation
from treatments.screening import medicines as vocabulary
from treatments.screening.engine import screen
from treatments.screening.rules import Condition, DatedEvent, Level, ScreeningAnswers

# Asked afresh at every check-in; the rest carries over from the consultation.
CHANGING_CONDITIONS = (
    Condition.ACTIVE_ACNE,
    Condition.ECZEMA_FLARE,
    Condition.ROSACEA_FLARE,
    Condition.PSORIASIS_PLAQUES,
    Condition.SKIN_INFECTION_OR_WOUND,
    Condition.COLD_SORE_ACTIVE,
    Condition.SUNBURN,
    Condition.SUSPICIOUS_LESION,
    Condition.PREGNANT_OR_BREASTFEEDING,
    Condition.TAKING_ISOTRETINOIN,
    Condition.CANCER_TREATMENT_IN_PROGRESS,
)


def screening_day(patient: Patient, now: datetime) -> date:
    """Today where the patient is seen: at the location of their appointment on its own
    local day (one checked in first), else the clinic's day (a screening on a day with no
    appointment, or a walk-in not yet booked)."""
    near = (
        Appointment.objects.filter(
            patient=patient,
            status__in=Appointment.ARRIVING,
            starts_at__gte=now - timedelta(days=2),
            starts_at__lt=now + timedelta(days=2),
        )
        .select_related("location")
        .only("status", "starts_at", "location__time_zone")
    )
    today_there = [a for a in near if a.is_on_local_day(now)]
    if not today_there:
        return timezone.localdate(now)
    seen = min(today_there, key=lambda a: (not a.can_undo_check_in(now), a.starts_at))
    return seen.local_day


def carried_conditions(consultation: Consultation) -> set[Condition]:
    """Lasting conditions answered yes at the consultation; they stand at every check-in."""
    return {c for c in consultation.history.conditions() if c not in CHANGING_CONDITIONS}


def new_medicine_entries(new_medications: str, *, confirmed: bool) -> list[MedicineEntry]:
    """The new medicines, one a line: matched when named exactly; the others refused,
    with what they might be, unless the practitioner confirmed them."""
    entries = [matched(entry) for entry in entries_from_text(new_medications)]
    unknown = [entry for entry in entries if not entry.medicine_key]
    if unknown and not confirmed:
        named = []
        for entry in unknown:
            guesses = vocabulary.recognise(entry.text).suggestions[:3]
            maybe = " or ".join(medicine.label for medicine in guesses)
            named.append(f"“{entry.text}”" + (f" (did you mean {maybe}?)" if maybe else ""))
        raise ValidationError(
            {
                "new_medications": [
                    f"Not recognised: {', '.join(named)}. Write the medicine's name, or tick "
                    "that you checked it is not relevant to microneedling."
                ]
            }
        )
    return [replace(entry, confirmed=not entry.medicine_key) for entry in entries]


def _answers_today(
    consultation: Consultation,
    today: date,
    conditions: set[Condition],
    new_medicines: list[MedicineEntry],
    dates: dict[DatedEvent, date],
) -> ScreeningAnswers:
    history = consultation.history
    conditions = carried_conditions(consultation) | conditions
    if history.taking_isotretinoin and DatedEvent.ISOTRETINOIN_STOPPED not in dates:
        conditions.add(Condition.TAKING_ISOTRETINOIN)
    known = history.event_dates()
    merged_dates = {}
    for event in DatedEvent:
        days = [d for d in (known.get(event), dates.get(event)) if d]
        if days:
            merged_dates[event] = max(days)
    return ScreeningAnswers(
        treatment_date=today,
        conditions=frozenset(conditions),
        dates=merged_dates,
        medicine_lines=history_lines(history) + screened_lines(new_medicines),
        fitzpatrick_type=consultation.fitzpatrick_type,
    )


def _may_start(findings: list[dict[str, Any]]) -> bool:
    return not any(f["blocks"] for f in findings)


@transaction.atomic
def check_in_screen(
    *,
    patient: Patient,
    by: User,
    conditions: set[Condition],
    new_medications: str = "",
    confirm_unrecognised: bool = False,
    dates: dict[DatedEvent, date] | None = None,
    other_changes: str = "",
    now: datetime | None = None,
) -> CheckInScreening:
    """Screen for today with what changed, and record whether the session may start.

    ``confirm_unrecognised``: the practitioner checked that the new medicines not
    recognised are not relevant to microneedling.
    """
    dates = dates or {}
    new_medicines = new_medicine_entries(new_medications, confirmed=confirm_unrecognised)
    today = screening_day(patient, now or timezone.now())
    if any(day > today for day in dates.values()):
        raise ValidationError("A date of a past procedure cannot be in the future.")
    consultation = clearing_consultation(patient)
    result = screen(
        _answers_today(consultation, today, conditions, new_medicines, dates),
        adjustments=rule_adjustments(),
    )
    cleared_before = {(f.code, f.detail) for f in consultation.findings.all() if f.is_overridden}
    findings = [stored_finding(finding, cleared_before) for finding in result.findings]
    return CheckInScreening.objects.create(
        patient=patient,
        consultation=consultation,
        screened_on=today,
        by=by,
        changes={
            "conditions": sorted(c.value for c in conditions),
            "new_medications": new_medications.strip(),
            "new_medicines": [
                {
                    "text": entry.text,
                    "medicine_key": entry.medicine_key,
                    "confirmed_not_relevant": entry.confirmed,
                }
                for entry in new_medicines
            ],
            "dates": {event.value: day.isoformat() for event, day in dates.items()},
            "other": other_changes.strip(),
        },
        level=result.level.code,
        ruleset_version=result.ruleset_version,
        vocabulary_version=result.vocabulary_version,
        findings=findings,
        may_start=_may_start(findings),
    )


@transaction.atomic
def check_in_override(
    *,
    check_in: CheckInScreening,
    code: str,
    by: User,
    reason: str,
    physician_clearance_note: str = "",
    now: datetime | None = None,
) -> CheckInScreening:
    """Record, after seeing it, why a needs-clearance finding at check-in may go ahead."""
    now = now or timezone.now()
    check_in = CheckInScreening.objects.select_for_update().get(pk=check_in.pk)
    if check_in.screened_on != screening_day(check_in.patient, now):
        raise ValidationError("This screening is not from today: screen again.")
    finding = next((f for f in check_in.findings if f["code"] == code), None)
    if finding is None:
        raise ValidationError("There is no such finding in this screening.")
    if finding["level"] != Level.NEEDS_CLEARANCE.code:
        raise ValidationError("Only a needs-clearance finding takes an override.")
    errors = {}
    if not reason.strip():
        errors["reason"] = ["Write why treatment may go ahead."]
    if finding["needs_physician_clearance"] and not physician_clearance_note.strip():
        errors["physician_clearance_note"] = ["This finding needs the physician's clearance."]
    if errors:
        raise ValidationError(errors)
    finding.update(
        cleared_by="check-in",
        override_reason=reason.strip(),
        physician_clearance_note=physician_clearance_note.strip(),
        overridden_by=by.get_full_name() or by.get_username(),
        overridden_at=now.isoformat(),
        blocks=False,
    )
    check_in.may_start = _may_start(check_in.findings)
    check_in.save(update_fields=["findings", "may_start"])
    return check_in


def session_may_start(*, patient: Patient, on: date) -> tuple[bool, list[str]]:
    """Whether a session for ``patient`` on ``on`` may start, and if not, why.

    The answer comes from the day's latest check-in screening, and only while the
    consultation it built on is still the latest signed one.
    """
    check_in = (
        CheckInScreening.objects.filter(patient=patient, screened_on=on)
        .order_by("-created_at", "-id")
        .first()
    )
    if check_in is None:
        return False, ["Screen the patient again at check-in today before starting."]
    try:
        current = clearing_consultation(patient)
    except ValidationError as exc:
        return False, exc.messages
    if current.pk != check_in.consultation_id:
        return False, ["A newer consultation was signed since check-in: screen again."]
    why = {"contraindicated": "contraindicated", "needs_clearance": "needs an override"}
    reasons = [f"{f['title']}: {why[f['level']]}" for f in check_in.findings if f["blocks"]]
    return not reasons, reasons
