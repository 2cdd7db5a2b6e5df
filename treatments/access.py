"""Access to clinical records: practitioners only. Everyone else gets 403 (or 404)."""

from django.shortcuts import get_object_or_404

from clinic.staff.access import AnyUser, require_permission
from treatments.models import Consultation

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
