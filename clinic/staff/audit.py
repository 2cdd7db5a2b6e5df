"""Access logging for patient and clinical records.

Changes to registered models are logged by django-auditlog's signals; a *look* at a record
is logged by calling one of these from the view that shows it. The actor is the signed-in
user, which auditlog's middleware attaches to the request; every entry is sealed into the
chain (clinic/staff/audit_chain.py) in the same transaction.

An access entry says which page was seen and, when the page is about one patient, whose
record it was (``additional_data``: ``{"page": ..., "patient": id}``), so the manager can
answer "who looked at this patient" (``record_accesses`` in clinic/staff/selectors.py). It
never holds what the page showed, and a search never holds what was typed: a name or date
of birth typed into a search can be health data by association (who is a patient here).

One access entry costs four queries: the INSERT, the chain head locked, the seal's INSERT
and the head moved on.
"""

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.signals import pre_save

from clinic.staff.access import has_role_permission
from clinic.staff.roles import CLINICAL_WORK

# The keys of an access entry's additional_data.
PAGE = "page"
PATIENT = "patient"
# Entries about these apps' records are clinical: what changed in them is for
# practitioners only (superusers included); anyone else sees which fields changed.
CLINICAL_APP_LABELS = frozenset({"treatments"})


def _details(page: str, patient_id: int | None, extra: dict[str, Any]) -> dict[str, Any] | None:
    details: dict[str, Any] = {PAGE: page} if page else {}
    if patient_id is not None:
        details[PATIENT] = patient_id
    details.update(extra)
    return details or None


@transaction.atomic(savepoint=False)
def audit_view(
    record: models.Model, *, page: str = "", patient_id: int | None = None
) -> LogEntry | None:
    """Record that the current user looked at ``record`` on ``page``.

    ``patient_id`` names the patient the record belongs to (the patient's own pk for the
    patient record), for the "who accessed this record" page.
    """
    return LogEntry.objects.log_create(
        record,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        additional_data=_details(page, patient_id, {}),
    )


@transaction.atomic(savepoint=False)
def audit_list(model: type[models.Model], *, page: str, searched: bool = False) -> LogEntry:
    """Record that the current user opened a list of ``model`` (a search when ``searched``).

    That it happened and by whom; not the search text, nor who was in the results.
    """
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=f"{page} (search)" if searched else page,
        action=LogEntry.Action.ACCESS,
        additional_data=_details(page, None, {"searched": searched}),
    )


def audit_export(record: models.Model, *, patient_id: int, export_format: str) -> LogEntry | None:
    """Record that the current user exported ``patient_id``'s record as ``export_format``."""
    return audit_view(record, page=f"export ({export_format})", patient_id=patient_id)


def entry_is_clinical(entry: LogEntry) -> bool:
    return entry.content_type.app_label in CLINICAL_APP_LABELS


def sees_clinical_values(user: Any) -> bool:
    """Whether ``user``'s role lets them read what changed in a clinical record."""
    return has_role_permission(user, CLINICAL_WORK)


@contextlib.contextmanager
def as_the_clinic(why: str) -> Iterator[None]:
    """Audit entries written inside name no actor but the clinic itself (``additional_data``
    says why), even inside a patient's or a colleague's action: what the clinic does next
    on its own (a freed time offered to the next patient waiting) is not theirs.

    auditlog stamps an entry from the one context in force (a context variable, matched
    by its own key); this block puts its own in force, with a key of its own, and puts
    the outer one back when it ends, so entries after it are the patient's or the
    colleague's again."""
    key = ("as_the_clinic", uuid.uuid4().hex)
    context: dict[str, Any] = {"signal_duid": key}

    def stamp(sender: Any, instance: LogEntry, **kwargs: Any) -> None:
        if auditlog_value.get(None) is context:
            instance.actor = None
            instance.actor_email = None
            instance.remote_addr = None
            instance.additional_data = {"actor": "clinic", "action": why}

    token = auditlog_value.set(context)
    pre_save.connect(stamp, sender=LogEntry, dispatch_uid=key, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(sender=LogEntry, dispatch_uid=key)
        auditlog_value.reset(token)
