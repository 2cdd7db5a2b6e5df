"""What the Django admin may show, and to whom.

The admin is for looking records up. Every record of ours is read-only there: the app's
pages change them through services that check what the admin cannot (overlapping hours,
double bookings, normalised phone numbers, versions, signatures, the messages a change
sends). The one exception is the practitioner's professional details.

Who sees what follows the roles, as in the app: records about patients are shown only to
a role that may see them in the app, whatever Django's superuser flag says, and each look
at one is written to the audit log. Only the clinic manager (and a superuser, for the
accounts) may sign in to the admin at all.
"""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse

from clinic.staff.access import has_role_permission
from clinic.staff.audit import audit_view
from clinic.staff.roles import CLINICAL_WORK, MANAGE_CLINIC


class CalendarBoundFilters(ChangeList):
    """A list whose date drill-down past the calendar's end (``due_at__year=9999`` runs to
    the year 10000) is answered as a bad filter, the admin's own message, not a 500."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class CalendarBoundLists(admin.ModelAdmin):
    """Put before every registered ModelAdmin by ClinicAdminSite.register."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, CalendarBoundFilters):
            return changelist
        return type(changelist.__name__, (CalendarBoundFilters, changelist), {})


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic administration"
    site_title = "Clinic administration"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every list, ours and the libraries' (axes, auditlog, beat), gets the bounded
        date drill-down."""
        base = admin_class or admin.ModelAdmin
        bounded = type(base.__name__, (CalendarBoundLists, base), {"__module__": base.__module__})
        super().register(model_or_iterable, bounded, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        # Behind the same sign-in as the app, second factor included.
        if not getattr(user, "is_verified", lambda: False)():
            return False
        return bool(user.is_superuser) or has_role_permission(user, MANAGE_CLINIC)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """The admin has no sign-in of its own: the app's (password, then second factor).

        A signed-in member of staff who may not use the admin is refused, not sent round.
        """
        if request.user.is_authenticated:
            raise PermissionDenied
        next_page = request.GET.get(REDIRECT_FIELD_NAME) or reverse(
            "admin:index", current_app=self.name
        )
        if request.method == "POST":
            messages.info(request, "Sign in here; the administration uses the clinic's sign-in.")
        return redirect_to_login(next_page, resolve_url(settings.LOGIN_URL))


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _patient_id(record: models.Model) -> int | None:
    """Whose record this is: the patient's own pk, or the pk its patient field holds."""
    if record._meta.label == "patients.Patient":
        return int(record.pk)
    patient_id = getattr(record, "patient_id", None)
    return patient_id if isinstance(patient_id, int) else None


class PersonalDataAdmin(ReadOnlyAdmin):
    """Records about patients: for the roles that see them in the app, each look audited."""

    role_permission = ""  # by default the model's own view permission

    def _may_view(self, request: HttpRequest) -> bool:
        permission = self.role_permission or f"{self.opts.app_label}.view_{self.opts.model_name}"
        return has_role_permission(request.user, permission)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> models.Model | None:
        record = super().get_object(request, object_id, from_field)
        if record is not None:
            audit_view(record, page="admin", patient_id=_patient_id(record))
        return record


class ClinicalRecordAdmin(PersonalDataAdmin):
    """A clinical record: for practitioners only, as in the app."""

    role_permission = CLINICAL_WORK
