"""Treatment plans and their sessions, with each session's depths per area."""

from datetime import datetime

from django.conf import settings
from django.db import models

from patients.models import Patient
from treatments.models.catalog import Treatment, TreatmentArea
from treatments.models.consultations import Consultation
from treatments.models.limits import CourseLimits, SkinThickness


class TreatmentPlan(models.Model):
    """A course of sessions for one patient, made from a signed consultation.

    Its sessions are proposed all at once against real availability; the front desk
    books them (the plan becomes active) and moving one keeps the later ones in their
    interval window.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    # Not over yet: its sessions may still be proposed, changed and booked, and it may be
    # cancelled.
    OPEN = (Status.DRAFT, Status.ACTIVE, Status.PAUSED)
    CHANGEABLE = OPEN
    BOOKABLE = OPEN
    CANCELLABLE = OPEN
    # Its first session has been booked (and it is not over).
    UNDER_WAY = (Status.ACTIVE, Status.PAUSED)
    PAUSABLE = (Status.ACTIVE,)
    # The patient may book its next session from a link (a paused plan waits for the clinic).
    SELF_BOOKABLE = (Status.ACTIVE,)
    RESUMABLE = (Status.PAUSED,)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="plans")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="plans")
    areas = models.ManyToManyField(TreatmentArea, related_name="+")
    location = models.ForeignKey("scheduling.Location", on_delete=models.PROTECT, related_name="+")
    sessions_planned = models.PositiveSmallIntegerField()
    min_interval_days = models.PositiveSmallIntegerField()
    max_interval_days = models.PositiveSmallIntegerField()
    session_minutes = models.PositiveSmallIntegerField()
    preferred_practitioner = models.ForeignKey(
        "staff.PractitionerProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    preferred_weekdays = models.JSONField(default=list, blank=True)
    preferred_time = models.TimeField(null=True, blank=True)
    earliest_start = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="plan_patient")]
        constraints = [
            models.CheckConstraint(
                condition=CourseLimits.sessions_check("sessions_planned"),
                name="plan_sessions_1_to_12",
            ),
            models.CheckConstraint(
                condition=CourseLimits.interval_check(), name="plan_interval_window"
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan #{self.pk}"

    # --- What may happen to it now (services check, views and templates ask) ----------

    @property
    def is_draft(self) -> bool:
        """Not booked yet; booking its sessions makes it active."""
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def can_pause(self) -> bool:
        return self.status in self.PAUSABLE

    @property
    def can_resume(self) -> bool:
        return self.status in self.RESUMABLE

    @property
    def can_cancel(self) -> bool:
        return self.status in self.CANCELLABLE

    @property
    def patient_may_book(self) -> bool:
        """Under way and not paused: the patient may book its next session online."""
        return self.status in self.SELF_BOOKABLE


class TreatmentSession(models.Model):
    """One session of a plan: first a proposal, then a booking, then a signed record.

    The record (device, lot, depths, products, reaction) is written by the practitioner
    during the session; signing completes it and it never changes after that.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        BOOKED = "booked", "Booked"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    # Nothing more happens to it: the plan is completed when every session is.
    FINISHED = (Status.COMPLETED, Status.CANCELLED)
    # Still to come: cancelling the plan cancels these (and their bookings).
    CANCELLABLE = (Status.PROPOSED, Status.BOOKED)
    # Begun or over: when an earlier session moves, these keep their time.
    KEEPS_ITS_TIME = (Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED)
    STARTABLE = (Status.BOOKED,)
    RECORDABLE = (Status.IN_PROGRESS,)

    class Device(models.TextChoices):
        PEN = "pen", "Automated microneedling pen"
        ROLLER = "roller", "Derma roller"

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    appointment = models.OneToOneField(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_session",
    )
    # The proposal, kept until the session is booked (and the basis for a booking).
    proposed_start = models.DateTimeField(null=True, blank=True)
    proposed_practitioner = models.ForeignKey(
        "staff.PractitionerProfile", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    proposed_room = models.ForeignKey(
        "scheduling.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The interval window after the previous session (none for the first), local dates.
    window_first = models.DateField(null=True, blank=True)
    window_last = models.DateField(null=True, blank=True)
    problem = models.TextField(blank=True, help_text="Why the window could not be kept.")
    # The record of the session.
    device = models.CharField(max_length=10, choices=Device.choices, blank=True)
    device_model = models.CharField(max_length=100, blank=True)
    needle_lot = models.CharField("Cartridge or needle lot", max_length=50, blank=True)
    skin_thickness = models.CharField(
        "Skin",
        max_length=5,
        choices=SkinThickness.choices,
        blank=True,
        help_text="Empty: as the consultation found it (thin when it says nothing).",
    )
    passes = models.PositiveSmallIntegerField(null=True, blank=True)
    numbing_cream = models.CharField(max_length=100, blank=True)
    numbing_applied_at = models.TimeField(null=True, blank=True)
    products_applied = models.TextField(blank=True)
    skin_reaction = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="session_number_per_plan"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(signed_at__isnull=False),
                name="session_completed_is_signed",
            ),
        ]
        indexes = [
            # The few sessions still to book, for the front desk's to-do list and the
            # nudges (plans.nudges.unbooked_next_sessions), not the many done or booked.
            models.Index(
                fields=["plan", "number"],
                condition=models.Q(status="proposed"),
                name="session_proposed",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of treatment plan #{self.plan_id}"

    @property
    def start(self) -> datetime | None:
        """When it is (booked) or would be (proposed)."""
        if self.appointment is not None:
            return self.appointment.starts_at
        return self.proposed_start

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    # --- What may happen to it now (services check, views and templates ask) ----------

    @property
    def is_proposed(self) -> bool:
        """Not booked yet: its time is the planner's proposal, changed freely."""
        return self.status == self.Status.PROPOSED

    @property
    def is_booked(self) -> bool:
        return self.status == self.Status.BOOKED

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def can_start(self) -> bool:
        """Booked and waiting to start (the day's check-in screening decides the rest)."""
        return self.status in self.STARTABLE and self.appointment_id is not None

    @property
    def can_record(self) -> bool:
        """Under way and not signed: the practitioner may write the record."""
        return self.status in self.RECORDABLE and not self.is_signed


class SessionDepth(models.Model):
    """The needle depth used on one zone at a session, and why if outside the guidance."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="depths")
    zone = models.CharField(max_length=100)
    depth_mm = models.DecimalField(max_digits=3, decimal_places=2)
    guidance_low_mm = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    guidance_high_mm = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "zone"], name="session_depth_zone"),
            models.CheckConstraint(
                condition=models.Q(depth_mm__gt=0, depth_mm__lte=CourseLimits.MAX_DEPTH_MM),
                name="session_depth_0_to_3_mm",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone}: {self.depth_mm} mm"

    @property
    def outside_guidance(self) -> bool:
        if self.guidance_low_mm is None or self.guidance_high_mm is None:
            return False
        return not self.guidance_low_mm <= self.depth_mm <= self.guidance_high_mm
