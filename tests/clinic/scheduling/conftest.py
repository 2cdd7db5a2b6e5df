from datetime import time

import pytest

from clinic.scheduling.models import AppointmentType, Location, OpeningHours, Room, WorkingHours
from tests.factories import make_patient, make_practitioner, make_staff


@pytest.fixture
def clinic(db):
    location = Location.objects.create(name="Bath", time_zone="Europe/London")
    rooms = [Room.objects.create(location=location, name=f"Room {n}") for n in (1, 2)]
    for weekday in range(5):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=time(9), closes=time(17)
        )
    practitioners = [make_practitioner() for _ in range(2)]
    for practitioner in practitioners:
        for weekday in (0, 1, 2, 3):  # not on Fridays
            WorkingHours.objects.create(
                practitioner=practitioner, location=location, weekday=weekday,
                starts=time(9), ends=time(17),
            )  # fmt: skip
    session = AppointmentType.objects.create(
        name="Treatment session", kind="treatment", duration_minutes=60, buffer_after_minutes=10
    )
    return {
        "location": location,
        "rooms": rooms,
        "practitioners": practitioners,
        "type": session,
        "patient": make_patient(),
        "desk": make_staff(),
    }
