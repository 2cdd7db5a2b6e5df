from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clinic.staff.models import PractitionerProfile
from patients.models import Patient
from patients.validators import display_phone, normalise_phone


def validate_clinic_phone(value: str) -> None:
    """A stored location number must be in the international form the setup form makes."""
    if value and normalise_phone(value) != value:
        raise ValidationError("Store the number in international form, such as +441174960123.")


def validate_time_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError(f"“{name}” is not a time zone name, such as Europe/London.")


class Location(models.Model):
    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    address = models.TextField(blank=True)
    # In international form (+441174960123); patients are told to call it wherever a
    # page or an email sends them to the front desk (a late change, a lost link).
    # Required of every form; a row made before it was may lack one, and then the pages
    # say "please call the clinic" without a number.
    phone = models.CharField(max_length=20, validators=[validate_clinic_phone])

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def phone_display(self) -> str:
        """The number as people in the clinic's country dial it."""
        return display_phone(self.phone)


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="room_name_per_location"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def in_force_on(day: date) -> models.Q:
    """Hours rows (opening or working) that apply on ``day``."""
    return in_force_during(day, day)


def in_force_during(first: date, last: date) -> models.Q:
    """Hours rows that apply on at least one day from ``first`` to ``last``."""
    return (models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=last)) & (
        models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=first)
    )


def _valid_from_not_after_until(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(valid_from__isnull=True)
        | models.Q(valid_until__isnull=True)
        | models.Q(valid_from__lte=models.F("valid_until")),
        name=name,
    )


class EffectiveDates(models.Model):
    """Weekly hours apply from a day to a day: a change starts on a chosen day and ends
    the rows it replaces the day before, so that what applied in the past (and the
    utilisation counted against it) stays as it was."""

    valid_from = models.DateField(null=True, blank=True, help_text="Blank: from the start.")
    valid_until = models.DateField(null=True, blank=True, help_text="Blank: until changed.")

    class Meta:
        abstract = True

    def applies_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class OpeningHours(EffectiveDates):
    """When a location is open on a weekday, in its own local time."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")),
                                   name="opening_hours_opens_before_closing"),
            _valid_from_not_after_until("opening_hours_valid_from_not_after_until"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """Days a location is closed (holidays), inclusive."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=models.Q(first_day__lte=models.F("last_day")),
                                   name="closure_first_day_not_after_last"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Closed {self.first_day:%d %b} to {self.last_day:%d %b %Y}"


class WorkingHours(EffectiveDates):
    """A practitioner's weekly hours at a location, in the location's local time."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="working_hours"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=models.Q(starts__lt=models.F("ends")),
                                   name="working_hours_start_before_end"),
            _valid_from_not_after_until("working_hours_valid_from_not_after_until"),
        ]  # fmt: skip

    def __str__(self) -> str:
        day = self.get_weekday_display()
        return f"{self.practitioner}: {day} {self.starts:%H:%M}-{self.ends:%H:%M}"


class Leave(models.Model):
    """Time a practitioner is away (an exception to their weekly hours)."""

    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.CASCADE, related_name="leave"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")),
                                   name="leave_starts_before_it_ends"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.practitioner} away {self.starts_at:%d %b} to {self.ends_at:%d %b %Y}"


# The dates a form accepts: from the day the clinic opened (CLINIC_OPENED_ON) to at most
# two years ahead. Anything outside is a typing slip, and refusing it also keeps the
# arithmetic on it (the day after, the UTC instant) inside what Python can hold.
LONGEST_DAYS_AHEAD = 2 * 365


def date_horizon(today: date) -> tuple[date, date]:
    """The first and the last day a form accepts, seen from ``today``."""
    return settings.CLINIC_OPENED_ON, today + timedelta(days=LONGEST_DAYS_AHEAD)


def outside_horizon(day: date, today: date) -> str | None:
    """Why ``day`` is refused, in words, or None when it is a day a form may take."""
    first, last = date_horizon(today)
    if day < first:
        return f"Choose a date from {first:%-d %B %Y}, when the clinic opened."
    if day > last:
        return f"Choose a date no later than {last:%-d %B %Y} (two years ahead)."
    return None


# How long an appointment may last, in minutes. The database holds the shortest
# (AppointmentType's check constraint); the booking service and the setup form hold both.
SHORTEST_APPOINTMENT_MINUTES = 5
LONGEST_APPOINTMENT_MINUTES = 8 * 60
# The most time a type keeps free before or after (the setup form and the database hold
# it), and so the longest time an appointment may block, buffers included: a search for
# busy time may then bound where a block begins, which its indexes need.
LONGEST_BUFFER_MINUTES = 120
LONGEST_BLOCK = timedelta(minutes=LONGEST_APPOINTMENT_MINUTES + 2 * LONGEST_BUFFER_MINUTES)


class AppointmentType(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", "Consultation"
        TREATMENT = "treatment", "Treatment session"
        REVIEW = "review", "Review"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveSmallIntegerField()
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=SHORTEST_APPOINTMENT_MINUTES),
                name=f"appointment_type_at_least_{SHORTEST_APPOINTMENT_MINUTES}_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_before_minutes__lte=LONGEST_BUFFER_MINUTES,
                                   buffer_after_minutes__lte=LONGEST_BUFFER_MINUTES),
                name="appointment_type_buffers_at_most_two_hours",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


# What the front desk is told of a consultation's medical history, by history_state.
HISTORY_WORDS = {"history": "History received", "nohistory": "No history yet"}


@dataclass(frozen=True)
class Allowed:
    """What the front desk may do to an appointment now (``Appointment.allowed``)."""

    confirm: bool
    check_in: bool
    no_show: bool
    move: bool
    cancel: bool


class Appointment(models.Model):
    """One booking: a patient, a practitioner, a room, a time.

    A practitioner and a room are each in at most one active appointment at a time: the
    booking service checks and locks; on PostgreSQL an exclusion constraint has the last
    word (scheduling/migrations/0002_no_double_booking.py).
    """

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Confirmed"
        CHECKED_IN = "checked_in", "Checked in"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    # Statuses that hold the practitioner's and the room's time (the exclusion constraint
    # and the clash check count only these).
    ACTIVE = (
        Status.BOOKED,
        Status.CONFIRMED,
        Status.CHECKED_IN,
        Status.IN_PROGRESS,
        Status.COMPLETED,
    )
    # Still to come and still the front desk's to change: it may be moved, cancelled,
    # checked in or marked a no-show, and the patient may still reply to it.
    UPCOMING = (Status.BOOKED, Status.CONFIRMED)
    # Expected at the front desk today: still to come, or here and waiting.
    ARRIVING = (*UPCOMING, Status.CHECKED_IN)
    MOVABLE = UPCOMING
    CANCELLABLE = UPCOMING
    CHECK_IN_FROM = UPCOMING
    # Checked in, the session not begun: the check-in may be undone.
    CHECK_IN_UNDOABLE = (Status.CHECKED_IN,)
    NO_SHOW_FROM = UPCOMING
    CONFIRMABLE = (Status.BOOKED,)
    STARTABLE = (Status.CHECKED_IN,)
    COMPLETABLE = (Status.IN_PROGRESS,)
    # Booked and not yet over: what a change to the clinic's hours may leave for the front
    # desk to move. Completed ones are history; cancelled and no-show ones hold no time.
    NOT_OVER = (*UPCOMING, Status.CHECKED_IN, Status.IN_PROGRESS)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The time the appointment keeps the practitioner and room from anything else: the
    # appointment with its type's buffers before and after.
    blocked_from = models.DateTimeField()
    blocked_until = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    version = models.PositiveIntegerField(default=1, help_text="Goes up each time it moves.")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)
    late_cancel = models.BooleanField(default=False)
    # What it was before check-in (booked or confirmed), so that an undo restores it.
    checked_in_from = models.CharField(max_length=20, choices=Status.choices, blank=True)
    # When the patient sent the medical history asked for before a consultation (the
    # treatments app keeps what they said); all the front desk sees of it.
    history_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["practitioner", "blocked_from"], name="appointment_practitioner"),
            models.Index(fields=["room", "blocked_from"], name="appointment_room"),
            models.Index(fields=["location", "starts_at"], name="appointment_location_day"),
            models.Index(fields=["patient", "starts_at"], name="appointment_patient"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_at__lt=models.F("ends_at")),
                                   name="appointment_starts_before_it_ends"),
            models.CheckConstraint(
                condition=models.Q(blocked_from__lte=models.F("starts_at"),
                                   blocked_until__gte=models.F("ends_at")),
                name="appointment_blocks_at_least_itself",
            ),
        ]  # fmt: skip
        # On PostgreSQL the database also holds that no appointment blocks more than
        # LONGEST_BLOCK (migration 0011: SQLite would need one of Django's own functions
        # in the constraint); the booking service holds it everywhere.

    def __str__(self) -> str:
        return f"Appointment #{self.pk}"

    # --- What the front desk sees of the medical history a consultation asks for -------

    HISTORY_RECEIVED = "history"
    HISTORY_MISSING = "nohistory"

    @classmethod
    def history_state(cls, kind: str, received_at: datetime | None) -> str:
        """Whether the patient has sent the history asked for before a consultation
        (``HISTORY_RECEIVED`` or ``HISTORY_MISSING``); "" for any other kind. Only that it
        came: never what it says."""
        if kind != AppointmentType.Kind.CONSULTATION:
            return ""
        return cls.HISTORY_MISSING if received_at is None else cls.HISTORY_RECEIVED

    @property
    def history_words(self) -> str:
        """The words the front desk sees for a consultation: "History received" or "No
        history yet"; "" for any other kind."""
        state = self.history_state(self.appointment_type.kind, self.history_received_at)
        return HISTORY_WORDS.get(state, "")

    # --- What may happen to it now (services check, views and templates ask) ----------

    @property
    def is_upcoming(self) -> bool:
        return self.status in self.UPCOMING

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def can_move(self) -> bool:
        return self.status in self.MOVABLE

    @property
    def can_cancel(self) -> bool:
        return self.status in self.CANCELLABLE

    @property
    def can_confirm(self) -> bool:
        return self.status in self.CONFIRMABLE

    @property
    def local_day(self) -> date:
        """The day it is on, at its location."""
        return self.starts_at.astimezone(self.location.zone).date()

    def is_on_local_day(self, now: datetime) -> bool:
        return now.astimezone(self.location.zone).date() == self.local_day

    def can_check_in(self, now: datetime) -> bool:
        """On the appointment's own day at its location, not the day before or after."""
        return self.status in self.CHECK_IN_FROM and self.is_on_local_day(now)

    def can_undo_check_in(self, now: datetime) -> bool:
        """Until the session starts (then it is in progress, no longer checked in)."""
        return self.status in self.CHECK_IN_UNDOABLE

    def may_begin(self, now: datetime) -> bool:
        """Not earlier than SESSION_START_EARLY before the booked start."""
        return now >= self.starts_at - settings.SESSION_START_EARLY

    @staticmethod
    def earliest_start(now: datetime) -> datetime:
        """The earliest start a booking or a move may have: a walk-in entered as they
        arrive may start WALK_IN_GRACE ago; nothing earlier."""
        return now - settings.WALK_IN_GRACE

    def can_mark_no_show(self, now: datetime) -> bool:
        """Only once the start has passed: before it, the patient may still come."""
        return self.status in self.NO_SHOW_FROM and self.has_started(now)

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def is_still_to_come(self, now: datetime) -> bool:
        """Upcoming and not yet started: the patient may still confirm or ask to cancel."""
        return self.is_upcoming and not self.has_started(now)

    @property
    def is_consultation(self) -> bool:
        return self.appointment_type.kind == AppointmentType.Kind.CONSULTATION

    @property
    def history_is_received(self) -> bool:
        """The patient sent the medical history asked for before this consultation."""
        return self.history_received_at is not None

    def wants_history(self, now: datetime) -> bool:
        """A consultation still to come whose medical history the patient has not sent:
        its emails carry the link to the questionnaire."""
        return self.is_consultation and self.is_still_to_come(now) and not self.history_is_received

    def is_late_to_change(self, now: datetime) -> bool:
        """Inside the late-cancellation window (LATE_CANCEL_WINDOW before the start): a
        change now is the front desk's, by phone."""
        return self.starts_at - now < settings.LATE_CANCEL_WINDOW

    def patient_may_change(self, now: datetime) -> bool:
        """The patient may move or cancel it from a link: still to come, and not yet
        inside the late-cancellation window."""
        return self.is_still_to_come(now) and not self.is_late_to_change(now)

    @classmethod
    def allowed(cls, status: str, *, on_its_day: bool, started: bool) -> "Allowed":
        """What may happen now to an appointment read as a plain row (the book's cards,
        hundreds a day, are not built as instances): the rules of the methods above,
        given its status, whether today is its local day and whether it has started."""
        return Allowed(
            confirm=status in cls.CONFIRMABLE,
            check_in=status in cls.CHECK_IN_FROM and on_its_day,
            no_show=status in cls.NO_SHOW_FROM and started,
            move=status in cls.MOVABLE,
            cancel=status in cls.CANCELLABLE,
        )


# --- The waitlist: patients who found no time, offered one when it is freed ------------


class WaitlistEntry(models.Model):
    """A patient waiting for a time: at one location, for one type of appointment, with
    one practitioner or any, between two days (the location's days). The first to join is
    the first offered a freed time that fits."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a time"
        BOOKED = "booked", "Booked"
        REMOVED = "removed", "Taken off the list"

    # Still on the list (shown to the front desk, and offered freed times when waiting).
    OPEN = (Status.WAITING, Status.OFFERED)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    practitioner = models.ForeignKey(
        PractitionerProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for any practitioner.",
    )
    earliest = models.DateField()
    latest = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    note = models.CharField(max_length=200, blank=True)
    # Who put the patient on the list; empty when the patient joined from their own link.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_reason = models.CharField(max_length=200, blank=True)
    # What the patient waits to book when it is more than an appointment of the type: a
    # key only the app that books it reads (a plan session: ``plan-session:<id>``), and
    # what the front desk reads for it. Empty for an ordinary appointment.
    purpose = models.CharField(max_length=60, blank=True)
    purpose_label = models.CharField(max_length=120, blank=True)
    # How long the time must be, when not the type's (a plan session's areas).
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(
                fields=["location", "created_at"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_open_in_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(earliest__lte=models.F("latest")),
                name="waitlist_earliest_not_after_latest",
            ),
            # One open entry for one thing to book (a plan session is waited for once).
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(status__in=["waiting", "offered"]) & ~models.Q(purpose=""),
                name="waitlist_one_open_entry_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist entry #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_waiting(self) -> bool:
        return self.status == self.Status.WAITING

    @property
    def joined_online(self) -> bool:
        """The patient put themselves on the list from a link (nobody on the staff did)."""
        return self.added_by_id is None


class FreedSlot(models.Model):
    """A time that a cancellation or a move gave back, offered to the waitlist one patient
    at a time. Its row is what an acceptance locks, so one freed time becomes at most one
    booking however many offers are answered at once."""

    class Status(models.TextChoices):
        OPEN = "open", "Free"
        BOOKED = "booked", "Booked from the waitlist"
        GONE = "gone", "No longer free"

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    freed_by = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="+", help_text="Cancelled or moved."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="freed_slot_starts_before_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"Freed time #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @classmethod
    def held(cls, now: datetime) -> "models.QuerySet[FreedSlot]":
        """Freed times a waiting patient holds now: still free, and offered with a hold
        that has not run out. Nobody else is offered or booked into them meanwhile."""
        holding = WaitlistOffer.objects.filter(
            slot=models.OuterRef("pk"), status=WaitlistOffer.Status.PENDING, expires_at__gt=now
        )
        return cls.objects.filter(models.Exists(holding), status=cls.Status.OPEN)


class WaitlistOffer(models.Model):
    """A freed time offered to one waiting patient, held for them until ``expires_at``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Passed on"
        WITHDRAWN = "withdrawn", "Time no longer free"

    slot = models.ForeignKey(FreedSlot, on_delete=models.PROTECT, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["offered_at", "pk"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=models.Q(status="pending"),
                name="waitlist_offer_held",
            ),
        ]
        constraints = [
            # A patient is offered the same freed time once.
            models.UniqueConstraint(fields=["slot", "entry"], name="waitlist_offer_once"),
        ]

    def __str__(self) -> str:
        return f"Waitlist offer #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED

    @property
    def is_withdrawn(self) -> bool:
        """Let go because the time is no longer free, or no longer this patient's."""
        return self.status == self.Status.WITHDRAWN

    def is_held(self, now: datetime) -> bool:
        """Still the patient's to take: offered, and the hold not run out."""
        return self.is_pending and now < self.expires_at
