from django.contrib import admin

from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "mobile", "email"]
    search_fields = ["search_name", "email", "mobile"]
    list_filter = ["preferred_channel", "consents_to_transactional_email"]
    readonly_fields = ["created_at", "updated_at", "created_by"]
