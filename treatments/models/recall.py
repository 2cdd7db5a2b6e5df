"""Cartridge-lot recall: the letter and the patients it went to."""

from django.conf import settings
from django.db import models

from patients.models import Patient


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
