"""The appointment's rules that need the time, for templates: each asks the model.

``{% if appointment|can_check_in:now %}``: a template cannot call a method with an
argument, and the rule must not be written out again in the template.
"""

from datetime import datetime

from django import template

from clinic.scheduling.models import Appointment

register = template.Library()


@register.filter
def can_check_in(appointment: Appointment, now: datetime) -> bool:
    return appointment.can_check_in(now)


@register.filter
def can_mark_no_show(appointment: Appointment, now: datetime) -> bool:
    return appointment.can_mark_no_show(now)
