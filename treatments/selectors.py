from django.db.models import QuerySet

from patients.models import Patient
from treatments.models import Consultation, MedicalHistory, ScreeningRuleSetting
from treatments.screening import Level, RuleAdjustment


def latest_history(patient: Patient) -> MedicalHistory | None:
    """The history as last recorded for the patient, to start the next consultation from."""
    return (
        MedicalHistory.objects.filter(consultation__patient=patient)
        .order_by("-consultation__consulted_on", "-consultation_id")
        .first()
    )


def consultation_list_for_patient(patient: Patient) -> QuerySet[Consultation]:
    return Consultation.objects.filter(patient=patient).select_related("practitioner")


def clearance_for_patient(patient: Patient) -> str:
    """Cleared for treatment: "yes", "no" or "review", from the latest signed consultation.

    All the front desk may know: never the findings or their reasons.
    """
    decision = (
        Consultation.objects.filter(patient=patient, status=Consultation.Status.SIGNED)
        .order_by("-consulted_on", "-id")
        .values_list("decision", flat=True)
        .first()
    )
    if decision is None:
        return "review"
    return "no" if decision == Consultation.Decision.NOT_SUITABLE else "yes"


def rule_adjustments() -> dict[str, RuleAdjustment]:
    """The clinic's changes to the default rules, as the screening engine takes them."""
    return {
        setting.code: RuleAdjustment(
            enabled=setting.enabled,
            level=Level.from_code(setting.level) if setting.level else None,
        )
        for setting in ScreeningRuleSetting.objects.all()
    }
