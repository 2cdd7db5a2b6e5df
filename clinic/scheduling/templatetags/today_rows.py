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
from clinic.scheduling.templatetags.book_addresses import around_the_id, here
from clinic.staff.web import escaped

register = template.Library()

_STATUSES = dict(Appointment.Status.choices)
_CSRF = CsrfTokenNode()


class _Drawing:
    """What every row of one drawing of the list shares, worked out at its first row:
    the location's zone (the ``{% timezone %}`` in force), its day, the forms' CSRF field
    and where addresses are reversed."""

    def __init__(self, context: Any, now: datetime) -> None:
        self.zone = timezone.get_current_timezone()
        self.today = now.astimezone(self.zone).date()
        self.csrf = str(_CSRF.render(context))
        self.where = here()
        self._addresses: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}

    @classmethod
    def of(cls, context: Any, now: datetime) -> "_Drawing":
        drawing = context.render_context.get(cls)
        if drawing is None:
            drawing = context.render_context[cls] = cls(context, now)
        return drawing

    def clock(self, moment: datetime) -> str:
        """As the ``clock`` filter: the wall clock in the zone in force (digits and a
        colon, nothing to escape)."""
        return f"{moment.astimezone(self.zone):%H:%M}"

    def address(self, name: str, pk: int, *rest: str) -> str:
        """``reverse(name, args=[pk, *rest])``, escaped: the parts around the id are
        reversed and escaped once a drawing."""
        parts = self._addresses.get((name, rest))
        if parts is None:
            before, after = around_the_id(name, rest, self.where)
            parts = self._addresses[name, rest] = (escaped(before), escaped(after))
        return f"{parts[0]}{int(pk)}{parts[1]}"

    def form(self, pk: int, action: str, look: str, label: str, words: str) -> str:
        return (
            f'<form method="post" action="{self.address("scheduling:action", pk, action)}" '
            f'class="d-inline">{self.csrf}<button class="btn btn-sm {look}" '
            f'aria-label="{label}">{words}</button></form>'
        )


@register.simple_tag(takes_context=True)
def arrival_row(context: Any, row: AppointmentRow, now: datetime) -> SafeString:
    """One row of Today's arrivals (inside ``{% timezone %}`` of the location)."""
    drawing = _Drawing.of(context, now)
    name = escaped(row.patient_name)
    history = ""
    state = Appointment.history_state(row.type_kind, row.history_received_at)
    if state:
        look = "text-bg-info" if row.history_received_at else "text-bg-light border"
        badge = escaped(HISTORY_WORDS[state])
        history = f' <span class="badge {look}" data-testid="history-badge">{badge}</span>'
    on_its_day = row.starts_at.astimezone(drawing.zone).date() == drawing.today
    allowed = Appointment.allowed(row.status, on_its_day=on_its_day, started=row.starts_at <= now)
    check_in = no_show = ""
    if allowed.check_in:
        check_in = drawing.form(row.pk, "check-in", "btn-primary", f"Check in {name}", "Check in")
    if allowed.no_show:
        no_show = drawing.form(
            row.pk, "no-show", "btn-outline-secondary", f"No-show: {name}", "No-show"
        )
    status = escaped(_STATUSES.get(row.status, row.status))
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<tr data-testid="appointment-row">\n'
        f'            <td class="text-nowrap">'
        f'<a href="{drawing.address("scheduling:appointment", row.pk)}">'
        f"{drawing.clock(row.starts_at)}\u2013{drawing.clock(row.ends_at)}"
        "</a></td>\n"
        f'            <td><a href="{drawing.address("patients:detail", row.patient_id)}">'
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
