from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff.admin_tools import ReadOnlyAdmin
from clinic.staff.models import PasswordLinkRequest, PractitionerProfile


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


@admin.register(PasswordLinkRequest)
class PasswordLinkRequestAdmin(ReadOnlyAdmin):
    """ "Forgot your password?" requests of the last hour (kept only to throttle them)."""

    list_display = ["requested_at", "ip_address"]


# Second factors are set up by their owner and reset by the clinic manager in the app's
# staff pages; the admin would show their secrets.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
