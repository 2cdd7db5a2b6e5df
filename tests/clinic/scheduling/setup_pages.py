"""What the setup page tests share: times in the clinic's zone, a booked appointment
row, and readers for the page's warnings and a form's errors."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from tests.factories import make_patient

LONDON = ZoneInfo("Europe/London")
SETUP_MODELS = (Location, Room, OpeningHours, Closure, WorkingHours, Leave, AppointmentType)


def coming_monday() -> date:
    """A Monday at least a week ahead, so that its appointments are still to come."""
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday() + 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def book(clinic, start, *, practitioner=None, room=None, status=Appointment.Status.BOOKED):
    room = room or clinic["rooms"][0]
    return Appointment.objects.create(
        patient=make_patient(),
        practitioner=practitioner or clinic["practitioners"][0],
        room=room,
        location=room.location,
        appointment_type=clinic["type"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        blocked_from=start,
        blocked_until=start + timedelta(hours=1),
        booked_by=clinic["desk"],
        status=status,
    )


def snapshot() -> list[list[tuple]]:
    """Every setup row as it stands, to show that a refused post changed nothing."""
    return [sorted(model.objects.values_list()) for model in SETUP_MODELS]


def warnings_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors.get(field, [])


def week_post(**days: tuple[str, str] | tuple[str, str, str, str]) -> dict[str, str]:
    """Post data for a week form: ``d0=("09:00", "17:00")`` and so on; other days blank."""
    data = {}
    for day, times in days.items():
        for slot, (starts, ends) in enumerate(zip(times[::2], times[1::2], strict=True), 1):
            data[f"{day}_{slot}_start"], data[f"{day}_{slot}_end"] = starts, ends
    return data
