from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models import Patient
from treatments.screening.rules import Condition, DatedEvent, Level

# Fitzpatrick skin types run from I to VI.
FITZPATRICK_LOWEST, FITZPATRICK_HIGHEST = 1, 6


class CourseLimits:
    """The bounds every course keeps, in the catalog's defaults and in each plan and
    session record: the database checks, the forms and the services all read these."""

    MIN_SESSIONS = 1
    MAX_SESSIONS = 12
    MIN_SESSION_MINUTES = 15
    MAX_SESSION_MINUTES = 240
    MIN_INTERVAL_DAYS = 1
    MAX_INTERVAL_DAYS = 365  # what a form accepts; the database only asks for a minimum
    MAX_DEPTH_MM = 3  # needle depth, in the guidance and as used; always more than 0

    SESSIONS_TEXT = f"A course has between {MIN_SESSIONS} and {MAX_SESSIONS} sessions."
    SESSION_MINUTES_TEXT = (
        f"A session lasts between {MIN_SESSION_MINUTES} and {MAX_SESSION_MINUTES} minutes."
    )

    @classmethod
    def sessions_ok(cls, sessions: int) -> bool:
        return cls.MIN_SESSIONS <= sessions <= cls.MAX_SESSIONS

    @classmethod
    def session_minutes_ok(cls, minutes: int) -> bool:
        return cls.MIN_SESSION_MINUTES <= minutes <= cls.MAX_SESSION_MINUTES

    @classmethod
    def depth_ok(cls, depth_mm: Decimal) -> bool:
        return 0 < depth_mm <= cls.MAX_DEPTH_MM

    @classmethod
    def sessions_check(cls, field: str) -> models.Q:
        return models.Q(**{f"{field}__gte": cls.MIN_SESSIONS, f"{field}__lte": cls.MAX_SESSIONS})

    @classmethod
    def interval_check(cls) -> models.Q:
        """The interval window of a catalog area or a plan: at least a day, min <= max."""
        return models.Q(min_interval_days__gte=cls.MIN_INTERVAL_DAYS) & models.Q(
            min_interval_days__lte=models.F("max_interval_days")
        )


class SkinThickness(models.TextChoices):
    """The catalog's depth guidance has a range for each (thin skin is the shallower)."""

    THIN = "thin", "Thin skin"
    THICK = "thick", "Thick skin"


class LevelField(models.CharField):
    """A screening level stored by its code ("needs_clearance")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("choices", [(level.code, level.label) for level in Level])
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class Consultation(models.Model):
    """A practitioner's consultation: concerns, skin assessment, history and screening.

    A draft may change; once signed it never does (corrections are addenda). The history
    answers and the screening findings belong to this consultation, so what was known
    and decided at the time stays readable after later consultations.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class Decision(models.TextChoices):
        NOT_SUITABLE = "not_suitable", "Not suitable"
        SUITABLE_WITH_PRECAUTIONS = "suitable_with_precautions", "Suitable with precautions"
        SUITABLE = "suitable", "Suitable"

    class Concern(models.TextChoices):
        ACNE_SCARS = "acne_scars", "Acne scars"
        FINE_LINES = "fine_lines", "Fine lines and wrinkles"
        TEXTURE = "texture", "Texture and pores"
        PIGMENTATION = "pigmentation", "Pigmentation"
        STRETCH_MARKS = "stretch_marks", "Stretch marks"
        OTHER_SCARS = "other_scars", "Other scars"
        LAXITY = "laxity", "Laxity"

    class Area(models.TextChoices):
        FACE = "face", "Face"
        NECK = "neck", "Neck"
        DECOLLETAGE = "decolletage", "Décolletage"
        HANDS = "hands", "Hands"
        BODY = "body", "Body (stretch marks, scars)"
        SCALP = "scalp", "Scalp"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consultations")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultations"
    )
    consulted_on = models.DateField(default=timezone.localdate)
    intended_treatment_date = models.DateField(
        help_text="Screening judges time windows against this date, not today."
    )
    concerns = models.JSONField(default=list, blank=True)
    areas = models.JSONField(default=list, blank=True)
    goals = models.TextField(blank=True)
    skin_assessment = models.TextField(blank=True)
    fitzpatrick_type = models.PositiveSmallIntegerField(null=True, blank=True)
    skin_thickness = models.CharField(
        max_length=5,
        choices=SkinThickness.choices,
        blank=True,
        help_text="Which depth guidance the sessions follow; thin when not known.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    screening_level = LevelField(default=Level.CLEAR.code)
    ruleset_version = models.CharField(max_length=40, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-consulted_on", "-id"]
        indexes = [models.Index(fields=["patient", "-consulted_on"], name="consultation_patient")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fitzpatrick_type__isnull=True)
                | models.Q(
                    fitzpatrick_type__gte=FITZPATRICK_LOWEST,
                    fitzpatrick_type__lte=FITZPATRICK_HIGHEST,
                ),
                name="consultation_fitzpatrick_1_to_6",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(signed_at__isnull=False) & ~models.Q(decision="")),
                name="consultation_signed_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Consultation {self.consulted_on:%d %b %Y} for {self.patient}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def found_not_suitable(self) -> bool:
        return self.is_signed and self.decision == self.Decision.NOT_SUITABLE

    @property
    def clears_for_treatment(self) -> bool:
        """Signed, and the patient was not found unsuitable: a plan may be made from it."""
        return self.is_signed and not self.found_not_suitable

    @property
    def level(self) -> Level:
        return Level.from_code(self.screening_level)


class MedicalHistory(models.Model):
    """The medical history as answered at one consultation; later ones copy, never edit.

    Each screening condition and dated event has its own column, named after it, so
    nothing the rules look at can be left out.
    """

    # The columns the screening rules read, for code that goes through all of them.
    CONDITION_FIELDS: ClassVar[dict[Condition, str]] = {c: c.value for c in Condition}
    DATE_FIELDS: ClassVar[dict[DatedEvent, str]] = {e: f"{e.value}_on" for e in DatedEvent}

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="history"
    )
    medications = models.TextField(
        blank=True, help_text="One per line, as the patient names them, with strength and dose."
    )
    allergies = models.TextField(blank=True)
    other_conditions = models.TextField(blank=True)

    # One yes/no answer per screening condition (treatments.screening.Condition), in its
    # order; tests/treatments/test_history_fields.py keeps the two one for one.
    active_acne = models.BooleanField("Active (inflamed) acne in the treatment area", default=False)
    eczema_flare = models.BooleanField("Eczema or dermatitis flare in the area", default=False)
    rosacea_flare = models.BooleanField("Rosacea: active flare", default=False)
    rosacea_controlled = models.BooleanField("Rosacea: controlled", default=False)
    psoriasis_plaques = models.BooleanField("Psoriasis plaques in the area", default=False)
    skin_infection_or_wound = models.BooleanField(
        "Skin infection or open wound in the area", default=False
    )
    cold_sore_active = models.BooleanField("Cold sore now", default=False)
    cold_sore_history = models.BooleanField("Has had cold sores", default=False)
    sunburn = models.BooleanField("Sunburn in the area", default=False)
    suspicious_lesion = models.BooleanField(
        "Skin cancer or a suspicious lesion in the area", default=False
    )
    cancer_treatment_in_progress = models.BooleanField(
        "Chemotherapy or radiotherapy in progress", default=False
    )
    pregnant_or_breastfeeding = models.BooleanField("Pregnant or breastfeeding", default=False)
    bleeding_disorder = models.BooleanField("Bleeding disorder (e.g. haemophilia)", default=False)
    taking_isotretinoin = models.BooleanField("Taking oral isotretinoin now", default=False)
    keloid_tendency = models.BooleanField("Keloid or raised (hypertrophic) scarring", default=False)
    immunosuppression_or_autoimmune = models.BooleanField(
        "Immunosuppressed or autoimmune disease", default=False
    )
    uncontrolled_diabetes = models.BooleanField(
        "Diabetes that is not well controlled", default=False
    )
    needle_metal_allergy = models.BooleanField(
        "Allergy to stainless steel or nickel", default=False
    )
    topical_anaesthetic_allergy = models.BooleanField(
        "Allergy to topical anaesthetic", default=False
    )
    low_pain_tolerance_or_needle_phobia = models.BooleanField(
        "Low pain tolerance or needle phobia", default=False
    )
    # One date per dated event (treatments.screening.DatedEvent), named <event>_on.
    radiotherapy_to_area_on = models.DateField(
        "Last radiotherapy to the area", null=True, blank=True
    )
    isotretinoin_stopped_on = models.DateField(
        "Oral isotretinoin stopped on", null=True, blank=True
    )
    chemical_peel_on = models.DateField("Last chemical peel", null=True, blank=True)
    laser_or_ipl_on = models.DateField("Last laser or IPL", null=True, blank=True)
    toxin_or_filler_on = models.DateField("Last botulinum toxin or filler", null=True, blank=True)
    topical_retinoid_or_acid_on = models.DateField(
        "Last topical retinoid or acid", null=True, blank=True
    )

    class Meta:
        verbose_name_plural = "medical histories"

    def __str__(self) -> str:
        # Shown in the audit log, so it names no condition and no patient.
        return f"Medical history #{self.pk}"

    def medication_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.medications.splitlines() if line.strip())

    def conditions(self) -> list[Condition]:
        """The conditions answered yes, in the questionnaire's order."""
        return [c for c, name in self.CONDITION_FIELDS.items() if getattr(self, name)]

    def event_dates(self) -> dict[DatedEvent, date]:
        """The dated events that have a date, in the questionnaire's order."""
        dates = {e: getattr(self, name) for e, name in self.DATE_FIELDS.items()}
        return {e: day for e, day in dates.items() if day}


class ScreeningFinding(models.Model):
    """One rule that fired for a consultation, as the practitioner saw it then.

    A needs-clearance finding may be overridden with a written reason (and a physician's
    clearance note where the rule asks for one); a contraindicated one may not.
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="findings"
    )
    code = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    level = LevelField()
    reason = models.TextField()
    source = models.TextField()
    detail = models.TextField()
    needs_physician_clearance = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    physician_clearance_note = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "code"], name="finding_once_per_rule"),
            models.CheckConstraint(
                condition=models.Q(overridden_at__isnull=True)
                | (models.Q(level=Level.NEEDS_CLEARANCE.code) & ~models.Q(override_reason="")),
                name="finding_override_needs_clearance_and_reason",
            ),
        ]

    def __str__(self) -> str:
        # Shown in the audit log, so it names no condition.
        return f"Screening finding #{self.pk}"

    @property
    def is_overridden(self) -> bool:
        return self.overridden_at is not None

    @property
    def blocks_treatment(self) -> bool:
        """Contraindicated, or needing clearance that has not been recorded."""
        if self.level == Level.CONTRAINDICATED.code:
            return True
        return self.level == Level.NEEDS_CLEARANCE.code and not self.is_overridden


def history_label(name: str) -> str:
    """The question a history field answers, as the practitioner reads it."""
    field = MedicalHistory._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


class ScreeningRuleSetting(models.Model):
    """The clinic's change to one default screening rule: switched off or another level.

    Changing a setting changes the rule-set version that new screenings record; results
    already stored never change.
    """

    code = models.CharField(max_length=50, unique=True)
    enabled = models.BooleanField(default=True)
    level = LevelField(blank=True, help_text="Empty: the rule's default level.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        state = "off" if not self.enabled else (self.level or "default level")
        return f"{self.code}: {state}"


class ConsultationAddendum(models.Model):
    """A correction or later note on a signed consultation, which itself never changes."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "consultation addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.consultation}"


class ConsentText(models.Model):
    """The consent a patient reads and signs, versioned per treatment.

    A new version is a new row; a signature always points at the exact text signed.
    """

    treatment = models.CharField(max_length=50, default="microneedling")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["treatment", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "version"], name="consent_text_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class ConsentSignature(models.Model):
    """A patient's signature on one version of a consent text, taken on the clinic tablet."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=201)
    agreed = models.BooleanField()
    signed_at = models.DateTimeField(default=timezone.now)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(agreed=True), name="consent_agreed"),
        ]

    def __str__(self) -> str:
        return f"{self.patient} signed {self.consent_text}"


class CheckInScreening(models.Model):
    """Screening again on the day of a session: the consultation's history plus what
    changed since, judged for today. A session may start only if ``may_start``.

    Its answers never change; screening again makes a new one. Overrides of its
    needs-clearance findings are added to the findings after they have been seen.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="check_ins")
    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="+")
    screened_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(default=dict, help_text="What the patient said changed.")
    level = LevelField()
    ruleset_version = models.CharField(max_length=40)
    findings = models.JSONField(default=list)
    may_start = models.BooleanField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-screened_on"], name="check_in_patient_day")]

    def __str__(self) -> str:
        return f"Check-in screening for {self.patient} on {self.screened_on:%d %b %Y}"


# --- The treatment catalog ------------------------------------------------------------


class Treatment(models.Model):
    """A treatment the clinic offers, such as microneedling, with the areas it treats."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    appointment_type = models.ForeignKey(
        "scheduling.AppointmentType",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="What its sessions are booked as (buffers and colour in the calendar).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TreatmentArea(models.Model):
    """An area a treatment is offered for, with the course defaults a plan starts from."""

    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="areas")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    default_sessions = models.PositiveSmallIntegerField(default=4)
    min_interval_days = models.PositiveSmallIntegerField(default=28)
    max_interval_days = models.PositiveSmallIntegerField(default=42)
    session_minutes = models.PositiveSmallIntegerField(default=60)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["treatment", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["treatment", "code"], name="treatment_area_code"),
            models.CheckConstraint(
                condition=CourseLimits.sessions_check("default_sessions"),
                name="treatment_area_sessions_1_to_12",
            ),
            models.CheckConstraint(
                condition=CourseLimits.interval_check(), name="treatment_area_interval_window"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    session_minutes__gte=CourseLimits.MIN_SESSION_MINUTES,
                    session_minutes__lte=CourseLimits.MAX_SESSION_MINUTES,
                ),
                name="treatment_area_session_15_to_240_minutes",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DepthGuidance(models.Model):
    """Needle depth guidance for a zone of an area, for thin and thick skin, in mm.

    The depth recorded at a session outside ``low``..``high`` needs a reason.
    """

    area = models.ForeignKey(TreatmentArea, on_delete=models.CASCADE, related_name="depths")
    zone = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    thin_min_mm = models.DecimalField(max_digits=3, decimal_places=2)
    thin_max_mm = models.DecimalField(max_digits=3, decimal_places=2)
    thick_min_mm = models.DecimalField(max_digits=3, decimal_places=2)
    thick_max_mm = models.DecimalField(max_digits=3, decimal_places=2)

    class Meta:
        ordering = ["area", "position", "zone"]
        verbose_name_plural = "depth guidance"
        constraints = [
            models.UniqueConstraint(fields=["area", "zone"], name="depth_guidance_zone"),
            models.CheckConstraint(
                condition=models.Q(thin_min_mm__gt=0)
                & models.Q(thin_min_mm__lte=models.F("thin_max_mm"))
                & models.Q(thick_min_mm__lte=models.F("thick_max_mm"))
                & models.Q(thick_max_mm__lte=CourseLimits.MAX_DEPTH_MM),
                name="depth_guidance_ranges",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.zone}"

    @property
    def low(self) -> Decimal:
        return min(self.thin_min_mm, self.thick_min_mm)

    @property
    def high(self) -> Decimal:
        return max(self.thin_max_mm, self.thick_max_mm)

    def range_for(self, skin: str) -> tuple[Decimal, Decimal]:
        """The range for this skin: thick skin's for thick, thin skin's otherwise (the
        shallower one, when the skin is not known)."""
        if skin == SkinThickness.THICK:
            return self.thick_min_mm, self.thick_max_mm
        return self.thin_min_mm, self.thin_max_mm


# --- Treatment plans and their sessions ----------------------------------------------


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


# --- Aftercare --------------------------------------------------------------------------


class AftercareTemplate(models.Model):
    """One version of what a treatment's patients are told to do after a session.

    A version is never edited: the manager's change is saved as the next version, so
    every issued copy can name the version it came from.

    ``steps`` is a list of {"from_day", "to_day", "text"}; day 0 is the day of the
    session. ``follow_up_days`` are the days after the session on which the patient gets
    a follow-up email with that day's steps.
    """

    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, related_name="aftercare_templates"
    )
    version = models.PositiveIntegerField()
    steps = models.JSONField(default=list)
    call_clinic = models.TextField(help_text="When the patient should contact the clinic at once.")
    follow_up_days = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["treatment", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "version"], name="aftercare_version_per_treatment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.treatment} aftercare, version {self.version}"


class IssuedAftercare(models.Model):
    """The aftercare one patient was given after one session: a copy of the template in
    force when the session was signed. Later versions of the template never change it."""

    session = models.OneToOneField(
        TreatmentSession, on_delete=models.PROTECT, related_name="aftercare"
    )
    template = models.ForeignKey(AftercareTemplate, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    steps = models.JSONField()
    call_clinic = models.TextField()
    follow_up_days = models.JSONField(default=list)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name_plural = "issued aftercare"

    def __str__(self) -> str:
        return f"Aftercare for session {self.session_id} (version {self.version})"


# --- Cartridge-lot recall -----------------------------------------------------------------


class LotRecall(models.Model):
    """A letter to every patient treated with a cartridge lot (or a device model), as
    when its maker recalls it: what was searched, what was written, by whom, to whom."""

    needle_lot = models.CharField("Cartridge or needle lot", max_length=50, blank=True)
    device_model = models.CharField(max_length=100, blank=True)
    text = models.TextField()
    patients = models.ManyToManyField(Patient, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        permissions = [("search_lot", "Can find the sessions that used a cartridge lot")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(needle_lot="", device_model=""),
                name="lot_recall_names_a_lot_or_device",
            ),
        ]

    def __str__(self) -> str:
        return f"Recall #{self.pk}"
