"""An appointment's time as its location tells it: ``{% timezone appointment.location.
time_zone %}`` shows the wall clock, and ``zone_named`` says which zone where it is not
the clinic's."""

from datetime import datetime

from django import template
from django.conf import settings
from django.utils import timezone

from clinic.scheduling.calendar import zone_named as _zone_named
from clinic.scheduling.models import Appointment

register = template.Library()


@register.filter
def zone_named(appointment: Appointment) -> str:
    return _zone_named(appointment.location.time_zone, settings.TIME_ZONE, appointment.starts_at)


@register.filter
def clock(moment: datetime) -> str:
    """``{{ moment|time:"H:i" }}`` in the time zone in force (``{% timezone %}``), without
    the format look-ups of Django's filter: a day's list writes hundreds."""
    return f"{timezone.localtime(moment):%H:%M}"
