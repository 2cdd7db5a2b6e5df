from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from clinic.scheduling.models import Appointment


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants that begin and end a local day (23 or 25 hours on change days)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def appointments_on(day: date, *, practitioner_user_id: int | None = None) -> QuerySet[Appointment]:
    """A day's appointments with everything a day list shows, in one query."""
    start, end = day_bounds(day, ZoneInfo(settings.TIME_ZONE))
    appointments = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if practitioner_user_id is not None:
        appointments = appointments.filter(practitioner__user_id=practitioner_user_id)
    return appointments.select_related(
        "patient", "practitioner__user", "room", "appointment_type", "location"
    ).order_by("starts_at", "room__name")


def appointments_between(first: date, last: date) -> QuerySet[Appointment]:
    """Appointments from the start of ``first`` to the end of ``last``, local days."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    return (
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "practitioner__user", "room", "appointment_type")
        .order_by("starts_at", "room__name")
    )
