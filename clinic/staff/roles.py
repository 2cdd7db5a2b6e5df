"""The three staff roles. Each is a Group whose permissions a migration keeps in step."""

from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", "Front desk"
    PRACTITIONER = "practitioner", "Practitioner"
    CLINIC_MANAGER = "clinic_manager", "Clinic manager"

    @property
    def group_name(self) -> str:
        return str(self.label)


# Permissions of clinic.staff.ClinicAccess, by role. Later apps add their model
# permissions to the same groups in their own migrations.
FRONT_DESK_WORK = "staff.front_desk_work"
CLINICAL_WORK = "staff.clinical_work"
MANAGE_CLINIC = "staff.manage_clinic"
VIEW_REPORTS = "staff.view_reports"
VIEW_AUDIT_LOG = "staff.view_audit_log"
