"""The cleared badge on the appointment book's cards, without scheduling importing
treatments: the book asks through ``clinic.scheduling.signals.appointment_badges``."""

from typing import Any

from clinic.scheduling.signals import CardBadges
from treatments.consultations.selectors import clearance_of_the_patient, clearance_word


def on_badges(**_: Any) -> CardBadges:
    """The book's cards: the patient's clearance word, the front desk's, never the reasons."""
    return CardBadges(clearance=clearance_of_the_patient(), clearance_word=clearance_word)
