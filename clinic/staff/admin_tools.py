"""What the Django admin may do with each kind of record.

The admin is for looking records up and for plain configuration. A record that is kept
by the app's own rules (a booking, a signed or versioned clinical record, a message in
the outbox, the audit trail) is read-only here: it changes only through the pages that
apply those rules, or never.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from clinic.staff.audit import audit_view


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Every look at one record is written to the audit log, as the app's pages do."""

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> models.Model | None:
        record = super().get_object(request, object_id, from_field)
        if record is not None:
            audit_view(record)
        return record


class ClinicalRecordAdmin(AuditedAdmin, ReadOnlyAdmin):
    """A clinical record: read-only, and each look at it audited."""


class NoDeleteAdmin(admin.ModelAdmin):
    """Configuration that records point at: switched off, never deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
