"""Today's arrivals, a row written at once: forty rows of a dozen template variables,
conditions and two forms each were most of the time Today took to draw. The markup is
the template's, each value escaped as the template would escape it; the rules are the
model's (``Appointment.allowed``), asked of a plain row."""

from datetime import datetime
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from clinic.scheduling.models import HISTORY_WORDS, Appointment
from clinic.scheduling.selectors import AppointmentRow
from clinic.scheduling.templatetags.book_addresses import (
    appointment_action_address,
    appointment_address,
    patient_record_address,
)
from clinic.staff.web import escaped

register = template.Library()

_STATUSES = dict(Appointment.Status.choices)
_CSRF = CsrfTokenNode()


def _clock(moment: datetime) -> str:
    """As the ``clock`` filter: the wall clock in the time zone in force."""
    return f"{timezone.localtime(moment):%H:%M}"


def _csrf(context: Any) -> str:
    """The form's CSRF field, written once a page."""
    kept = context.render_context.get(_CSRF)
    if kept is None:
        kept = context.render_context[_CSRF] = _CSRF.render(context)
    return str(kept)


def _form(context: Any, pk: int, action: str, look: str, label: str, words: str) -> str:
    return (
        f'<form method="post" action="{escaped(appointment_action_address(pk, action))}" '
        f'class="d-inline">{_csrf(context)}<button class="btn btn-sm {look}" '
        f'aria-label="{label}">{words}</button></form>'
    )


@register.simple_tag(takes_context=True)
def arrival_row(context: Any, row: AppointmentRow, now: datetime) -> SafeString:
    """One row of Today's arrivals (inside ``{% timezone %}`` of the location)."""
    name = escaped(row.patient_name)
    history = ""
    state = Appointment.history_state(row.type_kind, row.history_received_at)
    if state:
        look = "text-bg-info" if row.history_received_at else "text-bg-light border"
        badge = escaped(HISTORY_WORDS[state])
        history = f' <span class="badge {look}" data-testid="history-badge">{badge}</span>'
    on_its_day = timezone.localtime(row.starts_at).date() == timezone.localtime(now).date()
    allowed = Appointment.allowed(row.status, on_its_day=on_its_day, started=row.starts_at <= now)
    check_in = no_show = ""
    if allowed.check_in:
        check_in = _form(context, row.pk, "check-in", "btn-primary", f"Check in {name}", "Check in")
    if allowed.no_show:
        no_show = _form(
            context, row.pk, "no-show", "btn-outline-secondary", f"No-show: {name}", "No-show"
        )
    status = escaped(_STATUSES.get(row.status, row.status))
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<tr data-testid="appointment-row">\n'
        f'            <td class="text-nowrap"><a href="{escaped(appointment_address(row.pk))}">'
        f"{escaped(_clock(row.starts_at))}\u2013{escaped(_clock(row.ends_at))}</a></td>\n"
        f'            <td><a href="{escaped(patient_record_address(row.patient_id))}">'
        f"{name}</a></td>\n"
        f"            <td>{escaped(row.type_name)}{history}</td>\n"
        f"            <td>{escaped(row.practitioner_name)}</td>\n"
        f"            <td>{escaped(row.room_name)}</td>\n"
        f'            <td><span class="badge status-{escaped(row.status)}">{status}</span></td>\n'
        '            <td class="text-nowrap">\n'
        f"              {check_in}\n"
        f"              {no_show}\n"
        "            </td>\n"
        "          </tr>"
    )
