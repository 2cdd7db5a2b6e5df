"""Writes to the outbox: scheduling a message, sending what is due, resending, replies.

Scheduling is always a write in the caller's transaction, so a booking and its
confirmation are saved together or not at all. Sending happens later, from Celery
(tasks.py), one claimed row at a time.
"""

import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from clinic.messaging.content import render_email
from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.selectors import message_settings
from clinic.messaging.timing import QuietHours
from clinic.scheduling.models import Appointment
from clinic.shared_cache import FRONT_DESK_TO_DO, new_generation
from patients.models import Patient

logger = logging.getLogger(__name__)

K = PatientMessage.Kind
St = PatientMessage.Status

# Messages about a particular time: a newer version of the appointment replaces them,
# and none of them goes out for an appointment that is no longer to come.
ABOUT_THE_TIME = (K.CONFIRMATION, K.RESCHEDULED, K.REMINDER, K.PREPARATION, K.HISTORY_REMINDER)
# Messages that are no use once the appointment has begun.
BEFORE_THE_START = (K.REMINDER, K.PREPARATION, K.HISTORY_REMINDER)
HISTORY_SENT = "The patient has sent their medical history."
# Why nothing goes to a patient who has restricted the use of their data (UK GDPR art. 18).
RESTRICTED = "Restricted: the patient asked the clinic to stop using their details for now."


def quiet_hours(config: MessageSettings) -> QuietHours:
    return QuietHours(start=config.quiet_from, end=config.quiet_until)


def message_schedule(
    *,
    patient: Patient,
    kind: str,
    key: str,
    due_at: datetime,
    time_zone: str,
    appointment: Appointment | None = None,
    about: str = "",
    payload: dict[str, Any] | None = None,
    config: MessageSettings | None = None,
) -> PatientMessage:
    """Put a message in the outbox, due at ``due_at`` or at the end of quiet hours.

    The key names what the message is about; scheduling it again returns the message
    already there, so a retried booking or a repeated task never makes a second one.
    """
    existing = PatientMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    config = config or message_settings()
    message = PatientMessage(
        key=key,
        patient=patient,
        appointment=appointment,
        appointment_version=appointment.version if appointment else None,
        kind=kind,
        about=about,
        payload=payload or {},
        time_zone=time_zone,
        due_at=due_at,
    )
    message.due_at = quiet_hours(config).next_allowed(due_at, message.zone)
    message.full_clean(exclude=["patient", "appointment"])
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # The same message was scheduled a moment ago by someone else.
        return PatientMessage.objects.get(key=key)
    return message


def messages_cancel_pending(
    *, appointment: Appointment, reason: str, kinds: tuple[str, ...] | None = None
) -> int:
    """Stop what is still waiting to go out for an appointment (its reminders, say)."""
    pending = PatientMessage.objects.filter(appointment=appointment, status=St.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(status=St.CANCELLED, skip_reason=reason, updated_at=timezone.now())


def cancel_requests_close(*, appointment: Appointment) -> int:
    """The patient's requests to cancel this appointment are dealt with (it was cancelled,
    or missed): they stay on record and leave the front desk's list."""
    closed = PatientMessage.objects.filter(
        appointment=appointment, cancel_request_open=True
    ).update(cancel_request_open=False, updated_at=timezone.now())
    if closed:
        new_generation(FRONT_DESK_TO_DO)
    return closed


def messages_cancel_pending_by_key(*, prefix: str, reason: str) -> int:
    """Stop what is still waiting to go out under keys that start with ``prefix``.

    For messages that are about no appointment (a nudge to book the next session, say),
    the caller's key is the only thing that says what they are about.
    """
    if not prefix:
        raise ValueError("A key prefix is needed: an empty one would stop every message.")
    pending = PatientMessage.objects.filter(key__startswith=prefix, status=St.PENDING)
    return pending.update(status=St.CANCELLED, skip_reason=reason, updated_at=timezone.now())


@dataclass(frozen=True)
class MessageToSchedule:
    """One message for ``messages_schedule_many``: the arguments of ``message_schedule``."""

    patient: Patient
    kind: str
    key: str
    due_at: datetime
    time_zone: str
    about: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


def messages_schedule_many(*, messages: Sequence[MessageToSchedule]) -> list[PatientMessage]:
    """Put many messages in the outbox in a fixed number of queries; returns those
    scheduled by this call.

    Periodic work (nudges for every plan, say) schedules many at once. Keys already in the
    outbox are left alone, as ``message_schedule`` does; the rest go in one insert (more
    only when the database limits the size of a statement). Should another worker write
    one of the same keys meanwhile, the insert is undone and each is scheduled on its own
    (the other worker's row is then returned in place of ours). Messages about an
    appointment are left to ``message_schedule``, which records its version.
    """
    if not messages:
        return []
    existing = set(
        PatientMessage.objects.filter(key__in=[m.key for m in messages]).values_list(
            "key", flat=True
        )
    )
    fresh: dict[str, MessageToSchedule] = {}
    for wanted in messages:
        if wanted.key not in existing:
            fresh.setdefault(wanted.key, wanted)  # the same key twice is one message
    if not fresh:
        return []
    config = message_settings()
    hours = quiet_hours(config)
    rows = []
    for wanted in fresh.values():
        row = PatientMessage(
            key=wanted.key,
            patient=wanted.patient,
            kind=wanted.kind,
            about=wanted.about,
            payload=wanted.payload,
            time_zone=wanted.time_zone,
            due_at=wanted.due_at,
        )
        row.due_at = hours.next_allowed(wanted.due_at, row.zone)
        # Uniqueness is the database's to judge, in the insert: asking per row would
        # cost a query for each.
        row.full_clean(
            exclude=["patient", "appointment"], validate_unique=False, validate_constraints=False
        )
        rows.append(row)
    try:
        with transaction.atomic():
            return PatientMessage.objects.bulk_create(rows)
    except IntegrityError:
        return [
            message_schedule(
                patient=wanted.patient, kind=wanted.kind, key=wanted.key, due_at=wanted.due_at,
                time_zone=wanted.time_zone, about=wanted.about, payload=wanted.payload,
                config=config,
            )
            for wanted in fresh.values()
        ]  # fmt: skip


# --- Sending ------------------------------------------------------------------------------


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    cancelled: int = 0
    deferred: int = 0
    recovered: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped + self.cancelled


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: half the step is fixed, half is random, so that
    many messages failing together do not all come back at the same moment."""
    base = settings.MESSAGE_RETRY_BASE.total_seconds()
    cap = settings.MESSAGE_RETRY_CAP.total_seconds()
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=step / 2 + random.uniform(0, step / 2))  # noqa: S311


def recover_abandoned(*, now: datetime) -> int:
    """Rows left "sending" by a worker that died are due again (or failed, at the limit).

    A worker that died after the mail server took a message but before it wrote "sent"
    would have it sent twice; each message carries the same Message-ID every time, so
    mail systems can tell the copies apart.
    """
    abandoned = PatientMessage.objects.filter(
        status=St.SENDING, claimed_at__lt=now - settings.MESSAGE_CLAIM_TIMEOUT
    )
    gave_up = abandoned.filter(attempts__gte=settings.MESSAGE_MAX_ATTEMPTS).update(
        status=St.FAILED, claim=None, last_error="The sending worker stopped.", updated_at=now
    )
    again = abandoned.update(status=St.PENDING, claim=None, updated_at=now)
    if gave_up:
        new_generation(FRONT_DESK_TO_DO)  # the to-do list shows failed messages
    return gave_up + again


def claim_next(*, now: datetime) -> PatientMessage | None:
    """Take the next due message for this worker, or None when nothing is due.

    The claim is one conditional UPDATE (pending -> sending), so two workers can never
    both own a row; on PostgreSQL the candidate is picked with SKIP LOCKED so that
    workers do not queue behind each other's rows.
    """
    while True:
        with transaction.atomic():
            due = PatientMessage.objects.filter(status=St.PENDING, due_at__lte=now).order_by(
                "due_at", "pk"
            )
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            pk = due.values_list("pk", flat=True).first()
            if pk is None:
                return None
            token = uuid.uuid4()
            taken = PatientMessage.objects.filter(pk=pk, status=St.PENDING).update(
                status=St.SENDING,
                claim=token,
                claimed_at=now,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
        if taken:
            return PatientMessage.objects.select_related(
                "patient", "appointment__location", "appointment__appointment_type",
                "appointment__practitioner__user",
            ).get(pk=pk)  # fmt: skip


def _finish(message: PatientMessage, **changes: Any) -> bool:
    """Write the outcome, if the row is still this worker's claim."""
    changes.setdefault("claim", None)
    changes.setdefault("updated_at", timezone.now())
    written = PatientMessage.objects.filter(
        pk=message.pk, status=St.SENDING, claim=message.claim
    ).update(**changes)
    if written and changes.get("status") == St.FAILED:
        new_generation(FRONT_DESK_TO_DO)  # the to-do list shows failed messages
    return bool(written)


def _courses_still_to_come(messages: Sequence[PatientMessage]) -> set[int]:
    """Which of the appointments that these messages' course confirmations list are still
    to come, in one query (none when no course confirmation is among them)."""
    listed = {
        pk
        for message in messages
        if message.kind == K.COURSE_CONFIRMATION
        for pk in message.payload.get("appointments", [])
    }
    if not listed:
        return set()
    upcoming = Appointment.objects.filter(pk__in=listed, status__in=Appointment.UPCOMING)
    return set(upcoming.values_list("pk", flat=True))


def _reason_not_to_send(
    message: PatientMessage, now: datetime, *, to_come: set[int] | None = None
) -> tuple[str, str] | None:
    """(status, reason) when the message must not go out after all.

    Dispatch asks this of each claimed row; the outbox's pages ask it of each waiting row
    (``messages_note_wont_send``), so staff read "won't send" and why before the moment
    comes. Reads only the message, its patient and its appointment, and for a course
    confirmation which of its sessions are still to come (``to_come``, read for a whole
    page at once; looked up here when not given).
    """
    appointment = message.appointment
    if appointment is not None and message.kind in ABOUT_THE_TIME:
        if appointment.version != message.appointment_version:
            return St.CANCELLED, "The appointment moved; a newer message replaces this one."
        if not appointment.is_upcoming:
            return St.CANCELLED, f"The appointment is {appointment.get_status_display().lower()}."
        if message.kind in BEFORE_THE_START and appointment.has_started(now):
            return St.SKIPPED, "Too late: the appointment had started."
        if message.kind == K.HISTORY_REMINDER and appointment.history_is_received:
            return St.SKIPPED, HISTORY_SENT
    if message.kind == K.COURSE_CONFIRMATION:
        if to_come is None:
            to_come = _courses_still_to_come([message])
        if not to_come.intersection(message.payload.get("appointments", [])):
            return St.CANCELLED, "None of the course's sessions is still to come."
    patient = message.patient
    if patient.is_restricted:
        return St.SKIPPED, RESTRICTED
    if not patient.consents_to_transactional_email:
        return St.SKIPPED, "The patient has not agreed to appointment and care emails."
    if not patient.email:
        return St.SKIPPED, "There is no email address on the patient's record."
    return None


def messages_note_wont_send(
    messages: Sequence[PatientMessage], *, now: datetime
) -> Sequence[PatientMessage]:
    """Note on each waiting message why it will not go out, when that is known already
    (no consent, no address, an appointment that moved or ended): the same rule dispatch
    applies. Each message needs its patient and appointment loaded."""
    waiting = [message for message in messages if message.is_waiting]
    to_come = _courses_still_to_come(waiting)
    for message in waiting:
        stop = _reason_not_to_send(message, now, to_come=to_come)
        message.wont_send_because = stop[1] if stop is not None else ""
    return messages


# How long a reminder waits while its patient is checked in: the check-in may be undone
# before the session starts, and then the reminder still goes.
CHECKED_IN_RECHECK = timedelta(minutes=5)


def _held_by_check_in(message: PatientMessage, now: datetime) -> bool:
    appointment = message.appointment
    return (
        appointment is not None
        and message.kind in BEFORE_THE_START
        and appointment.version == message.appointment_version
        and appointment.can_undo_check_in(now)
        and not appointment.has_started(now)
    )


def deliver(message: PatientMessage, *, now: datetime, config: MessageSettings, mail: Any) -> str:
    """Send one claimed message and record how it went; returns the outcome's name."""
    if _held_by_check_in(message, now):
        # Not a try: looked at again shortly, sent if the check-in was undone.
        _finish(
            message, status=St.PENDING, due_at=now + CHECKED_IN_RECHECK,
            attempts=F("attempts") - 1,
        )  # fmt: skip
        return "deferred"
    stop = _reason_not_to_send(message, now)
    if stop is not None:
        _finish(message, status=stop[0], skip_reason=stop[1])
        return "skipped" if stop[0] == St.SKIPPED else "cancelled"
    allowed = quiet_hours(config).next_allowed(now, message.zone)
    if allowed > now:
        # Quiet hours at the location: wait until they end; this was not a try.
        _finish(message, status=St.PENDING, due_at=allowed, attempts=F("attempts") - 1)
        return "deferred"
    try:
        email = render_email(message, connection=mail)
        email.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        logger.warning("Message %s not sent (try %s): %s", message.pk, message.attempts, error)
        if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            _finish(message, status=St.FAILED, last_error=error)
            return "failed"
        _finish(
            message,
            status=St.PENDING,
            due_at=now + retry_delay(message.attempts),
            last_error=error,
        )
        return "retried"
    _finish(message, status=St.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def messages_dispatch(
    *,
    clock: Callable[[], datetime] = timezone.now,
    budget: timedelta | None = None,
) -> DispatchReport:
    """Send everything that is due, one claimed message at a time, until nothing is due
    or the time budget is spent (the next run carries on).

    1. Put back rows a dead worker left "sending".
    2. Claim the next due row (pending -> sending), check it may still go, render it at
       this moment (the current time and place), send it, record sent, retry or failed.
    """
    budget = budget if budget is not None else settings.MESSAGE_DISPATCH_BUDGET
    started = clock()
    report = DispatchReport(recovered=recover_abandoned(now=started))
    config = message_settings()
    mail = get_connection()
    try:
        while clock() - started < budget:
            now = clock()
            message = claim_next(now=now)
            if message is None:
                break
            outcome = deliver(message, now=now, config=config, mail=mail)
            setattr(report, outcome, getattr(report, outcome) + 1)
    finally:
        mail.close()
    return report


# --- What staff do with messages ----------------------------------------------------------


@transaction.atomic
def message_resend(*, message: PatientMessage, now: datetime) -> PatientMessage:
    """Send again: a failed or skipped message is due again as it is; a sent one is
    copied, so what went out before stays on the record."""
    current = PatientMessage.objects.select_for_update().get(pk=message.pk)
    if current.resends_as_is:
        if current.kind in ABOUT_THE_TIME and current.appointment is not None:
            stop = _reason_not_to_send(current, now)
            if stop is not None and stop[0] == St.CANCELLED:
                raise ValidationError(stop[1])
        current.status = St.PENDING
        current.attempts = 0
        current.due_at = now
        current.skip_reason = ""
        current.save(update_fields=["status", "attempts", "due_at", "skip_reason", "updated_at"])
        return current
    if not current.is_sent:
        raise ValidationError("This message has not been sent yet: it is on its way.")
    copies = PatientMessage.objects.filter(key__startswith=f"{current.key}:again:").count()
    copy = PatientMessage(
        key=f"{current.key}:again:{copies + 1}",
        patient_id=current.patient_id,
        appointment_id=current.appointment_id,
        appointment_version=current.appointment_version,
        kind=current.kind,
        about=current.about,
        payload=current.payload,
        time_zone=current.time_zone,
        due_at=now,
    )
    copy.save()
    return copy


# --- The patient's reply from a link in an email -------------------------------------------


def reply_problem(message: PatientMessage, now: datetime) -> str | None:
    """Why this message's link can no longer be used, in words for the patient."""
    appointment = message.appointment
    if appointment is None:
        return "This link is not for an appointment."
    if message.reply:
        return "This link has already been used."
    if appointment.version != message.appointment_version:
        return "This appointment has moved since this email. Please use the newest email."
    if not appointment.is_upcoming:
        return f"This appointment is {appointment.get_status_display().lower()}."
    if appointment.has_started(now):
        return "This appointment has already begun."
    return None


@transaction.atomic
def message_reply(*, message: PatientMessage, action: str, now: datetime) -> PatientMessage:
    """Confirm the appointment, or ask to cancel it (the front desk sees the request;
    inside the late-cancellation window it is flagged late). A link works once."""
    from clinic.scheduling.services import appointment_confirm

    if action not in ("confirm", "cancel"):
        raise ValidationError("Choose to confirm or to ask to cancel.")
    current = (
        PatientMessage.objects.select_for_update(of=("self",))
        .select_related("appointment")
        .get(pk=message.pk)
    )
    problem = reply_problem(current, now)
    if problem is not None:
        raise ValidationError(problem)
    appointment = current.appointment
    if appointment is None:  # reply_problem has said so already; this satisfies the types
        raise ValidationError("This link is not for an appointment.")
    if action == "confirm":
        if appointment.can_confirm:
            appointment_confirm(appointment=appointment)
        current.reply = PatientMessage.Reply.CONFIRMED
    else:
        current.reply = PatientMessage.Reply.CANCEL_REQUESTED
        current.reply_late = appointment.starts_at - now < settings.LATE_CANCEL_WINDOW
        current.cancel_request_open = True
    current.replied_at = now
    current.save(
        update_fields=["reply", "replied_at", "reply_late", "cancel_request_open", "updated_at"]
    )
    return current


@transaction.atomic
def message_settings_save(*, config: MessageSettings, **values: Any) -> MessageSettings:
    for name, value in values.items():
        setattr(config, name, value)
    config.full_clean()
    config.save()
    return config
