"""The audit entries of data-rights actions, and who looked at a patient's record.

Each action is one entry on the patient, named by what was done (export, restriction,
restriction lifted, erasure, anonymisation) with a short detail and never the data
itself. The writes that erase or anonymise run with auditlog's automatic entries off, so
that the values being removed are not copied into the log as "old values".

``record_accesses`` reads the audit model directly; it answers "who accessed this record"
until the audit app offers a selector of its own.
"""

from typing import Any

from auditlog import get_logentry_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from patients.models import Patient

ACTION_WORDS = {0: "created", 1: "changed", 2: "deleted", 3: "viewed"}


def audit_data_rights(patient: Patient, what: str, detail: str, *, viewed: bool = False) -> Any:
    """One audit entry on ``patient`` for a data-rights action; the actor is the signed-in
    user (none from a periodic task)."""
    log_entry = get_logentry_model()
    action = log_entry.Action.ACCESS if viewed else log_entry.Action.UPDATE
    # The entry and its seal in one transaction, so that no entry is left unsealed.
    with transaction.atomic(savepoint=False):
        return _log(log_entry, patient, action, what, detail)


def _log(log_entry: Any, patient: Patient, action: Any, what: str, detail: str) -> Any:
    return log_entry.objects.log_create(
        patient,
        action=action,
        force_log=True,
        changes={what: ["", detail]},
        # Named like audit_view's entries, so that the manager's "who accessed this record"
        # lists exports and the other data-rights actions too.
        additional_data={
            "data_rights": what,
            "patient": patient.pk,
            "page": f"data rights: {what}",
        },
    )


def record_accesses(patient: Patient, records: dict[type, list[int]]) -> list[dict[str, Any]]:
    """Who did what to the patient's record and its clinical rows, newest first: who,
    when, which kind of record and whether viewed or changed, never the content. One
    query (content types come from Django's cache)."""
    log_entry = get_logentry_model()
    wanted = Q(content_type=ContentType.objects.get_for_model(Patient), object_id=patient.pk)
    for model, ids in records.items():
        if ids:
            wanted |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    entries = (
        log_entry.objects.filter(wanted)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    return [
        {
            "when": entry.timestamp,
            "who": _who(entry.actor),
            "record": entry.content_type.name,
            "action": _action(entry),
        }
        for entry in entries
    ]


def _who(actor: Any) -> str:
    if actor is None:
        return "the system"
    return str(actor.get_full_name() or actor.get_username())


def _action(entry: Any) -> str:
    data_rights = (entry.additional_data or {}).get("data_rights")
    if data_rights:
        return str(data_rights)
    return ACTION_WORDS.get(entry.action, "other")
