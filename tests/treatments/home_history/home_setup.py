"""A consultation booked through the booking service (so its messages are queued), and
the link to its medical history at home."""

from datetime import datetime, time, timedelta

from django.urls import reverse

from clinic.messaging import links
from clinic.scheduling import services as booking
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from tests.factories import make_patient, make_practitioner, make_staff


def consultation_booked(
    *,
    start: datetime,
    now: datetime,
    kind: str = "consultation",
    first_name: str = "Ines",
    place: str = "Bath",
    zone: str = "Europe/London",
) -> Appointment:
    """A consultation at ``place`` (Bath, London) for ``first_name`` Okonkwo."""
    location, _ = Location.objects.get_or_create(
        name=place, defaults={"time_zone": zone, "phone": "+441225000111"}
    )
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.get_or_create(
            location=location, weekday=weekday, defaults={"opens": time(8), "closes": time(19)}
        )
        WorkingHours.objects.create(
            practitioner=practitioner, location=location, weekday=weekday,
            starts=time(8), ends=time(19),
        )  # fmt: skip
    room = Room.objects.create(location=location, name=f"Room {Room.objects.count() + 1}")
    appointment_type, _ = AppointmentType.objects.get_or_create(
        name=kind.capitalize(), defaults={"kind": kind, "duration_minutes": 30}
    )
    patient = make_patient(first_name=first_name, last_name="Okonkwo", email="ines@example.org")
    return booking.appointment_book(
        patient=patient, practitioner=practitioner, room=room, appointment_type=appointment_type,
        start=start, by=make_staff(), now=now,
    )  # fmt: skip


def history_path(appointment: Appointment, name: str = "treatments:home_history") -> str:
    return reverse(name, args=[links.purpose_token(links.HOME_HISTORY, appointment.pk)])


def in_days(now: datetime, days: int, hour: int = 10) -> datetime:
    """``days`` after ``now`` at ``hour`` o'clock UTC."""
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
