"""The front desk's Today for one location: the day's arrivals in time order, and what
needs doing. Each list is windowed, so the page costs the same at a chain's scale.

1. Arrivals: the day's appointments still to arrive or arrived, cut at the location's
   midnight, the first ``ARRIVALS_SHOWN``; the day list has the rest. Read afresh for
   every request: the desk checks patients in from it.
2. To do, each at most ``TODO_SHOWN``: patients who asked to cancel; appointments that
   fall on a closure or in leave (named, with a link to move them); plan sessions whose
   window is open and still unbooked; messages that failed. Five queries that every
   desk of the location would repeat on every visit, so the list, as drawn, is kept in
   the shared cache (clinic/shared_cache.py) for the location's day under the to-do
   generation, which every write it shows starts afresh: a save of an appointment, a
   message, a plan or its sessions, leave, a closure, a location, a patient, a
   practitioner or their account (ClinicConfig.ready), a migration, and the few writes
   that update messages in bulk (clinic/messaging/services.py). ``TODO_KEPT_SECONDS``
   bounds what a change made any other way leaves, and how long a clash that has begun
   stays listed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.safestring import SafeString

from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import cancel_requests
from clinic.scheduling.models import Appointment, Location
from clinic.scheduling.selectors import appointment_rows_at, appointments_clashing
from clinic.shared_cache import FRONT_DESK_TO_DO, kept_html
from treatments.plans.nudges import session_window, unbooked_next_sessions

ARRIVALS_SHOWN = 40
TODO_SHOWN = 10
CLASHES_AHEAD_DAYS = 28
SESSIONS_LOOKED_AT = 50  # unbooked sessions read to find those whose window is open
TODO_KEPT_SECONDS = 60


@dataclass
class Shown:
    """The first rows of a list, and whether there are more than shown."""

    rows: Sequence[Any] = field(default_factory=list)
    more: bool = False

    @classmethod
    def of(cls, rows: Sequence[Any], shown: int) -> "Shown":
        return cls(rows[:shown], len(rows) > shown)


@dataclass
class ToDo:
    cancel_requests: Shown
    clashes: Shown
    unbooked_sessions: Shown
    failed_messages: Shown

    @property
    def nothing_to_do(self) -> bool:
        lists = (self.cancel_requests, self.clashes, self.unbooked_sessions, self.failed_messages)
        return not any(window.rows for window in lists)


@dataclass
class FrontDeskDay:
    location: Location
    arrivals: Shown
    to_do: SafeString  # the list, drawn


def _unbooked_sessions(location: Location, now: datetime) -> list[Any]:
    today = now.astimezone(location.zone).date()
    sessions = unbooked_next_sessions(now=now).filter(plan__location=location)
    open_now = []
    for session in sessions[:SESSIONS_LOOKED_AT]:
        window = session_window(session, session.previous_start)  # type: ignore[attr-defined]
        if window.first <= today:
            open_now.append((session, window))
    return open_now[: TODO_SHOWN + 1]


def front_desk_to_do(*, location: Location, now: datetime) -> ToDo:
    """What needs doing at one location, in five queries: cancel requests, closures, the
    appointments on a closure or in leave, unbooked sessions, failed messages."""
    requests = cancel_requests().filter(appointment__location=location)
    failed = (
        PatientMessage.objects.filter(status=PatientMessage.Status.FAILED)
        .select_related("patient")
        .order_by("-due_at", "-pk")
    )
    clashes = appointments_clashing(location, now=now, days=CLASHES_AHEAD_DAYS, limit=TODO_SHOWN)
    return ToDo(
        cancel_requests=Shown.of(list(requests[: TODO_SHOWN + 1]), TODO_SHOWN),
        clashes=Shown.of(list(clashes), TODO_SHOWN),
        unbooked_sessions=Shown.of(_unbooked_sessions(location, now), TODO_SHOWN),
        failed_messages=Shown.of(list(failed[: TODO_SHOWN + 1]), TODO_SHOWN),
    )


def to_do_drawn(*, location: Location, now: datetime) -> SafeString:
    """The location's to-do list as Today draws it, from the shared cache when a list of
    the current to-do generation is kept for the location's day."""
    day = now.astimezone(location.zone).date()
    return kept_html(
        FRONT_DESK_TO_DO,
        f"{location.pk}:{day}",
        "clinic/_today_to_do.html",
        lambda: {"to_do": front_desk_to_do(location=location, now=now)},
        seconds=TODO_KEPT_SECONDS,
    )


def front_desk_day(*, location: Location, now: datetime) -> FrontDeskDay:
    """The day at one location: its arrivals, as plain rows (one query), and its to-do
    list."""
    day = now.astimezone(location.zone).date()
    arrivals = appointment_rows_at(
        location, day, day, statuses=Appointment.ARRIVING, limit=ARRIVALS_SHOWN + 1
    )
    return FrontDeskDay(
        location=location,
        arrivals=Shown.of(arrivals, ARRIVALS_SHOWN),
        to_do=to_do_drawn(location=location, now=now),
    )
