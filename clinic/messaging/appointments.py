"""The messages an appointment brings: confirmation and reminders when it is booked, a
new time and fresh reminders when it moves, a notice when it is cancelled, a word after
a missed one. Each runs inside the transaction that changed the appointment (the
scheduling signals are sent there), so the booking and its messages stand or fall
together."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from clinic.messaging.content import course_payload
from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.selectors import cancel_request_open, message_settings
from clinic.messaging.services import (
    cancel_requests_close,
    message_schedule,
    messages_cancel_pending,
)
from clinic.messaging.timing import day_before_at, hours_before
from clinic.scheduling.models import Appointment
from clinic.scheduling.signals import CardBadges

K = PatientMessage.Kind


def _key(appointment: Appointment, what: str) -> str:
    return f"appointment:{appointment.pk}:v{appointment.version}:{what}"


def _schedule(
    appointment: Appointment, kind: str, what: str, due: datetime, **extra: Any
) -> PatientMessage:
    return message_schedule(
        patient=appointment.patient,
        appointment=appointment,
        kind=kind,
        key=_key(appointment, what),
        due_at=due,
        time_zone=appointment.location.time_zone,
        **extra,
    )


def reminders_schedule(
    *, appointment: Appointment, now: datetime, config: MessageSettings
) -> list[PatientMessage]:
    """The clinic's reminders for this version of the appointment; one whose time has
    already passed, or that quiet hours would push past the start, is left out."""
    zone = appointment.location.zone
    wanted = []
    if config.reminder_hours_before:
        hours = config.reminder_hours_before
        due = hours_before(appointment.starts_at, hours)
        wanted.append((f"reminder:{hours}h", due, f"{hours} hours before"))
    if config.day_before_reminder_at is not None:
        at = config.day_before_reminder_at
        due = day_before_at(appointment.starts_at, at, zone)
        wanted.append(("reminder:day-before", due, f"the day before at {at:%H:%M}"))
    made = []
    for what, due, about in wanted:
        if due <= now:
            continue
        message = _schedule(appointment, K.REMINDER, what, due, about=about, config=config)
        if message.due_at >= appointment.starts_at:
            message.status = PatientMessage.Status.CANCELLED
            message.skip_reason = "Quiet hours would send it after the appointment."
            message.save(update_fields=["status", "skip_reason", "updated_at"])
            continue
        made.append(message)
    return made


# The medical-history reminder goes this long before a consultation, unless the history
# has been sent by then (it is skipped with that reason at send time).
HISTORY_REMINDER_BEFORE = timedelta(hours=48)


def history_reminder_schedule(*, appointment: Appointment, now: datetime) -> PatientMessage | None:
    """For a consultation whose history is not in yet: a reminder 48 hours before, if
    48 hours remain."""
    if not appointment.wants_history(now):
        return None
    due = appointment.starts_at - HISTORY_REMINDER_BEFORE
    if due <= now:
        return None
    return _schedule(
        appointment, K.HISTORY_REMINDER, "history-reminder", due, about="48 hours before"
    )


def course_confirmation_schedule(*, appointments: Sequence[Appointment], now: datetime) -> None:
    """Confirm a course booked at once in one email, listing every session with a calendar
    file holding each, instead of a confirmation per session in the same second (a single
    booking gets the usual confirmation). Its bookings were made with
    ``confirm_alone=False``, so each has its reminders and no confirmation of its own; a
    later move of one of them sends that one's new time."""
    if len(appointments) == 1:
        _schedule(appointments[0], K.CONFIRMATION, "confirmation", now)
    elif appointments:
        first = appointments[0]
        message_schedule(
            patient=first.patient,
            kind=K.COURSE_CONFIRMATION,
            key=f"{_key(first, 'course-confirmation')}:{len(appointments)}",
            due_at=now,
            time_zone=first.location.time_zone,
            about=f"{len(appointments)} sessions",
            payload=course_payload(appointments),
        )


def appointment_messages_booked(
    *, appointment: Appointment, now: datetime, confirm_alone: bool = True
) -> None:
    config = message_settings()
    if confirm_alone:
        _schedule(appointment, K.CONFIRMATION, "confirmation", now, config=config)
    reminders_schedule(appointment=appointment, now=now, config=config)
    history_reminder_schedule(appointment=appointment, now=now)


def appointment_messages_moved(*, appointment: Appointment, now: datetime) -> None:
    """The earlier version's confirmation and reminders are stopped, not sent."""
    config = message_settings()
    messages_cancel_pending(
        appointment=appointment,
        reason="The appointment moved; a newer message replaces this one.",
        kinds=(K.CONFIRMATION, K.RESCHEDULED, K.REMINDER, K.HISTORY_REMINDER),
    )
    _schedule(appointment, K.RESCHEDULED, "rescheduled", now, config=config)
    reminders_schedule(appointment=appointment, now=now, config=config)
    history_reminder_schedule(appointment=appointment, now=now)


def appointment_messages_cancelled(*, appointment: Appointment, now: datetime) -> None:
    messages_cancel_pending(appointment=appointment, reason="The appointment was cancelled.")
    cancel_requests_close(appointment=appointment)
    _schedule(appointment, K.CANCELLATION, "cancellation", now)


def appointment_messages_no_show(*, appointment: Appointment, now: datetime) -> None:
    messages_cancel_pending(appointment=appointment, reason="The patient did not come.")
    cancel_requests_close(appointment=appointment)
    _schedule(appointment, K.NO_SHOW, "no-show", now)


# Receivers for the scheduling signals (connected in apps.py).


def on_booked(
    sender: Any, appointment: Appointment, confirm_alone: bool = True, **kwargs: Any
) -> None:
    appointment_messages_booked(
        appointment=appointment, now=timezone.now(), confirm_alone=confirm_alone
    )


def on_moved(sender: Any, appointment: Appointment, **kwargs: Any) -> None:
    appointment_messages_moved(appointment=appointment, now=timezone.now())


def on_cancelled(sender: Any, appointment: Appointment, **kwargs: Any) -> None:
    appointment_messages_cancelled(appointment=appointment, now=timezone.now())


def on_no_show(sender: Any, appointment: Appointment, **kwargs: Any) -> None:
    appointment_messages_no_show(appointment=appointment, now=timezone.now())


def on_badges(**_: Any) -> CardBadges:
    """The book's cards: whether the patient asked to cancel from an email."""
    return CardBadges(cancel_requested=cancel_request_open())
