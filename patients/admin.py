from django.contrib import admin

from clinic.staff.admin_tools import AuditedAdmin, NoDeleteAdmin
from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(AuditedAdmin, NoDeleteAdmin):
    """Contact details may be corrected here; a patient's record is never deleted."""

    list_display = ["last_name", "first_name", "date_of_birth", "mobile", "email"]
    search_fields = ["search_name", "email", "mobile"]
    list_filter = ["preferred_channel", "consents_to_transactional_email"]
    readonly_fields = ["search_name", "created_at", "updated_at", "created_by"]
