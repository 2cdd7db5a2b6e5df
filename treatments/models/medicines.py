"""The medicines of a medical history, one row a medicine: as written, as matched, how it
is taken, and for a line the vocabulary does not know, the practitioner's check."""

from django.conf import settings
from django.db import models

from treatments.models.consultations import MedicalHistory


class MedicineRoute(models.TextChoices):
    """How the medicine is taken; the same values as the vocabulary's ``Route``."""

    MOUTH = "mouth", "By mouth"
    SKIN = "skin", "On the skin"
    INJECTION = "injection", "Injection"
    EYE_EAR_NOSE = "eye_ear_nose", "Eye, ear or nose"
    INHALED = "inhaled", "Inhaled"


class MedicineLine(models.Model):
    """One medicine of a medical history.

    What the vocabulary said when the line was matched (name, ingredients, classes and
    its version) is kept on the row, so a later vocabulary never rewrites the record. A
    line the vocabulary does not know counts only once a practitioner has confirmed it
    is not relevant to microneedling (who and when are kept).
    """

    history = models.ForeignKey(
        MedicalHistory, on_delete=models.CASCADE, related_name="medicine_lines"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField("Medicine as written", max_length=500)
    medicine_key = models.CharField(max_length=80, blank=True)
    medicine_label = models.CharField(max_length=200, blank=True)
    ingredients = models.JSONField(default=list, blank=True)
    classes = models.JSONField(default=list, blank=True)
    vocabulary_version = models.CharField(max_length=40, blank=True)
    route = models.CharField(
        max_length=20, choices=MedicineRoute.choices, blank=True, help_text="Empty: not asked."
    )
    current = models.BooleanField("Taking now", default=True)
    stopped_on = models.DateField(null=True, blank=True)
    dose = models.CharField(max_length=200, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["history", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(current=False) | models.Q(stopped_on__isnull=True),
                name="medicine_taken_now_has_no_stop_date",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True)
                | (models.Q(medicine_key="") & models.Q(confirmed_by__isnull=False)),
                name="medicine_confirmed_only_when_unmatched",
            ),
        ]

    def __str__(self) -> str:
        # Shown in the audit log, so it names no medicine.
        return f"Medicine line #{self.pk}"

    @property
    def is_matched(self) -> bool:
        return bool(self.medicine_key)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_resolved(self) -> bool:
        """Matched to a known medicine, or checked by a practitioner."""
        return self.is_matched or self.is_confirmed
