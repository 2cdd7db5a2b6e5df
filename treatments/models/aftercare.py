"""Aftercare: the versioned templates and the copy issued with a session."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from treatments.models.catalog import Treatment
from treatments.models.plans import TreatmentSession


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
