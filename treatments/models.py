from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models import Patient
from treatments.screening import Condition, DatedEvent, Level


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
                | models.Q(fitzpatrick_type__gte=1, fitzpatrick_type__lte=6),
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
    def level(self) -> Level:
        return Level.from_code(self.screening_level)


def _history_fields() -> dict[str, models.Field]:
    """One yes/no answer per screening condition and one date per dated event."""
    labels = {
        Condition.ACTIVE_ACNE: "Active (inflamed) acne in the treatment area",
        Condition.ECZEMA_FLARE: "Eczema or dermatitis flare in the area",
        Condition.ROSACEA_FLARE: "Rosacea: active flare",
        Condition.ROSACEA_CONTROLLED: "Rosacea: controlled",
        Condition.PSORIASIS_PLAQUES: "Psoriasis plaques in the area",
        Condition.SKIN_INFECTION_OR_WOUND: "Skin infection or open wound in the area",
        Condition.COLD_SORE_ACTIVE: "Cold sore now",
        Condition.COLD_SORE_HISTORY: "Has had cold sores",
        Condition.SUNBURN: "Sunburn in the area",
        Condition.SUSPICIOUS_LESION: "Skin cancer or a suspicious lesion in the area",
        Condition.CANCER_TREATMENT_IN_PROGRESS: "Chemotherapy or radiotherapy in progress",
        Condition.PREGNANT_OR_BREASTFEEDING: "Pregnant or breastfeeding",
        Condition.BLEEDING_DISORDER: "Bleeding disorder (e.g. haemophilia)",
        Condition.TAKING_ISOTRETINOIN: "Taking oral isotretinoin now",
        Condition.KELOID_TENDENCY: "Keloid or raised (hypertrophic) scarring",
        Condition.IMMUNOSUPPRESSION_OR_AUTOIMMUNE: "Immunosuppressed or autoimmune disease",
        Condition.UNCONTROLLED_DIABETES: "Diabetes that is not well controlled",
        Condition.NEEDLE_METAL_ALLERGY: "Allergy to stainless steel or nickel",
        Condition.TOPICAL_ANAESTHETIC_ALLERGY: "Allergy to topical anaesthetic",
        Condition.LOW_PAIN_TOLERANCE_OR_NEEDLE_PHOBIA: "Low pain tolerance or needle phobia",
    }
    date_labels = {
        DatedEvent.RADIOTHERAPY_TO_AREA: "Last radiotherapy to the area",
        DatedEvent.ISOTRETINOIN_STOPPED: "Oral isotretinoin stopped on",
        DatedEvent.CHEMICAL_PEEL: "Last chemical peel",
        DatedEvent.LASER_OR_IPL: "Last laser or IPL",
        DatedEvent.TOXIN_OR_FILLER: "Last botulinum toxin or filler",
        DatedEvent.TOPICAL_RETINOID_OR_ACID: "Last topical retinoid or acid",
    }
    fields: dict[str, models.Field] = {}
    for condition in Condition:
        fields[condition.value] = models.BooleanField(labels[condition], default=False)
    for event in DatedEvent:
        fields[f"{event.value}_on"] = models.DateField(date_labels[event], null=True, blank=True)
    return fields


HISTORY_CONDITION_FIELDS = [condition.value for condition in Condition]
HISTORY_DATE_FIELDS = [f"{event.value}_on" for event in DatedEvent]


class MedicalHistory(models.Model):
    """The medical history as answered at one consultation; later ones copy, never edit.

    Each screening condition and dated event has its own column (built from the
    screening module's lists), so nothing the rules look at can be left out.
    """

    consultation = models.OneToOneField(
        Consultation, on_delete=models.PROTECT, related_name="history"
    )
    medications = models.TextField(
        blank=True, help_text="One per line, as the patient names them, with strength and dose."
    )
    allergies = models.TextField(blank=True)
    other_conditions = models.TextField(blank=True)

    locals().update(_history_fields())

    class Meta:
        verbose_name_plural = "medical histories"

    def __str__(self) -> str:
        # Shown in the audit log, so it names no condition and no patient.
        return f"Medical history #{self.pk}"

    def medication_lines(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.medications.splitlines() if line.strip())


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
