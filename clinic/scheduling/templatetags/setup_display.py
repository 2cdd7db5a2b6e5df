"""How the setup pages write a stretch of leave: whole days as days, else with times."""

from datetime import time, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from clinic.scheduling.models import Leave

register = template.Library()


@register.filter
def leave_span(away: Leave) -> str:
    """Leave in the clinic's time zone, such as: Mon 3 Aug 2026, all day; Mon 3 Aug to
    Fri 7 Aug 2026; Mon 3 Aug 2026, 09:00 to 12:30."""
    zone = timezone.get_current_timezone()
    start, end = away.starts_at.astimezone(zone), away.ends_at.astimezone(zone)
    if start.time() == end.time() == time(0):
        last = end.date() - timedelta(days=1)
        if last == start.date():
            return f"{date_format(start, 'D j M Y')}, all day"
        return f"{date_format(start, 'D j M')} to {date_format(last, 'D j M Y')}"
    if start.date() == end.date():
        return f"{date_format(start, 'D j M Y, H:i')} to {date_format(end, 'H:i')}"
    return f"{date_format(start, 'D j M Y, H:i')} to {date_format(end, 'D j M Y, H:i')}"
