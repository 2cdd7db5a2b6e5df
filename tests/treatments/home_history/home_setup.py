"""A consultation booked through the booking service (so its messages are queued), its
confirmation sent, and the link to its medical history at home."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.messaging import links
from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling import services as booking
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.staff.models import PractitionerProfile
from tests.factories import make_patient, make_practitioner, make_staff


def consultation_booked(
    *,
    start: datetime,
    now: datetime,
    kind: str = "consultation",
    first_name: str = "Ines",
    place: str = "Bath",
    zone: str = "Europe/London",
    practitioner: PractitionerProfile | None = None,
) -> Appointment:
    """A consultation at ``place`` (Bath, London) for ``first_name`` Okonkwo, with
    ``practitioner`` (a new one when not given)."""
    location, _ = Location.objects.get_or_create(
        name=place, defaults={"time_zone": zone, "phone": "+441225000111"}
    )
    practitioner = practitioner or make_practitioner()
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


def consultation_confirmed(
    practitioner: PractitionerProfile | None = None,
) -> tuple[Appointment, str]:
    """A consultation at 10:00 in five days, its confirmation sent now (no quiet hours):
    the appointment and the email's text."""
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(0), "quiet_until": time(0)}
    )
    now = timezone.now()
    zone = ZoneInfo("Europe/London")
    day = (now + timedelta(days=5)).astimezone(zone).date()
    appointment = consultation_booked(
        start=datetime.combine(day, time(10), tzinfo=zone), now=now, practitioner=practitioner
    )
    mail.outbox.clear()
    messages_dispatch()
    confirmation = PatientMessage.objects.get(kind=PatientMessage.Kind.CONFIRMATION)
    assert confirmation.status == PatientMessage.Status.SENT
    return appointment, str(mail.outbox[-1].body)


def history_link_in(text: str) -> str:
    """The path of the questionnaire's link in an email's text."""
    found = re.search(r"https?://\S+/history/\S+/", text)
    assert found is not None, "no /history/ link in the email"
    return urlsplit(found.group(0)).path


def history_path(appointment: Appointment, name: str = "treatments:home_history") -> str:
    return reverse(name, args=[links.purpose_token(links.HOME_HISTORY, appointment.pk)])


def in_days(now: datetime, days: int, hour: int = 10) -> datetime:
    """``days`` after ``now`` at ``hour`` o'clock UTC."""
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
