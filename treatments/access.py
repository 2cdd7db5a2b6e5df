"""Access to clinical records: practitioners only. Everyone else gets 403 (or 404)."""

from django.shortcuts import get_object_or_404

from clinic.staff.access import AnyUser, require_permission
from treatments.models import Consultation, TreatmentPlan, TreatmentSession

VIEW_CONSULTATION = "treatments.view_consultation"
ADD_CONSULTATION = "treatments.add_consultation"
CHANGE_CONSULTATION = "treatments.change_consultation"
ADD_CONSENT = "treatments.add_consentsignature"


def consultation_for_user(user: AnyUser, pk: int) -> Consultation:
    """A consultation with its patient, practitioner and history, for a practitioner."""
    require_permission(user, VIEW_CONSULTATION)
    return get_object_or_404(
        Consultation.objects.select_related("patient", "practitioner", "history"), pk=pk
    )


VIEW_PLAN = "treatments.view_treatmentplan"
ADD_PLAN = "treatments.add_treatmentplan"
CHANGE_PLAN = "treatments.change_treatmentplan"
VIEW_SESSION = "treatments.view_treatmentsession"
CHANGE_SESSION = "treatments.change_treatmentsession"


def plan_for_user(user: AnyUser, pk: int) -> TreatmentPlan:
    """A plan with what its page shows: practitioners and the front desk."""
    require_permission(user, VIEW_PLAN)
    return get_object_or_404(
        TreatmentPlan.objects.select_related(
            "patient", "treatment", "location", "preferred_practitioner__user"
        ),
        pk=pk,
    )


def session_for_user(user: AnyUser, pk: int) -> TreatmentSession:
    """A session record: practitioners only."""
    require_permission(user, VIEW_SESSION)
    return get_object_or_404(
        TreatmentSession.objects.select_related(
            "plan__patient", "plan__treatment", "plan__location", "plan__consultation",
            "signed_by",
            "appointment__practitioner__user", "appointment__room", "appointment__location",
            "aftercare",
        ),
        pk=pk,
    )  # fmt: skip
