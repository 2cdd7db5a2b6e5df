"""The preparation email before the first session of a plan.

Some steps start two weeks ahead, so the patient gets them
``MessageSettings.preparation_days_before`` days (7 by default) before the first session,
at 10:00 at the location; a first session booked later than that gets them at once
(quiet hours still apply). Later sessions need no new email: the steps are the same.

1. ``plan_book`` calls ``preparation_schedule`` when it books the first session. The key
   names the plan, the appointment and its version, so scheduling twice makes one email.
2. When that appointment moves (``preparation_follow_move``, a receiver of
   ``appointment_moved``), the email still waiting is cancelled and one for the new time
   is scheduled. Once the steps have been sent for a plan, none is sent again: the patient
   has them, and the notice of the new time goes out anyway.
3. When it is cancelled, the outbox's own receiver cancels everything still waiting for
   it, the preparation included. The dispatcher checks again before sending: nothing
   goes out for an appointment that has moved on to a newer version, is no longer
   booked, or has begun."""

from datetime import datetime, time
from typing import Any

from django.utils import timezone

from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import message_settings
from clinic.messaging.services import message_schedule, messages_cancel_pending
from clinic.messaging.timing import days_before_at
from clinic.scheduling.models import Appointment
from treatments.models import TreatmentPlan
from treatments.models import TreatmentSession as Session
from treatments.plans.instructions import preparation_steps

K = PatientMessage.Kind


PREPARATION_AT = time(10, 0)


def _plan_prefix(plan_id: int) -> str:
    return f"preparation:plan:{plan_id}:"


def _key(plan_id: int, appointment: Appointment) -> str:
    return f"{_plan_prefix(plan_id)}appointment:{appointment.pk}:v{appointment.version}"


def preparation_sent(plan_id: int) -> bool:
    """Whether the patient has been sent the steps for this plan (a resent copy counts).

    Only a message that went out counts: one that was skipped, failed or is still being
    handed over may never reach the patient, and missing the steps is worse than reading
    them twice.
    """
    return PatientMessage.objects.filter(
        kind=K.PREPARATION,
        key__startswith=_plan_prefix(plan_id),
        status=PatientMessage.Status.SENT,
    ).exists()


def preparation_schedule(*, session: Session, now: datetime) -> PatientMessage | None:
    """Schedule the preparation email for a plan's booked first session; None when there
    is none to send (not the first session, not booked, or the steps were sent already)."""
    appointment = session.appointment
    if (
        session.number != 1
        or not session.is_booked
        or appointment is None
        or not appointment.is_upcoming
        or preparation_sent(session.plan_id)
    ):
        return None
    config = message_settings()
    zone = appointment.location.zone
    due = days_before_at(
        appointment.starts_at, config.preparation_days_before, PREPARATION_AT, zone
    )
    message = message_schedule(
        patient=appointment.patient,
        appointment=appointment,
        kind=K.PREPARATION,
        key=_key(session.plan_id, appointment),
        due_at=max(due, now),
        time_zone=appointment.location.time_zone,
        about=_about(session),
        payload={
            "plan": session.plan_id,
            "session_id": session.pk,
            "session": session.number,
            "steps": preparation_steps(),
        },
        config=config,
    )
    if message.status == PatientMessage.Status.PENDING and message.due_at >= appointment.starts_at:
        # Booked late in the evening for first thing tomorrow: quiet hours would hold the
        # email until the session has begun.
        message.status = PatientMessage.Status.CANCELLED
        message.skip_reason = "Quiet hours would send it after the session has begun."
        message.save(update_fields=["status", "skip_reason", "updated_at"])
    return message


def _about(session: Session) -> str:
    return f"first of {session.plan.sessions_planned} sessions, treatment plan #{session.plan_id}"


def preparation_follow_move(*, appointment: Appointment, now: datetime) -> PatientMessage | None:
    """After an appointment moved: if it is a plan's first session, the preparation
    follows it to the new time (or stays sent)."""
    session = (
        Session.objects.select_related("plan")
        .filter(appointment=appointment, number=1, plan__status__in=TreatmentPlan.UNDER_WAY)
        .first()
    )
    if session is None:
        return None
    # The appointment as moved, so the new version and time are used.
    session.appointment = appointment
    messages_cancel_pending(
        appointment=appointment, reason="The first session moved.", kinds=(K.PREPARATION,)
    )
    return preparation_schedule(session=session, now=now)


def on_appointment_moved(sender: Any, appointment: Appointment, **kwargs: Any) -> None:
    preparation_follow_move(appointment=appointment, now=timezone.now())
