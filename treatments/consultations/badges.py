"""The cleared badge on the appointment book's cards, without scheduling importing
treatments: the book asks through ``clinic.scheduling.signals.appointment_badges``."""

from typing import Any

from django.db.models import QuerySet

from clinic.scheduling.models import Appointment
from clinic.scheduling.signals import CardBadges
from treatments.consultations.selectors import clearance_for_their_patients


def on_badges(*, shown: QuerySet[Appointment], **_: Any) -> CardBadges:
    """Each shown patient's clearance word: the front desk's, never the reasons."""
    return CardBadges(clearance=clearance_for_their_patients(shown))
