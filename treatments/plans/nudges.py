"""The nudge to book the next session of a course when it is not booked in time.

Collagen keeps remodelling for weeks after a session, so the next one belongs in its
interval window (4 to 6 weeks after, by default). When a session has been done and the
next one is still only proposed once its window has opened at the location, the patient
gets one email saying when the next session is best. Beat runs this every hour
(``treatments.tasks``).

1. Find the candidates in one query: sessions still proposed, in active plans, whose
   previous session is completed and whose window has opened somewhere on Earth.
2. Judge each window against today at the plan's location; a window already over is left
   to the front desk, since "best between" two past dates helps nobody.
3. Schedule what is due in one go (``messages_schedule_many``). The key names the
   session, so each session is nudged once, however often this runs.

Booking the plan, pausing it or cancelling it stops a nudge still waiting to go out
(``treatments.plans``)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import MessageToSchedule, messages_schedule_many
from clinic.messaging.timing import wall_time
from treatments.models import TreatmentPlan
from treatments.models import TreatmentSession as Session

NUDGE_AT = time(10, 0)


# The furthest any time zone runs ahead of UTC: no location's today is later than this.
MAX_AHEAD_OF_UTC = timedelta(hours=14)


def nudge_prefix(plan_id: int) -> str:
    return f"next-session:plan:{plan_id}:"


def nudge_key(plan_id: int, session_id: int) -> str:
    return f"{nudge_prefix(plan_id)}session:{session_id}"


def patient_date(day: date) -> str:
    """A date as a patient reads it: "Monday 7 December"."""
    return f"{day:%A} {day.day} {day:%B}"


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


@dataclass(frozen=True)
class Window:
    first: date
    last: date


def unbooked_next_sessions(*, now: datetime) -> QuerySet[Session]:
    """Sessions waiting to be booked after a completed one, in active plans, whose window
    may have opened (judged in the plan's own zone by the caller), with the plan, its
    location and patient, and the previous session's start, in one query."""
    # At most one session has a number in a plan; without the default ordering (by the
    # plan's) the subqueries are an index look-up each. An EXISTS the database may join
    # after the (few) proposed sessions of active plans are found, not before.
    previous = Session.objects.filter(
        plan=OuterRef("plan"),
        number=OuterRef("number") - 1,
        status=Session.Status.COMPLETED,
        appointment__isnull=False,
    ).order_by()
    latest_today = (now.astimezone(UTC) + MAX_AHEAD_OF_UTC).date()
    return (
        Session.objects.filter(
            plan__status=TreatmentPlan.Status.ACTIVE, status=Session.Status.PROPOSED
        )
        .filter(Exists(previous))
        .annotate(previous_start=Subquery(previous.values("appointment__starts_at")[:1]))
        .filter(Q(window_first__isnull=True) | Q(window_first__lte=latest_today))
        .select_related("plan__location", "plan__patient")
        .order_by("plan_id", "number")
    )


def session_window(session: Session, previous_start: datetime) -> Window:
    """The session's interval window; counted from the previous session when the planner
    found no time and so left it blank."""
    plan = session.plan
    previous_day = previous_start.astimezone(plan.location.zone).date()
    first = session.window_first or previous_day + timedelta(days=plan.min_interval_days)
    last = session.window_last or previous_day + timedelta(days=plan.max_interval_days)
    return Window(first, last)


def _nudge(session: Session, window: Window, now: datetime) -> MessageToSchedule:
    plan = session.plan
    zone = plan.location.zone
    return MessageToSchedule(
        patient=plan.patient,
        kind=PatientMessage.Kind.NEXT_SESSION,
        key=nudge_key(plan.pk, session.pk),
        # At a civil hour on the day the window opens, or now when that has passed.
        due_at=max(now, wall_time(window.first, NUDGE_AT, zone)),
        time_zone=plan.location.time_zone,
        about=(
            f"session {session.number} of {plan.sessions_planned} not booked, "
            f"best {short_date(window.first)} to {short_date(window.last)} (plan #{plan.pk})"
        ),
        payload={
            "plan": plan.pk,
            "location": plan.location_id,
            "session_id": session.pk,
            "session": session.number,
            "of": plan.sessions_planned,
            "window_first": patient_date(window.first),
            "window_last": patient_date(window.last),
        },
    )


def next_session_nudges_schedule(*, now: datetime) -> list[PatientMessage]:
    """Schedule the nudge for every next session whose window has opened unbooked;
    returns the messages scheduled by this run. A fixed number of queries, however many
    plans there are."""
    wanted = []
    for session in unbooked_next_sessions(now=now):
        window = session_window(session, session.previous_start)  # type: ignore[attr-defined]
        today = now.astimezone(session.plan.location.zone).date()
        if window.first <= today <= window.last:
            wanted.append(_nudge(session, window, now))
    return messages_schedule_many(messages=wanted)
