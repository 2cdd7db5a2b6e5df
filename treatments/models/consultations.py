"""The consultation: the record, the medical history as answered, screening findings,
the clinic's rule settings, addenda, consent and the check-in screening."""

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from patients.models import Patient
from treatments.models.limits import (
    FITZPATRICK_HIGHEST,
    FITZPATRICK_LOWEST,
    LevelField,
    SkinThickness,
)
from treatments.screening.rules import DEFAULT_RULES, Condition, DatedEvent, Level, Rule


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
    vocabulary_version = models.CharField(
        max_length=40, blank=True, help_text="The medicine vocabulary the screening used."
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-consulted_on", "-id"]
        indexes = [
            models.Index(fields=["patient", "-consulted_on"], name="consultation_patient"),
            # A patient's clearance is their latest signed consultation's decision: one
            # probe a patient, for the hundreds of cards of a busy day's book.
            models.Index(
                fields=["patient", "-consulted_on", "-id"],
                condition=models.Q(status="signed"),
                name="consultation_latest_signed",
            ),
        ]
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

    def may_be_changed_by(self, user: object) -> bool:
        """A draft is its practitioner's own: colleagues read it, only they change it."""
        return not self.is_signed and user == self.practitioner

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
    # Before medicines were rows (``medicine_lines``) they were written here, one a line.
    # Kept as written for the record; nothing writes it any more.
    medications = models.TextField(
        "Medicines as first written", blank=True, editable=False,
        help_text="Free text from before the medicine list was coded; read only.",
    )  # fmt: skip
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


RULE_OFF = "off"


def rule_state(enabled: bool, level: str) -> str:
    """One word for what a rule does in the clinic: "off", or the level's code."""
    return level if enabled else RULE_OFF


def rule_state_label(state: str) -> str:
    return "Switched off" if state == RULE_OFF else Level.from_code(state).label


def rule_change_refused(default: Level, enabled: bool, level: Level | None) -> str | None:
    """Why the clinic may not make this change to a rule of level ``default``, or None.

    A contraindication protects the patient whatever the clinic prefers: it can be
    neither switched off nor lowered.
    """
    if default is not Level.CONTRAINDICATED:
        return None
    if not enabled:
        return "A contraindication cannot be switched off."
    if level is not None and level < default:
        return "A contraindication cannot be given a lower level."
    return None


class ScreeningRuleSetting(models.Model):
    """The clinic's change to one default screening rule: switched off or another level,
    with the reason given.

    Changing a setting changes the rule-set version that new screenings record; results
    already stored never change. Each change is also kept as a ``ScreeningRuleChange``.
    """

    code = models.CharField(max_length=50, unique=True)
    enabled = models.BooleanField(default=True)
    level = LevelField(blank=True, help_text="Empty: the rule's default level.")
    reason = models.TextField(help_text="Why the clinic changed the rule.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        state = "off" if not self.enabled else (self.level or "default level")
        return f"{self.code}: {state}"

    @property
    def default_rule(self) -> Rule | None:
        return next((rule for rule in DEFAULT_RULES if rule.code == self.code), None)

    @property
    def state(self) -> str:
        """ "off" or the level the rule fires at in this clinic."""
        rule = self.default_rule
        default = rule.level.code if rule else ""
        return rule_state(self.enabled, self.level or default)

    def clean(self) -> None:
        rule = self.default_rule
        if rule is None:
            raise ValidationError(f"There is no screening rule “{self.code}”.")
        level = Level.from_code(self.level) if self.level else None
        refused = rule_change_refused(rule.level, self.enabled, level)
        if refused:
            raise ValidationError(refused)
        if not self.reason.strip():
            raise ValidationError({"reason": ["Give the reason for the change."]})


class ScreeningRuleChange(models.Model):
    """One change the clinic made to a screening rule: the level before and after (or
    "off"), who made it, when and why. Never changed or removed."""

    code = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    old_state = models.CharField(max_length=20)
    new_state = models.CharField(max_length=20)
    reason = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["code", "-changed_at"], name="rule_change_code")]

    def __str__(self) -> str:
        # The audit log shows this: the rule and its old and new level.
        return f"Screening rule “{self.title}” ({self.code}): {self.old_state} → {self.new_state}"

    @property
    def old_label(self) -> str:
        return rule_state_label(self.old_state)

    @property
    def new_label(self) -> str:
        return rule_state_label(self.new_state)


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
    vocabulary_version = models.CharField(max_length=40, blank=True)
    findings = models.JSONField(default=list)
    may_start = models.BooleanField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-screened_on"], name="check_in_patient_day")]

    def __str__(self) -> str:
        return f"Check-in screening for {self.patient} on {self.screened_on:%d %b %Y}"
