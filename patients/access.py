"""Access to patient records: which roles may see, register and change them."""

from django.shortcuts import get_object_or_404

from clinic.staff.access import AnyUser, require_permission
from patients.models import Patient

VIEW_PATIENTS = "patients.view_patient"
REGISTER_PATIENTS = "patients.add_patient"
CHANGE_PATIENTS = "patients.change_patient"


def patient_for_user(user: AnyUser, pk: int, *, permission: str = VIEW_PATIENTS) -> Patient:
    """The patient, if the user's role may see patients (403 if not, 404 if no such record)."""
    require_permission(user, permission)
    return get_object_or_404(Patient.objects.select_related("created_by"), pk=pk)
