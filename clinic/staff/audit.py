"""Access logging for clinical records.

Changes to registered models are logged by django-auditlog's signals; a *view* of a
clinical record is logged by calling ``audit_view`` from the view that shows it. The actor
is the signed-in user, which auditlog's middleware attaches to the request.
"""

from auditlog.signals import accessed
from django.db import models


def audit_view(record: models.Model) -> None:
    """Record that the current user looked at ``record`` (a model registered with auditlog)."""
    accessed.send(sender=type(record), instance=record)
