"""The messages panel on an appointment's page and on a patient's record: what was sent,
what is due (or won't go, and why), what failed, for staff whose role may read messages."""

from typing import Any

from django import template
from django.utils import timezone

from clinic.messaging.access import VIEW
from clinic.messaging.selectors import messages_for_appointment, messages_for_patient
from clinic.messaging.services import messages_note_wont_send
from clinic.staff.access import has_role_permission

register = template.Library()

# The newest few; the full history is on /messages/.
SHOWN = 10


def _panel(context: dict[str, Any], rows: Any, title: str) -> dict[str, Any]:
    if not has_role_permission(context["request"].user, VIEW):
        return {"visible": False}
    shown = list(rows[: SHOWN + 1])
    messages_note_wont_send(shown, now=timezone.now())
    return {
        "visible": True,
        "title": title,
        "messages_shown": shown[:SHOWN],
        "more": len(shown) > SHOWN,
    }


@register.inclusion_tag("messaging/_messages_panel.html", takes_context=True)
def appointment_messages(context: dict[str, Any], appointment: Any) -> dict[str, Any]:
    return _panel(context, messages_for_appointment(appointment.pk), "Messages about it")


@register.inclusion_tag("messaging/_messages_panel.html", takes_context=True)
def patient_messages(context: dict[str, Any], patient: Any) -> dict[str, Any]:
    return _panel(context, messages_for_patient(patient.pk), "Messages to the patient")
