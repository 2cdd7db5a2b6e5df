"""A plan session on the waitlist: the key the waitlist keeps for it, and its entry let
go once the session is booked some other way, or its plan paused or cancelled.

The scheduling app knows nothing of plans: an entry for a session carries the opaque
``purpose`` made here, and the acceptance of an offer asks this app to book it
(``waitlist_booking``; patient_waitlist.py answers).
"""

from collections.abc import Iterable
from datetime import datetime

from clinic.scheduling.models import WaitlistEntry
from clinic.scheduling.waitlist import waitlist_remove

PURPOSE_PREFIX = "plan-session:"


def session_purpose(session_id: int) -> str:
    return f"{PURPOSE_PREFIX}{session_id}"


def session_of(purpose: str) -> int | None:
    """The session an entry's purpose names, or None when it is not a plan session's."""
    head, _, number = purpose.partition(":")
    if f"{head}:" != PURPOSE_PREFIX or not number.isdigit():
        return None
    return int(number)


def waiting_for(session_id: int) -> WaitlistEntry | None:
    """The session's entry still on the list (at most one: a constraint says so)."""
    return (
        WaitlistEntry.objects.filter(
            purpose=session_purpose(session_id), status__in=WaitlistEntry.OPEN
        )
        .select_related("practitioner__user")
        .first()
    )


def sessions_leave_waitlist(
    *, session_ids: Iterable[int], reason: str, now: datetime, keep_entry_id: int | None = None
) -> int:
    """Take the sessions' entries off the list (a time one holds goes to the next
    patient); ``keep_entry_id`` is the entry whose offer is booking the session."""
    purposes = [session_purpose(pk) for pk in session_ids]
    if not purposes:
        return 0
    entries = WaitlistEntry.objects.filter(purpose__in=purposes, status__in=WaitlistEntry.OPEN)
    if keep_entry_id is not None:
        entries = entries.exclude(pk=keep_entry_id)
    left = 0
    for entry in entries:
        waitlist_remove(entry=entry, reason=reason, now=now)
        left += 1
    return left
