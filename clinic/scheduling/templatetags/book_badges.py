"""A card's badges in the printable day list: ``{% with badge=badges|badges_of:entry %}``
(a template cannot look a dictionary up by a variable)."""

from django import template

from clinic.scheduling.calendar_views import Badges
from clinic.scheduling.models import Appointment

register = template.Library()


@register.filter
def badges_of(badges: dict[int, Badges], appointment: Appointment) -> Badges:
    return badges.get(appointment.pk) or Badges()
