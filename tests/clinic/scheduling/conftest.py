from datetime import UTC, datetime, time

import pytest
import time_machine

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
        # A fixed name, so no search for a test's own patient ever finds this one too.
        "patient": make_patient(first_name="Fixture", last_name="Patient"),
        "desk": make_staff(),
    }


# The Friday before the Monday most tests book on, at 09:00 UTC: "now" for anything that
# offers free times, which are never in the past.
FROZEN_NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def frozen_now():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield FROZEN_NOW


@pytest.fixture
def consultation(db):
    return AppointmentType.objects.create(
        name="Consultation", kind="consultation", duration_minutes=30
    )
