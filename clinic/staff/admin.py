from typing import Any

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from auditlog.render import get_field_verbose_name
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff.admin_tools import ReadOnlyAdmin
from clinic.staff.audit import entry_is_clinical, sees_clinical_values
from clinic.staff.models import (
    AuditChainHead,
    AuditSeal,
    PasswordLinkRequest,
    PractitionerProfile,
)


@admin.register(PractitionerProfile)
class PractitionerProfileAdmin(admin.ModelAdmin):
    """The manager keeps a practitioner's professional details here. The account a
    profile belongs to never changes: their appointments and records hang on it."""

    list_display = ["__str__", "job_title", "registration_body", "registration_number"]
    list_select_related = ["user"]
    search_fields = ["user__first_name", "user__last_name", "registration_number"]

    def get_readonly_fields(self, request: HttpRequest, obj: object | None = None) -> list[str]:
        return ["user"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Staff accounts are switched off (untick "active"), never deleted.

    Their names stand in the audit log and on clinical records for good.
    """

    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "groups", "is_staff"]

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditEntryAdmin(LogEntryAdmin):
    """django-auditlog's read-only entry pages, with clinical values kept to practitioners.

    Anyone else, superusers included, sees which fields of a clinical record changed but
    not what they changed from or to, and cannot search the changes' text for a value.
    """

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        fields = list(super().get_search_fields(request))
        if sees_clinical_values(request.user):
            return fields
        return [name for name in fields if name != "changes"]

    readonly_fields = [*LogEntryAdmin.readonly_fields, "changed_fields"]

    def _redacts(self, request: HttpRequest, obj: LogEntry | None) -> bool:
        return obj is not None and entry_is_clinical(obj) and not sees_clinical_values(request.user)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # Decided per request from the request itself: the admin instance is shared.
        fieldsets = super().get_fieldsets(request, obj)
        if not self._redacts(request, obj):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "changed_fields" if field == "msg" else field for field in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description="Changes")
    def changed_fields(self, obj: LogEntry) -> Any:
        fields = sorted(get_field_verbose_name(obj, name) for name in obj.changes_dict)
        if not fields:
            return "—"
        return format_html(
            "<p>Fields changed (the values of a clinical record are for practitioners):</p>"
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((name,) for name in fields)),
        )


@admin.register(AuditSeal)
class AuditSealAdmin(ReadOnlyAdmin):
    """Each entry's place in the chain; ``manage.py audit_verify`` checks them."""

    list_display = ["sequence", "entry", "digest"]
    list_select_related = ["entry"]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "digest"]


@admin.register(PasswordLinkRequest)
class PasswordLinkRequestAdmin(ReadOnlyAdmin):
    """ "Forgot your password?" requests of the last hour (kept only to throttle them)."""

    list_display = ["requested_at", "ip_address"]


# Second factors are set up by their owner and reset by the clinic manager in the app's
# staff pages; the admin would show their secrets.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
