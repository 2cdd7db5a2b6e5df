"""Reads for consultations: the latest history, the patient's clearance and consent, the
clinic's rule settings, and the consultation that clears a patient for treatment."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery

from patients.models import Patient
from treatments.models import (
    ConsentSignature,
    ConsentText,
    Consultation,
    MedicalHistory,
    ScreeningRuleSetting,
    rule_state_label,
)
from treatments.screening.rules import (
    Level,
    RuleAdjustment,
)


def latest_history(patient: Patient) -> MedicalHistory | None:
    """The history as last recorded for the patient, to start the next consultation from."""
    return (
        MedicalHistory.objects.filter(consultation__patient=patient)
        .order_by("-consultation__consulted_on", "-consultation_id")
        .first()
    )


def consultation_list_for_patient(patient: Patient) -> QuerySet[Consultation]:
    return Consultation.objects.filter(patient=patient).select_related("practitioner")


def _clearance_word(decision: str | None) -> str:
    if decision is None:
        return "review"
    return "no" if decision == Consultation.Decision.NOT_SUITABLE else "yes"


def _latest_signed_decision(patient: Any) -> "QuerySet[Consultation, str]":
    return (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .order_by("-consulted_on", "-id")
        .values_list("decision", flat=True)
    )


def clearance_for_patient(patient: Patient) -> str:
    """Cleared for treatment: "yes", "no" or "review", from the latest signed consultation.

    All the front desk may know: never the findings or their reasons.
    """
    return _clearance_word(_latest_signed_decision(patient).first())


def clearance_for_patients(patient_ids: "Iterable[int] | QuerySet[Any, Any]") -> dict[int, str]:
    """``clearance_for_patient`` for many patients at once (ids, or a subquery that
    selects them), in one query."""
    latest = _latest_signed_decision(OuterRef("pk"))[:1]
    rows = (
        Patient.objects.filter(pk__in=patient_ids)
        .annotate(decision=Subquery(latest))
        .values_list("pk", "decision")
    )
    return {pk: _clearance_word(decision) for pk, decision in rows}


def rule_adjustments(
    settings: Iterable[ScreeningRuleSetting] | None = None,
) -> dict[str, RuleAdjustment]:
    """The clinic's changes to the default rules, as the screening engine takes them
    (from ``settings`` when the caller has them already)."""
    if settings is None:
        settings = ScreeningRuleSetting.objects.all()
    return {
        setting.code: RuleAdjustment(
            enabled=setting.enabled,
            level=Level.from_code(setting.level) if setting.level else None,
        )
        for setting in settings
    }


@dataclass(frozen=True)
class ClinicRuleChange:
    """A rule the clinic screens differently from the default, as practitioners see it."""

    title: str
    default_label: str
    state_label: str
    switched_off: bool
    changed_by: str
    changed_at: datetime
    reason: str


def clinic_rule_settings() -> list[ScreeningRuleSetting]:
    """The clinic's rule settings with who changed them, in one query."""
    return list(ScreeningRuleSetting.objects.select_related("changed_by"))


def clinic_rule_changes(settings: Iterable[ScreeningRuleSetting]) -> list[ClinicRuleChange]:
    """The settings that make a rule differ from its default: what, who, when, why."""
    changes = []
    for setting in settings:
        rule = setting.default_rule
        if rule is None or setting.state == rule.level.code:
            continue
        changes.append(
            ClinicRuleChange(
                title=rule.title,
                default_label=rule.level.label,
                state_label=rule_state_label(setting.state),
                switched_off=not setting.enabled,
                changed_by=setting.changed_by.get_full_name() or setting.changed_by.get_username(),
                changed_at=setting.changed_at,
                reason=setting.reason,
            )
        )
    return changes


@dataclass(frozen=True)
class ConsentState:
    signature: ConsentSignature | None
    is_current: bool


def consent_state(patient: Patient, treatment: str = "microneedling") -> ConsentState:
    """The patient's latest consent signature, and whether it is on the text in force.

    One query, signed or not: the newest version comes along as a subquery.
    """
    newest = (
        ConsentText.objects.filter(treatment=treatment).order_by("-version").values("version")[:1]
    )
    signature = (
        ConsentSignature.objects.filter(patient=patient, consent_text__treatment=treatment)
        .select_related("consent_text")
        .annotate(newest_version=Subquery(newest))
        .order_by("-signed_at", "-id")
        .first()
    )
    if signature is None:
        return ConsentState(signature=None, is_current=False)
    is_current = signature.consent_text.version == signature.newest_version
    return ConsentState(signature=signature, is_current=is_current)


def clearing_consultation(patient: Patient) -> Consultation:
    """The latest signed consultation, if it clears the patient for treatment."""
    consultation = (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .select_related("history")
        .prefetch_related("findings")
        .order_by("-consulted_on", "-id")
        .first()
    )
    if consultation is None or consultation.found_not_suitable:
        raise ValidationError(
            "No signed consultation clears this patient for treatment: a practitioner must "
            "consult first."
        )
    return consultation
