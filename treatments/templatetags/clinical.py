"""Clinical panels that the patient record shows, without patients importing treatments."""

from typing import Any

from django import template

from clinic.scheduling.models import Appointment
from clinic.staff.access import has_role_permission
from clinic.staff.audit import audit_view
from patients.models import Patient
from treatments.access import ADD_CONSENT, ADD_CONSULTATION, VIEW_CONSULTATION, VIEW_PLAN
from treatments.consultations.selectors import (
    clearance_for_patient,
    consent_state,
    consultation_list_for_patient,
    home_history_for_appointment,
    home_history_for_patient,
)
from treatments.plans.selectors import plan_list_for_patient

register = template.Library()


@register.inclusion_tag("treatments/_clearance_badge.html")
def clearance_badge(patient: Patient) -> dict[str, Any]:
    return {"clearance": clearance_for_patient(patient)}


@register.inclusion_tag("treatments/_patient_consultations.html", takes_context=True)
def patient_consultations(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    """The consultation list, for practitioners only; nothing at all for anyone else."""
    user = context["request"].user
    if not has_role_permission(user, VIEW_CONSULTATION):
        return {"visible": False}
    return {
        "visible": True,
        "patient": patient,
        "consultations": list(consultation_list_for_patient(patient)),
        "can_add": has_role_permission(user, ADD_CONSULTATION),
    }


@register.inclusion_tag("treatments/_consent_status.html", takes_context=True)
def consent_status(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    """Whether the patient has signed the consent in force, and a way to sign it."""
    user = context["request"].user
    if not has_role_permission(user, ADD_CONSENT):
        return {"visible": False}
    state = consent_state(patient)
    return {
        "visible": True,
        "patient": patient,
        "signature": state.signature,
        "is_current": state.is_current,
    }


@register.inclusion_tag("treatments/_patient_plans.html", takes_context=True)
def patient_plans(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    """The patient's treatment plans with progress: front desk and practitioners."""
    user = context["request"].user
    if not has_role_permission(user, VIEW_PLAN):
        return {"visible": False}
    return {"visible": True, "plans": list(plan_list_for_patient(patient))}


@register.inclusion_tag("treatments/_home_history_panel.html", takes_context=True)
def home_history_panel(
    context: dict[str, Any], patient: Patient, appointment: Appointment | None = None
) -> dict[str, Any]:
    """The history the patient gave at home, for the practitioner preparing the
    consultation: once sent, its screening and findings; "not sent yet" while started;
    nothing when there is none. On an appointment's page, that appointment's own; on the
    patient's record, the one ``home_history_for_patient`` finds. Only roles that see
    consultations see any of it."""
    user = context["request"].user
    if not has_role_permission(user, VIEW_CONSULTATION):
        return {"visible": False}
    if appointment is not None:
        history = home_history_for_appointment(appointment)
    else:
        history = home_history_for_patient(patient)
    if history is None:
        return {"visible": False}
    if history.is_submitted:
        audit_view(history, page="history from home (panel)", patient_id=patient.pk)
    return {
        "visible": True,
        "history": history,
        "patient": patient,
        "can_start": appointment is not None and has_role_permission(user, ADD_CONSULTATION),
    }
