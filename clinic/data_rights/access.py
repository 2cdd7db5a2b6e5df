"""Who may use patients' data rights.

- Export (the whole record, clinical parts included): a practitioner or the clinic
  manager; the front desk may not, as the record holds clinical notes.
- Restriction and erasure: the clinic manager only.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.staff.access import AnyUser, has_role_permission, require_permission
from clinic.staff.roles import CLINICAL_WORK, MANAGE_CLINIC
from patients.access import VIEW_PATIENTS
from patients.models import Patient


def may_export(user: AnyUser) -> bool:
    return has_role_permission(user, CLINICAL_WORK) or has_role_permission(user, MANAGE_CLINIC)


def may_open_record(user: AnyUser) -> bool:
    """The patient's record page is the way back for practitioners; the manager, who does
    not open patients' records, goes back to the data requests."""
    return has_role_permission(user, VIEW_PATIENTS)


def may_manage_data_rights(user: AnyUser) -> bool:
    return has_role_permission(user, MANAGE_CLINIC)


def patient_for_export(user: AnyUser, pk: int) -> Patient:
    if not may_export(user):
        raise PermissionDenied
    return get_object_or_404(Patient, pk=pk)


def patient_for_data_rights(user: AnyUser, pk: int) -> Patient:
    require_permission(user, MANAGE_CLINIC)
    return get_object_or_404(Patient, pk=pk)
