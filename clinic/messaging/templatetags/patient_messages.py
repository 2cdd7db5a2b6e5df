"""The messages panel on an appointment's page and on a patient's record: what was sent,
what is due (or won't go, and why), what failed, for staff whose role may read messages."""

from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from clinic.messaging.access import VIEW
from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import messages_for_appointment, messages_for_patient
from clinic.messaging.services import messages_note_wont_send
from clinic.staff.access import has_role_permission
from clinic.staff.web import escaped

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


# --- Addresses for many rows --------------------------------------------------------------
#
# A page of the outbox links each of its rows to the message and to the patient: a hundred
# reverse() calls, a third of the time the rows take to draw. Each address is reversed once
# with a marker for the id and the id written into it after.

_MARKER = 9_999_999_999_999


@lru_cache(maxsize=64)
def _around_the_id(name: str, script_prefix: str, urlconf: Any) -> tuple[str, str]:
    before, _, after = reverse(name, args=[_MARKER]).partition(str(_MARKER))
    return before, after


def _address(name: str, pk: int) -> str:
    before, after = _around_the_id(name, get_script_prefix(), get_urlconf())
    return f"{before}{int(pk)}{after}"


@register.filter
def message_address(pk: int) -> str:
    """``{% url 'messaging:detail' pk %}``, for many rows."""
    return _address("messaging:detail", pk)


@register.filter
def patient_address(pk: int) -> str:
    """``{% url 'patients:detail' pk %}``, for many rows."""
    return _address("patients:detail", pk)


# --- Words for many rows --------------------------------------------------------------------
#
# A page of the outbox writes fifty due times, kinds and statuses. Django's ``date`` filter
# and ``get_FOO_display`` look up formats and choices each time, more than half of what the
# rows take to draw; these look up a dictionary made once.

_KINDS = dict(PatientMessage.Kind.choices)
_STATUSES = dict(PatientMessage.Status.choices)
_REPLIES = dict(PatientMessage.Reply.choices)


@register.filter
def due_label(moment: datetime) -> str:
    """``{{ moment|date:"D j M Y, H:i" }}`` in the clinic's time: "Tue 8 Dec 2026, 09:30"."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


@register.filter
def kind_label(message: PatientMessage) -> str:
    """``message.get_kind_display``."""
    return _KINDS.get(message.kind, message.kind)


@register.filter
def status_label(message: PatientMessage) -> str:
    """``message.get_status_display``."""
    return _STATUSES.get(message.status, message.status)


@register.filter
def reply_label(message: PatientMessage) -> str:
    """``message.get_reply_display``."""
    return _REPLIES.get(message.reply, message.reply)


# --- A row, written at once -----------------------------------------------------------------
#
# Fifty rows of a dozen template variables and conditions each were most of the outbox's
# drawing time; the row is the same markup written by one function, each value escaped as
# the template would escape it.


@register.simple_tag
def message_row(m: PatientMessage, show_patient: bool) -> SafeString:
    """One row of ``_message_rows.html``: due, patient (``show_patient``), message, status."""
    patient = ""
    if show_patient:
        patient = (
            f'<td><a href="{escaped(patient_address(m.patient_id))}">'
            f"{escaped(m.patient.last_name)}, {escaped(m.patient.first_name)}</a></td>"
        )
    about = (
        f' <span class="text-body-secondary small">({escaped(m.about)})</span>' if m.about else ""
    )
    reply = ""
    if m.reply:
        late = ", late" if m.reply_late else ""
        reply = (
            f'<span class="badge text-bg-light border ms-1">{escaped(reply_label(m))}{late}</span>'
        )
    if m.wont_send_because:
        status = (
            '<span class="message-status message-status-wont-send" data-testid="wont-send">'
            "Won't send</span>\n        "
            f'<div class="small text-body-secondary">{escaped(m.wont_send_because)}</div>'
        )
    else:
        status = (
            f'<span class="message-status message-status-{escaped(m.status)}">'
            f"{escaped(status_label(m))}</span>"
        )
    error = ""
    if m.is_failed and m.last_error:
        short = escaped(Truncator(m.last_error).chars(90))
        error = f'<div class="small text-danger">{short}</div>'
    skip = (
        f'<div class="small text-body-secondary">{escaped(m.skip_reason)}</div>'
        if m.skip_reason
        else ""
    )
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<tr data-testid="message-row">\n'
        f'      <td class="text-nowrap">{escaped(due_label(m.due_at))}</td>\n'
        f"      {patient}\n"
        f'      <td><a href="{escaped(message_address(m.pk))}">'
        f"{escaped(kind_label(m))}</a>{about}\n"
        f"        {reply}</td>\n"
        f"      <td>{status}\n"
        f"        {error}\n"
        f"        {skip}</td>\n"
        "    </tr>"
    )
