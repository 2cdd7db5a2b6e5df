from django.contrib import admin

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.staff.admin_tools import PersonalDataAdmin, ReadOnlyAdmin


@admin.register(PatientMessage)
class PatientMessageAdmin(PersonalDataAdmin):
    """The outbox is written by bookings and sessions and sent by Celery; resend and
    previews are on the Messages page."""

    list_display = ["due_at", "kind", "patient", "status", "attempts", "sent_at", "reply"]
    list_filter = ["status", "kind", "reply", "reply_late"]
    list_select_related = ["patient"]
    search_fields = ["patient__search_name", "patient__email", "key"]
    date_hierarchy = "due_at"
    ordering = ["-due_at"]
    exclude = ["claim"]


@admin.register(MessageSettings)
class MessageSettingsAdmin(ReadOnlyAdmin):
    """Changed on the Messages settings page, which checks the values together."""

    list_display = [
        "reminder_hours_before",
        "day_before_reminder_at",
        "preparation_days_before",
        "quiet_from",
        "quiet_until",
        "updated_at",
    ]
