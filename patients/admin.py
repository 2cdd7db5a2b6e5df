from django.contrib import admin

from clinic.staff.admin_tools import PersonalDataAdmin
from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(PersonalDataAdmin):
    """Read-only: the patient pages normalise phone numbers and addresses, keep the
    search name and check for duplicates, which a save here would skip."""

    list_display = ["last_name", "first_name", "date_of_birth", "mobile", "email"]
    search_fields = ["search_name", "email", "mobile"]
    list_filter = ["preferred_channel", "consents_to_transactional_email"]
