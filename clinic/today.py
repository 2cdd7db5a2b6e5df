"""The front desk's Today for one location: the day's arrivals in time order, and what
needs doing. Each list is windowed, so the page costs the same at a chain's scale.

1. Arrivals: the day's appointments still to arrive or arrived, cut at the location's
   midnight, the first ``ARRIVALS_SHOWN``; the day list has the rest.
2. To do, each at most ``TODO_SHOWN``: patients who asked to cancel; appointments that
   fall on a closure or in leave (named, with a link to move them); plan sessions whose
   window is open and still unbooked; messages that failed.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import cancel_requests
from clinic.scheduling.models import Appointment, Location
from clinic.scheduling.selectors import appointments_at, appointments_clashing
from treatments.plans.nudges import session_window, unbooked_next_sessions

ARRIVALS_SHOWN = 40
TODO_SHOWN = 10
CLASHES_AHEAD_DAYS = 28
SESSIONS_LOOKED_AT = 50  # unbooked sessions read to find those whose window is open


@dataclass
class Shown:
    """The first rows of a list, and whether there are more than shown."""

    rows: Sequence[Any] = field(default_factory=list)
    more: bool = False

    @classmethod
    def of(cls, rows: Sequence[Any], shown: int) -> "Shown":
        return cls(rows[:shown], len(rows) > shown)


@dataclass
class FrontDeskDay:
    location: Location
    arrivals: Shown
    cancel_requests: Shown
    clashes: Shown
    unbooked_sessions: Shown
    failed_messages: Shown

    @property
    def nothing_to_do(self) -> bool:
        lists = (self.cancel_requests, self.clashes, self.unbooked_sessions, self.failed_messages)
        return not any(window.rows for window in lists)


def _unbooked_sessions(location: Location, now: datetime) -> list[Any]:
    today = now.astimezone(location.zone).date()
    sessions = unbooked_next_sessions(now=now).filter(plan__location=location)
    open_now = []
    for session in sessions[:SESSIONS_LOOKED_AT]:
        window = session_window(session, session.previous_start)  # type: ignore[attr-defined]
        if window.first <= today:
            open_now.append((session, window))
    return open_now[: TODO_SHOWN + 1]


def front_desk_day(*, location: Location, now: datetime) -> FrontDeskDay:
    """The day at one location, in six queries: arrivals, cancel requests, closures, the
    appointments on a closure or in leave, unbooked sessions, failed messages."""
    day = now.astimezone(location.zone).date()
    arrivals = appointments_at(location, day, day).filter(status__in=Appointment.ARRIVING)
    requests = cancel_requests().filter(appointment__location=location)
    failed = (
        PatientMessage.objects.filter(status=PatientMessage.Status.FAILED)
        .select_related("patient")
        .order_by("-due_at", "-pk")
    )
    return FrontDeskDay(
        location=location,
        arrivals=Shown.of(list(arrivals[: ARRIVALS_SHOWN + 1]), ARRIVALS_SHOWN),
        cancel_requests=Shown.of(list(requests[: TODO_SHOWN + 1]), TODO_SHOWN),
        clashes=Shown.of(
            list(
                appointments_clashing(location, now=now, days=CLASHES_AHEAD_DAYS, limit=TODO_SHOWN)
            ),
            TODO_SHOWN,
        ),
        unbooked_sessions=Shown.of(_unbooked_sessions(location, now), TODO_SHOWN),
        failed_messages=Shown.of(list(failed[: TODO_SHOWN + 1]), TODO_SHOWN),
    )
