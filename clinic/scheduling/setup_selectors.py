"""Reads for the clinic manager's setup pages, each with its joins already made."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from clinic.scheduling.hours import Interval, Week, fits
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
    Leave,
    Location,
    OpeningHours,
    WorkingHours,
    in_force_on,
)
from clinic.scheduling.selectors import day_bounds
from clinic.staff.models import PractitionerProfile


def locations_for_setup(*, today: date) -> QuerySet[Location]:
    """Every location with its rooms, opening hours in force today and closures still to
    come."""
    return Location.objects.order_by("name").prefetch_related(
        "rooms",
        Prefetch("opening_hours", queryset=OpeningHours.objects.filter(in_force_on(today))),
        Prefetch(
            "closures",
            queryset=Closure.objects.filter(last_day__gte=today),
            to_attr="upcoming_closures",
        ),
    )


def practitioners_for_setup(*, now: datetime, today: date) -> QuerySet[PractitionerProfile]:
    """Active practitioners with their weekly hours in force today (and where) and leave
    still to come."""
    return (
        PractitionerProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related(
            Prefetch("working_hours", queryset=WorkingHours.objects.filter(in_force_on(today))),
            Prefetch(
                "leave", queryset=Leave.objects.filter(ends_at__gt=now), to_attr="upcoming_leave"
            ),
        )
    )


def appointment_types_for_setup() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.order_by("-is_active", "name")


def opening_week(location: Location, *, on: date) -> dict[int, list[Interval]]:
    """The location's week of opening hours in force on ``on``."""
    rows = OpeningHours.objects.filter(in_force_on(on), location=location)
    return _week(rows.values_list("weekday", "opens", "closes"))


def working_week(
    practitioner: PractitionerProfile, location: Location, *, on: date
) -> dict[int, list[Interval]]:
    """The practitioner's week at the location in force on ``on``."""
    rows = WorkingHours.objects.filter(
        in_force_on(on), practitioner=practitioner, location=location
    )
    return _week(rows.values_list("weekday", "starts", "ends"))


def _week(rows: Iterable[tuple[int, time, time]]) -> dict[int, list[Interval]]:
    week: dict[int, list[Interval]] = defaultdict(list)
    for weekday, starts, ends in sorted(rows):
        week[weekday].append((starts, ends))
    return dict(week)


def upcoming_appointments(*, now: datetime) -> QuerySet[Appointment]:
    """Appointments booked from ``now`` on that are still to happen."""
    return Appointment.objects.filter(status__in=Appointment.NOT_OVER, starts_at__gte=now)


def count_outside_week(appointments: QuerySet[Appointment], *, week: Week, zone: ZoneInfo) -> int:
    """How many of the appointments would not fit the week's hours, in local time."""
    times = appointments.values_list("starts_at", "ends_at")
    return sum(
        1
        for starts, ends in times
        if not fits(week, starts.astimezone(zone), ends.astimezone(zone))
    )


def count_on_days(
    appointments: QuerySet[Appointment], *, first_day: date, last_day: date, zone: ZoneInfo
) -> int:
    """How many of the appointments fall on the local days ``first_day`` to ``last_day``."""
    start, _ = day_bounds(first_day, zone)
    _, end = day_bounds(last_day, zone)
    return count_during(appointments, start=start, end=end)


def count_during(appointments: QuerySet[Appointment], *, start: datetime, end: datetime) -> int:
    """How many of the appointments share any time with ``start`` to ``end``."""
    return appointments.filter(starts_at__lt=end, ends_at__gt=start).count()
