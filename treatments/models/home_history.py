"""The medical history a patient gives at home before a consultation, and what the
practitioner took from it into the consultation.

The patient's account is kept as given: saved as they go, fixed once sent. The
practitioner reviews it answer by answer; each answer taken in is recorded with what
the patient said and what the practitioner recorded, so both stay readable.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clinic.scheduling.models import Appointment
from patients.models import Patient
from treatments.models.consultations import ConsentText, Consultation, MedicalHistory
from treatments.models.limits import LevelField

# The name a take-in uses for the medicine list as a whole (the other names are the
# ``MedicalHistory`` fields).
MEDICINES = "medicines"

# The history's answers a patient may give at home, in the questionnaire's order.
ANSWER_FIELDS = (
    *MedicalHistory.CONDITION_FIELDS.values(),
    *MedicalHistory.DATE_FIELDS.values(),
    "allergies",
    "other_conditions",
)
_DATE_NAMES = frozenset(MedicalHistory.DATE_FIELDS.values())
_CONDITION_NAMES = frozenset(MedicalHistory.CONDITION_FIELDS.values())

HistoryValue = bool | date | str | None


def answer_kind(name: str) -> str:
    """How an answer is given: "condition" (yes or no), "date", "text" or "medicines"."""
    if name == MEDICINES:
        return "medicines"
    if name in _CONDITION_NAMES:
        return "condition"
    return "date" if name in _DATE_NAMES else "text"


def history_value(name: str, stored: Any) -> HistoryValue:
    """An answer as stored (JSON) as the ``MedicalHistory`` field ``name`` holds it: a
    condition true or false, a date or None, text. A stored value of the wrong shape is
    refused, never guessed at."""
    kind = answer_kind(name)
    if kind == "condition":
        if not isinstance(stored, bool):
            raise ValidationError("This answer is not a yes or a no.")
        return stored
    if kind == "date":
        if stored in (None, ""):
            return None
        try:
            return date.fromisoformat(str(stored))
        except ValueError:
            raise ValidationError("This answer is not a date.") from None
    if not isinstance(stored, str):
        raise ValidationError("This answer is not text.")
    return stored


def stored_value(value: HistoryValue) -> Any:
    """A history field's value as an answer is stored (JSON): a date as "YYYY-MM-DD"."""
    return value.isoformat() if isinstance(value, date) else value


class HomeHistory(models.Model):
    """A patient's own account of their medical history, for one consultation booking.

    ``answers`` maps a ``MedicalHistory`` field name to the answer: true or false for a
    condition, an ISO date ("YYYY-MM-DD") for a dated event, text for allergies and other
    conditions; a name that is absent was not answered. ``medicines`` is a list of
    ``{"text", "medicine_key", "route", "current", "stopped_on", "dose"}`` (the key empty
    when the vocabulary did not recognise the line). Once ``submitted_at`` is set nothing
    here changes; the screening of the answers, as it was when they were sent, is kept
    beside them.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="home_histories")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="home_history"
    )
    answers = models.JSONField(default=dict, blank=True)
    medicines = models.JSONField(default=list, blank=True)
    consent_text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The consent text the patient was shown at home.",
    )  # fmt: skip
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The screening of the answers when they were sent (empty until then).
    screening_level = LevelField(blank=True)
    findings = models.JSONField(default=list, blank=True)
    ruleset_version = models.CharField(max_length=40, blank=True)
    vocabulary_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "home histories"
        indexes = [models.Index(fields=["patient", "-started_at"], name="home_history_patient")]

    def __str__(self) -> str:
        # Shown in the audit log, so it names no condition and no patient.
        return f"Medical history from home #{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def may_be_changed(self) -> bool:
        """The patient may still save answers: not yet sent."""
        return self.submitted_at is None

    def given_fields(self) -> list[str]:
        """The answers the patient gave, in the questionnaire's order, then ``MEDICINES``
        when they listed any medicine."""
        names = [name for name in ANSWER_FIELDS if name in self.answers]
        return [*names, MEDICINES] if self.medicines else names

    def is_fully_taken_in(self, taken: int) -> bool:
        """Whether ``taken`` different answers taken in cover all the patient gave (a
        take-in is only ever of a given answer, once per consultation)."""
        return taken >= len(self.given_fields())


class HistoryTakeIn(models.Model):
    """One answer of a home history the practitioner reviewed into a consultation.

    ``field`` is a ``MedicalHistory`` field name, or ``MEDICINES`` for the medicine list;
    ``patient_said`` is the answer as given at home and ``recorded`` what the practitioner
    put in the consultation's history (the same, or corrected).
    """

    home_history = models.ForeignKey(HomeHistory, on_delete=models.PROTECT, related_name="take_ins")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="take_ins"
    )
    field = models.CharField(max_length=60)
    patient_said = models.JSONField(null=True, blank=True)
    recorded = models.JSONField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["consultation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "field"], name="history_take_in_once_per_answer"
            ),
        ]

    def __str__(self) -> str:
        # Shown in the audit log, so it names no answer.
        return f"History answer taken in #{self.pk}"

    @property
    def was_changed(self) -> bool:
        """The practitioner recorded something other than what the patient said."""
        return self.patient_said != self.recorded
