from datetime import datetime

from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.db.models import Count, Q, QuerySet

from clinic.staff.audit import PATIENT
from clinic.staff.roles import Role


def staff_count_by_role() -> dict[Role, int]:
    """Active staff per role, in one query."""
    by_name = {role.group_name: role for role in Role}
    rows = Group.objects.filter(name__in=by_name).annotate(
        active=Count("user", filter=Q(user__is_active=True))
    )
    counts = dict.fromkeys(Role, 0)
    for group in rows:
        counts[by_name[group.name]] = group.active
    return counts


def audit_entry_list(
    *,
    action: int | None = None,
    actor: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[LogEntry]:
    """Audit log entries, newest first, with the actor and record type joined in."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if action is not None:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor__username__iexact=actor)
    if since is not None:
        entries = entries.filter(timestamp__gte=since)
    if until is not None:
        entries = entries.filter(timestamp__lt=until)
    return entries


def record_accesses(patient_id: int) -> QuerySet[LogEntry]:
    """Who looked at a patient's record, newest first: every access entry that names them.

    Each entry has its actor and record type joined in; what the entry says is which page
    was seen (``additional_data["page"]``), never what it showed.
    """
    return (
        LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, **{f"additional_data__{PATIENT}": patient_id}
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
