"""Today's arrivals, a row written at once: forty rows of a dozen template variables,
conditions and two forms each were most of the time Today took to draw. The markup is
the template's, each value escaped as the template would escape it; the rules still ask
the model (``can_check_in``, ``can_mark_no_show``)."""

from datetime import datetime
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clinic.scheduling.models import Appointment
from clinic.scheduling.templatetags.book_addresses import (
    appointment_action_address,
    appointment_address,
    patient_record_address,
)

register = template.Library()

_STATUSES = dict(Appointment.Status.choices)
_CSRF = CsrfTokenNode()


def _clock(moment: datetime) -> str:
    """As the ``clock`` filter: the wall clock in the time zone in force."""
    return f"{timezone.localtime(moment):%H:%M}"


def _form(context: Any, pk: int, action: str, look: str, label: str, words: str) -> str:
    return (
        f'<form method="post" action="{escape(appointment_action_address(pk, action))}" '
        f'class="d-inline">{_CSRF.render(context)}<button class="btn btn-sm {look}" '
        f'aria-label="{label}">{words}</button></form>'
    )


@register.simple_tag(takes_context=True)
def arrival_row(context: Any, appointment: Appointment, now: datetime) -> SafeString:
    """One row of Today's arrivals (inside ``{% timezone %}`` of the location)."""
    a = appointment
    name = escape(a.patient.full_name)
    history = ""
    words = a.history_words
    if words:
        look = "text-bg-info" if a.history_received_at else "text-bg-light border"
        history = f' <span class="badge {look}" data-testid="history-badge">{escape(words)}</span>'
    check_in = no_show = ""
    if a.can_check_in(now):
        check_in = _form(context, a.pk, "check-in", "btn-primary", f"Check in {name}", "Check in")
    if a.can_mark_no_show(now):
        no_show = _form(
            context, a.pk, "no-show", "btn-outline-secondary", f"No-show: {name}", "No-show"
        )
    status = escape(_STATUSES.get(a.status, a.status))
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<tr data-testid="appointment-row">\n'
        f'            <td class="text-nowrap"><a href="{escape(appointment_address(a.pk))}">'
        f"{escape(_clock(a.starts_at))}\u2013{escape(_clock(a.ends_at))}</a></td>\n"
        f'            <td><a href="{escape(patient_record_address(a.patient_id))}">'
        f"{name}</a></td>\n"
        f"            <td>{escape(a.appointment_type.name)}{history}</td>\n"
        f"            <td>{escape(a.practitioner.user.get_full_name())}</td>\n"
        f"            <td>{escape(a.room.name)}</td>\n"
        f'            <td><span class="badge status-{escape(a.status)}">{status}</span></td>\n'
        '            <td class="text-nowrap">\n'
        f"              {check_in}\n"
        f"              {no_show}\n"
        "            </td>\n"
        "          </tr>"
    )
