"""The patient record's appointments, without patients importing scheduling."""

from typing import Any

from django import template
from django.utils import timezone

from clinic.scheduling.access import BOOK, VIEW
from clinic.scheduling.selectors import appointments_of_patient
from clinic.staff.access import has_role_permission
from patients.models import Patient

register = template.Library()

# How many of each, to come and gone, the record shows; the book has the rest.
SHOWN = 10


@register.inclusion_tag("scheduling/_patient_appointments.html", takes_context=True)
def patient_appointments(context: dict[str, Any], patient: Patient) -> dict[str, Any]:
    """Upcoming and past appointments, for the roles that see the book; nothing for others."""
    if not has_role_permission(context["request"].user, VIEW):
        return {"visible": False}
    upcoming, past = appointments_of_patient(patient.pk, now=timezone.now(), limit=SHOWN)
    return {
        "visible": True,
        "upcoming": upcoming[:SHOWN],
        "more_upcoming": len(upcoming) > SHOWN,
        "past": past[:SHOWN],
        "more_past": len(past) > SHOWN,
        "shown": SHOWN,
        "patient": patient,
        "can_add_to_waitlist": has_role_permission(context["request"].user, BOOK),
    }
