from datetime import time
from zoneinfo import ZoneInfo

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.scheduling.models import Appointment, validate_time_zone
from patients.models import Patient


class PatientMessage(models.Model):
    """One email to a patient: a row in the outbox before it is ever sent.

    ``key`` says what the message is about (the appointment, its version, the kind, the
    reminder), so that scheduling the same message twice finds the first one.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Booking confirmation"
        RESCHEDULED = "rescheduled", "New time"
        CANCELLATION = "cancellation", "Cancellation"
        REMINDER = "reminder", "Reminder"
        PREPARATION = "preparation", "Preparation"
        AFTERCARE = "aftercare", "Aftercare"
        FOLLOW_UP = "follow_up", "Aftercare follow-up"
        NEXT_SESSION = "next_session", "Next session not booked"
        NO_SHOW = "no_show", "Missed appointment"
        # Every session of a course booked at once, in one email (payload: the ids).
        COURSE_CONFIRMATION = "course_confirmation", "Course confirmation"
        # A word from the clinic about a treatment already given (payload: the text).
        RECALL = "recall", "Recall notice"
        # A time freed by a cancellation offered to a waiting patient (payload: the offer).
        WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"
        # Before a consultation, while the patient has not sent their medical history.
        HISTORY_REMINDER = "history_reminder", "Medical history reminder"

    class Status(models.TextChoices):
        PENDING = "pending", "Due"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SKIPPED = "skipped", "Not sent"

    class Reply(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCEL_REQUESTED = "cancel_requested", "Asked to cancel"

    # What staff may send again: one of these is made due again as it is; a sent one is
    # copied instead, so that what went out stays on the record.
    RESEND_AS_IS = (Status.FAILED, Status.SKIPPED, Status.CANCELLED)
    RESENDABLE = (*RESEND_AS_IS, Status.SENT)
    WAITING = (Status.PENDING, Status.SENDING)
    # Counted on the outbox's page: what may need someone's attention. The rest (sent,
    # cancelled, not sent) is history, listed but not counted.
    WATCHED = (*WAITING, Status.FAILED)

    key = models.CharField(max_length=200, unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="messages")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    appointment_version = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    about = models.CharField(
        max_length=100, blank=True, help_text="Which one, in words: “48 hours before”."
    )
    payload = models.JSONField(
        default=dict, blank=True, help_text="What the caller handed over to say."
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reply = models.CharField(max_length=20, choices=Reply.choices, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reply_late = models.BooleanField(default=False)
    # A request to cancel the front desk has yet to act on: set by the reply, cleared when
    # the appointment is cancelled or missed. Requests answered long ago stay on record
    # without weighing on the list of open ones.
    cancel_request_open = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            # The outbox lists newest first, by status or kind, a page at a time from
            # where the last page ended; dispatch claims the oldest due. Each of these
            # matches one of those orders, read forwards or backwards.
            models.Index(fields=["due_at", "id"], name="message_listed"),
            models.Index(fields=["status", "due_at", "id"], name="message_status_listed"),
            models.Index(fields=["kind", "due_at", "id"], name="message_kind_listed"),
            models.Index(fields=["patient", "due_at"], name="message_patient"),
            # The few requests to cancel still open, found without reading the others.
            models.Index(
                fields=["appointment"],
                condition=models.Q(cancel_request_open=True),
                name="message_cancel_request_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    # Why a waiting message will not go out, when that is known before it is due; noted
    # by services.messages_note_wont_send for the rows a page shows (not a column).
    wont_send_because: str = ""

    # --- Where it stands (services check, views and templates ask) ------------------------

    @property
    def is_waiting(self) -> bool:
        """Not yet sent, failed or stopped: due, or being sent."""
        return self.status in self.WAITING

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def can_resend(self) -> bool:
        return self.status in self.RESENDABLE

    @property
    def resends_as_is(self) -> bool:
        """Sent again as it is (not copied): it never went out."""
        return self.status in self.RESEND_AS_IS

    @property
    def reply_confirms(self) -> bool:
        return self.reply == self.Reply.CONFIRMED

    @property
    def reply_asks_to_cancel(self) -> bool:
        return self.reply == self.Reply.CANCEL_REQUESTED


class MessageSettings(models.Model):
    """When patients are written to; one row for the clinic, edited by the manager."""

    reminder_hours_before = models.PositiveSmallIntegerField(
        "reminder, hours before",
        default=48,
        validators=[MaxValueValidator(24 * 14)],
        help_text="0 sends no reminder of this kind.",
    )
    day_before_reminder_at = models.TimeField(
        "reminder the day before, at",
        null=True,
        blank=True,
        default=time(18, 0),
        help_text="Local time at the location; leave empty for no such reminder.",
    )
    preparation_days_before = models.PositiveSmallIntegerField(
        "preparation, days before the first session",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    quiet_from = models.TimeField("no emails from", default=time(21, 0))
    quiet_until = models.TimeField("until", default=time(8, 0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "message settings"
        verbose_name_plural = "message settings"

    def __str__(self) -> str:
        return "Message settings"
