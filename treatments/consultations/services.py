"""Writes for consultations and screening. Every one checks the consultation's state."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from patients.validators import normalise_text
from treatments.consultations.medicines import (
    MedicineEntry,
    history_lines,
    medicines_copy,
    medicines_replace,
    unresolved_message,
)
from treatments.consultations.selectors import consent_state, rule_adjustments
from treatments.models import (
    ConsentSignature,
    ConsentText,
    Consultation,
    ConsultationAddendum,
    MedicalHistory,
    ScreeningFinding,
    ScreeningRuleChange,
    ScreeningRuleSetting,
    rule_change_refused,
)
from treatments.screening import medicines as vocabulary
from treatments.screening.engine import screen
from treatments.screening.rules import (
    DEFAULT_RULES,
    Level,
    ScreeningAnswers,
    ScreeningResult,
    add_months,
)

CONSULTATION_FIELDS = (
    "consulted_on",
    "intended_treatment_date",
    "concerns",
    "areas",
    "goals",
    "skin_assessment",
    "fitzpatrick_type",
    "skin_thickness",
)


HISTORY_FIELDS = (
    *MedicalHistory.CONDITION_FIELDS.values(),
    *MedicalHistory.DATE_FIELDS.values(),
    "allergies",
    "other_conditions",
)


class ConsultationLocked(ValidationError):
    """The consultation is signed: it cannot change, only receive addenda."""


def screening_answers(
    *,
    history: dict[str, Any],
    fitzpatrick_type: int | None,
    treatment_date: date,
    medicines: tuple[vocabulary.MedicineLine, ...] = (),
) -> ScreeningAnswers:
    """The screening engine's view of a history (a model's fields or a form's data) and
    its medicine lines."""
    return ScreeningAnswers(
        treatment_date=treatment_date,
        conditions=frozenset(
            c for c, name in MedicalHistory.CONDITION_FIELDS.items() if history.get(name)
        ),
        dates={
            event: history[name]
            for event, name in MedicalHistory.DATE_FIELDS.items()
            if history.get(name)
        },
        medicine_lines=medicines,
        fitzpatrick_type=fitzpatrick_type,
    )


def _history_values(history: MedicalHistory) -> dict[str, Any]:
    return {name: getattr(history, name) for name in HISTORY_FIELDS}


# A consultation screens for a first treatment within this many months; later than that,
# the patient should be seen again.
PLANNING_HORIZON_MONTHS = 12


def _check_dates(consulted_on: date, intended: date, history: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if consulted_on > timezone.localdate():
        errors["consulted_on"] = ["A consultation cannot be dated in the future."]
    if intended < consulted_on:
        errors["intended_treatment_date"] = ["The treatment cannot come before the consultation."]
    elif intended > add_months(consulted_on, PLANNING_HORIZON_MONTHS):
        errors["intended_treatment_date"] = [
            f"More than {PLANNING_HORIZON_MONTHS} months ahead: consult again nearer the time."
        ]
    for name in MedicalHistory.DATE_FIELDS.values():
        happened = history.get(name)
        if happened and happened > consulted_on:
            errors[name] = ["This date is after the consultation. Check it."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def consultation_start(*, patient: Patient, practitioner: User) -> Consultation:
    """A draft consultation whose history starts as the last one's answers."""
    today = timezone.localdate()
    consultation = Consultation.objects.create(
        patient=patient, practitioner=practitioner, consulted_on=today,
        intended_treatment_date=today,
    )  # fmt: skip
    previous = (
        MedicalHistory.objects.filter(consultation__patient=patient)
        .exclude(consultation=consultation)
        .order_by("-consultation__consulted_on", "-consultation_id")
        .first()
    )
    values = _history_values(previous) if previous else {}
    history = MedicalHistory.objects.create(consultation=consultation, **values)
    if previous is not None:
        medicines_copy(source=previous, target=history)
    _record_screening(consultation)
    return consultation


def _findings_state(consultation: Consultation) -> set[tuple[str, str, str]]:
    return set(consultation.findings.values_list("code", "level", "detail"))


def _record_screening(consultation: Consultation) -> ScreeningResult:
    """Screen the draft again and keep its findings; overrides of findings that still
    fire unchanged are kept, the rest go with the findings they belonged to."""
    history = consultation.history
    result = screen(
        screening_answers(
            history=_history_values(history),
            fitzpatrick_type=consultation.fitzpatrick_type,
            treatment_date=consultation.intended_treatment_date,
            medicines=history_lines(history),
        ),
        adjustments=rule_adjustments(),
    )
    fired = {finding.code: finding for finding in result.findings}
    consultation.findings.exclude(code__in=fired).delete()
    existing = {finding.code: finding for finding in consultation.findings.all()}
    for code, finding in fired.items():
        row = existing.get(code) or ScreeningFinding(consultation=consultation, code=code)
        # An override answers one finding as it stood; if the finding changes, ask again.
        changed = row.pk is not None and (row.level, row.detail) != (
            finding.level.code,
            finding.detail,
        )
        row.title, row.level, row.reason = finding.title, finding.level.code, finding.reason
        row.source, row.detail = finding.source, finding.detail
        row.needs_physician_clearance = finding.needs_physician_clearance
        if changed:
            row.override_reason, row.physician_clearance_note = "", ""
            row.overridden_by, row.overridden_at = None, None
        row.save()
    consultation.screening_level = result.level.code
    consultation.ruleset_version = result.ruleset_version
    consultation.vocabulary_version = result.vocabulary_version
    consultation.save(
        update_fields=["screening_level", "ruleset_version", "vocabulary_version", "updated_at"]
    )
    return result


def _require_draft(consultation: Consultation) -> None:
    if consultation.is_signed:
        raise ConsultationLocked("This consultation is signed. Add an addendum instead.")


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    by: User,
    fields: dict[str, Any],
    history: dict[str, Any],
    medicines: Sequence[MedicineEntry] | None = None,
) -> ScreeningResult:
    """Save the draft's answers (and its medicine rows, when given) and screen again."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    _require_draft(consultation)
    if by != consultation.practitioner:
        raise ValidationError("Only the practitioner who holds the consultation may change it.")
    merged = {name: fields.get(name, getattr(consultation, name)) for name in CONSULTATION_FIELDS}
    _check_dates(merged["consulted_on"], merged["intended_treatment_date"], history)
    record = consultation.history
    stopped_taking = record.taking_isotretinoin and history.get("taking_isotretinoin") is False
    if stopped_taking and not history.get("isotretinoin_stopped_on"):
        raise ValidationError(
            {
                "isotretinoin_stopped_on": [
                    "They were taking isotretinoin: give the date they stopped."
                ]
            }
        )
    for name, value in merged.items():
        setattr(consultation, name, value)
    consultation.full_clean()
    consultation.save()
    for name in HISTORY_FIELDS:
        if name in history:
            setattr(record, name, history[name])
    record.full_clean()
    record.save()
    if medicines is not None:
        medicines_replace(
            history=record, entries=medicines, by=by, consulted_on=consultation.consulted_on
        )
    return _record_screening(consultation)


@transaction.atomic
def finding_override(
    *, finding: ScreeningFinding, by: User, reason: str, physician_clearance_note: str = ""
) -> ScreeningFinding:
    """Record why treatment may go ahead despite a needs-clearance finding."""
    # Lock the consultation, not only the finding, so that an override cannot land on a
    # consultation being signed at the same moment.
    consultation = Consultation.objects.select_for_update().get(pk=finding.consultation_id)
    _require_draft(consultation)
    finding = ScreeningFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.level == Level.CONTRAINDICATED.code:
        raise ValidationError("A contraindication cannot be overridden.")
    if finding.level != Level.NEEDS_CLEARANCE.code:
        raise ValidationError("Only a needs-clearance finding takes an override.")
    errors = {}
    if not reason.strip():
        errors["reason"] = ["Write why treatment may go ahead."]
    if finding.needs_physician_clearance and not physician_clearance_note.strip():
        errors["physician_clearance_note"] = ["This finding needs the physician's clearance."]
    if errors:
        raise ValidationError(errors)
    finding.override_reason = reason.strip()
    finding.physician_clearance_note = physician_clearance_note.strip()
    finding.overridden_by = by
    finding.overridden_at = timezone.now()
    finding.save()
    return finding


def allowed_decisions(findings: Iterable[ScreeningFinding]) -> list[str]:
    """The decisions the findings allow: the practitioner may always decline to treat."""
    findings = list(findings)
    if any(f.blocks_treatment for f in findings):
        return [Consultation.Decision.NOT_SUITABLE]
    if findings:
        return [Consultation.Decision.NOT_SUITABLE, Consultation.Decision.SUITABLE_WITH_PRECAUTIONS]
    return [c.value for c in Consultation.Decision]


def consultation_sign(
    *, consultation: Consultation, by: User, decision: str, now: datetime | None = None
) -> Consultation:
    """Screen once more with the rules in force now, then record the decision and make
    the consultation permanent (signed ``now``, the present moment unless given). If
    the findings changed (say the manager re-levelled a rule since the draft was saved),
    the new findings are kept and signing is refused, so the practitioner signs only
    what they have seen."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        _require_draft(consultation)
        if by != consultation.practitioner:
            raise ValidationError("Only the practitioner who holds the consultation may sign it.")
        unresolved = unresolved_message(history_lines(consultation.history))
        if unresolved:
            raise ValidationError(unresolved)
        seen = _findings_state(consultation)
        _record_screening(consultation)
        if _findings_state(consultation) == seen:
            allowed = allowed_decisions(consultation.findings.all())
            if decision not in allowed:
                labels = ", ".join(str(Consultation.Decision(d).label).lower() for d in allowed)
                raise ValidationError(
                    {"decision": [f"With these findings the decision can be: {labels}."]}
                )
            consultation.decision = decision
            consultation.status = Consultation.Status.SIGNED
            consultation.signed_at = now or timezone.now()
            consultation.save(update_fields=["decision", "status", "signed_at", "updated_at"])
            return consultation
    raise ValidationError(
        "The screening changed since this consultation was saved (the clinic's rules were "
        "updated). Review the findings and sign again."
    )


@transaction.atomic
def screening_rule_configure(
    *, code: str, by: User, enabled: bool, level: Level | None, reason: str
) -> ScreeningRuleSetting:
    """Switch a default rule off or on, or give it another level (None: its default),
    for the reason given.

    1. A contraindication can be neither switched off nor lowered; any change needs a
       reason.
    2. The setting is saved and the change kept (rule, old and new level, who, when, why)
       as a ``ScreeningRuleChange``, which the audit log and the screening panel show.
    """
    rule = next((rule for rule in DEFAULT_RULES if rule.code == code), None)
    if rule is None:
        raise ValidationError(f"There is no screening rule “{code}”.")
    refused = rule_change_refused(rule.level, enabled, level)
    if refused:
        raise ValidationError(refused)
    if not reason.strip():
        raise ValidationError({"reason": ["Give the reason for the change."]})
    setting = ScreeningRuleSetting.objects.select_for_update().filter(
        code=code
    ).first() or ScreeningRuleSetting(code=code)
    old_state = setting.state if setting.pk else rule.level.code
    setting.enabled = enabled
    setting.level = level.code if level and level is not rule.level else ""
    setting.reason = reason.strip()
    setting.changed_by = by
    setting.full_clean()
    if setting.state == old_state:
        raise ValidationError("That is how the rule already stands: nothing to change.")
    setting.save()
    ScreeningRuleChange.objects.create(
        code=code, title=rule.title, old_state=old_state, new_state=setting.state,
        reason=setting.reason, changed_by=by,
    )  # fmt: skip
    return setting


@transaction.atomic
def consultation_addendum_add(
    *, consultation: Consultation, by: User, text: str
) -> ConsultationAddendum:
    """Add a correction to a signed consultation; a draft is simply edited instead."""
    if not consultation.is_signed:
        raise ValidationError("This consultation is still a draft: edit it instead.")
    if not text.strip():
        raise ValidationError({"text": ["Write the addendum."]})
    addendum = ConsultationAddendum(consultation=consultation, author=by, text=text.strip())
    addendum.full_clean()
    addendum.save()
    return addendum


def consent_text_current(treatment: str = "microneedling") -> ConsentText:
    """The version of the consent text that patients sign today."""
    text = ConsentText.objects.filter(treatment=treatment).order_by("-version").first()
    if text is None:
        raise ValidationError(f"There is no consent text for {treatment}.")
    return text


@transaction.atomic
def consent_sign(
    *,
    patient: Patient,
    consent_text: ConsentText,
    typed_name: str,
    agreed: bool,
    by: User,
    now: datetime | None = None,
) -> ConsentSignature:
    """The patient signs the current consent: their full name typed, and the box ticked
    (signed ``now``, the present moment unless given)."""
    errors: dict[str, list[str]] = {}
    current = consent_text_current(consent_text.treatment)
    if consent_text.pk != current.pk:
        raise ValidationError(
            "The consent text has changed since this page was opened. Read the new version."
        )
    if normalise_text(typed_name) != normalise_text(patient.full_name):
        errors["typed_name"] = [f"Type your full name as registered: {patient.full_name}."]
    if not agreed:
        errors["agreed"] = ["Tick the box to show you agree."]
    if errors:
        raise ValidationError(errors)
    return ConsentSignature.objects.create(
        patient=patient,
        consent_text=consent_text,
        typed_name=typed_name.strip(),
        agreed=True,
        witnessed_by=by,
        signed_at=now or timezone.now(),
    )


def has_current_consent(patient: Patient, treatment: str = "microneedling") -> bool:
    """Whether the patient has signed the version of the consent in force today.

    Plans ask this before they are made (no plan without current consent).
    """
    return consent_state(patient, treatment).is_current


@transaction.atomic
def consent_text_publish(
    *, by: User, title: str, body: str, treatment: str = "microneedling"
) -> ConsentText:
    """A new version of the consent text; from now on patients sign this one."""
    errors = {}
    if not title.strip():
        errors["title"] = ["Give the consent a title."]
    if not body.strip():
        errors["body"] = ["Write the consent text."]
    if errors:
        raise ValidationError(errors)
    latest = (
        ConsentText.objects.select_for_update()
        .filter(treatment=treatment)
        .order_by("-version")
        .first()
    )
    text = ConsentText(
        treatment=treatment,
        version=(latest.version + 1) if latest else 1,
        title=title.strip(),
        body=body.strip(),
        published_by=by,
    )
    text.full_clean()
    text.save()
    return text
