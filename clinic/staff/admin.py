from django.contrib import admin

from clinic.staff.models import PractitionerProfile


@admin.register(PractitionerProfile)
class PractitionerProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "job_title", "registration_body", "registration_number"]
    list_select_related = ["user"]
    search_fields = ["user__first_name", "user__last_name", "registration_number"]
