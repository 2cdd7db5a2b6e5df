"""The treatment catalog: treatments, their areas' course defaults and depth guidance."""

from decimal import Decimal

from django.db import models

from treatments.models.limits import CourseLimits, SkinThickness


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
