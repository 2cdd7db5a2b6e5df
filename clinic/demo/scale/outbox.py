"""The patient messages a made-up appointment would have left in the outbox (no database).

The same messages the booking services write (``clinic.messaging.appointments``): a
confirmation when it was booked, the clinic's reminders, a notice when it was cancelled
or missed, each with the same key as the real one under a ``scale:`` prefix, so a key
can never meet a real message's. What happened to each follows from the time: due later
than now it is still waiting; an appointment cancelled before a reminder was due stops
it; otherwise it was sent, or skipped for a patient without email consent or address,
and a few failed. Some patients answered a reminder: most to confirm, some to ask to
cancel.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.messaging.models import PatientMessage
from clinic.messaging.timing import QuietHours, day_before_at, hours_before

K, St, R = PatientMessage.Kind, PatientMessage.Status, PatientMessage.Reply

FAILURE_SHARE = 0.02
FAILURES = (
    "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable",
    "SMTPServerDisconnected: Connection unexpectedly closed",
    "SMTPDataError: 554 5.7.1 message rejected as spam",
)
NO_CONSENT = "The patient has not agreed to appointment and care emails."
NO_ADDRESS = "There is no email address on the patient's record."


@dataclass(frozen=True)
class MessageRules:
    """The clinic's message settings and the location's zone, as plain values."""

    reminder_hours_before: int
    day_before_reminder_at: time | None
    quiet: QuietHours
    zone: ZoneInfo
    now: datetime


@dataclass(frozen=True)
class Booking:
    """One appointment as the outbox saw it."""

    patient: int
    starts_at: datetime
    booked_at: datetime
    cancelled_at: datetime | None
    late_cancel: bool
    no_show: bool
    may_email: bool
    has_email: bool


@dataclass
class Outbox:
    """The messages of one appointment (without the appointment, which is written after
    them), and whether the patient confirmed it from a reminder."""

    messages: list[tuple[str, PatientMessage]]  # (what, message): the key's last part
    confirmed: bool = False


def _wanted(booking: Booking, rules: MessageRules) -> list[tuple[str, str, datetime, str]]:
    """(kind, what, due, about) for each message the booking services would have written."""
    start, zone = booking.starts_at, rules.zone
    wanted: list[tuple[str, str, datetime, str]] = [
        (K.CONFIRMATION, "confirmation", booking.booked_at, "")
    ]
    reminders = []
    if rules.reminder_hours_before:
        hours = rules.reminder_hours_before
        due = hours_before(start, hours)
        reminders.append((K.REMINDER, f"reminder:{hours}h", due, f"{hours} hours before"))
    if rules.day_before_reminder_at is not None:
        at = rules.day_before_reminder_at
        due = day_before_at(start, at, zone)
        reminders.append((K.REMINDER, "reminder:day-before", due, f"the day before at {at:%H:%M}"))
    # A reminder whose time had passed when the appointment was booked is never written.
    wanted += [r for r in reminders if r[2] > booking.booked_at]
    if booking.cancelled_at is not None:
        wanted.append((K.CANCELLATION, "cancellation", booking.cancelled_at, ""))
    elif booking.no_show:
        wanted.append((K.NO_SHOW, "no-show", start + timedelta(minutes=30), ""))
    return wanted


def appointment_outbox(booking: Booking, rules: MessageRules, rng: random.Random) -> Outbox:
    outbox = Outbox([])
    for kind, what, due, about in _wanted(booking, rules):
        message = PatientMessage(
            patient_id=booking.patient,
            appointment_version=2 if kind == K.CANCELLATION else 1,
            kind=kind,
            about=about,
            payload={},
            time_zone=str(rules.zone),
            due_at=rules.quiet.next_allowed(due, rules.zone),
            created_at=due if kind in (K.CANCELLATION, K.NO_SHOW) else booking.booked_at,
        )
        _settle(message, booking, rules, rng)
        outbox.messages.append((what, message))
    _replies(outbox, booking, rules, rng)
    return outbox


def _settle(
    message: PatientMessage, booking: Booking, rules: MessageRules, rng: random.Random
) -> None:
    """What became of the message by now."""
    due = message.due_at
    message.updated_at = message.created_at
    if message.kind == K.REMINDER and due >= booking.starts_at:
        _stop(message, St.CANCELLED, "Quiet hours would send it after the appointment.")
    elif message.kind == K.REMINDER and booking.cancelled_at and due > booking.cancelled_at:
        _stop(message, St.CANCELLED, "The appointment was cancelled.", booking.cancelled_at)
    elif due > rules.now:
        message.status = St.PENDING
    elif not booking.may_email:
        _stop(message, St.SKIPPED, NO_CONSENT, due)
    elif not booking.has_email:
        _stop(message, St.SKIPPED, NO_ADDRESS, due)
    elif rng.random() < FAILURE_SHARE:
        message.status, message.attempts = St.FAILED, 8
        message.last_error = rng.choice(FAILURES)
        # Eight tries, waiting 1, 2, 4 ... minutes between them.
        message.updated_at = due + timedelta(minutes=2**7 + rng.randint(1, 60))
    else:
        message.status, message.attempts = St.SENT, 1
        message.sent_at = due + timedelta(seconds=rng.randint(3, 90))
        message.updated_at = message.sent_at


def _stop(message: PatientMessage, status: str, reason: str, when: datetime | None = None) -> None:
    message.status, message.skip_reason = status, reason
    message.updated_at = when or message.created_at


def _replies(outbox: Outbox, booking: Booking, rules: MessageRules, rng: random.Random) -> None:
    """A patient answers the last reminder they were sent, from its link: to confirm
    (about a third) or, before a cancellation, to ask to cancel (some)."""
    sent = [m for _, m in outbox.messages if m.kind == K.REMINDER and m.status == St.SENT]
    if not sent or sent[-1].sent_at is None:
        return
    reminder, sent_at = sent[-1], sent[-1].sent_at
    if booking.cancelled_at is not None:
        if sent_at < booking.cancelled_at and rng.random() < 0.4:
            reminder.reply, reminder.reply_late = R.CANCEL_REQUESTED, booking.late_cancel
            reminder.replied_at = max(sent_at, booking.cancelled_at - timedelta(minutes=20))
            reminder.updated_at = reminder.replied_at
        return
    answered = sent_at + timedelta(minutes=rng.randint(2, 360))
    if rng.random() < 0.35 and answered < min(booking.starts_at, rules.now):
        reminder.reply, reminder.replied_at = R.CONFIRMED, answered
        reminder.updated_at = answered
        outbox.confirmed = True
