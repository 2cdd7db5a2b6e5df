from datetime import time

import pytest

from clinic.scheduling.models import AppointmentType, Location, OpeningHours, Room, WorkingHours
from tests.factories import make_patient, make_practitioner, make_staff


def _open_all_week(location: Location, practitioner) -> None:
    for weekday in range(7):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=time(8), closes=time(19)
        )
        WorkingHours.objects.create(
            practitioner=practitioner, location=location, weekday=weekday,
            starts=time(8), ends=time(19),
        )  # fmt: skip


@pytest.fixture
def place(db):
    """A London location open every day, one practitioner and room, one patient."""
    location = Location.objects.create(
        name="Bath", time_zone="Europe/London", address="1 Abbey Green\nBath BA1 1NW"
    )
    practitioner = make_practitioner()
    _open_all_week(location, practitioner)
    return {
        "location": location,
        "room": Room.objects.create(location=location, name="Room 1"),
        "practitioner": practitioner,
        "type": AppointmentType.objects.create(
            name="Consultation", kind="consultation", duration_minutes=30
        ),
        "patient": make_patient(first_name="Zoë", email="zoe@example.org"),
        "desk": make_staff(),
    }


@pytest.fixture
def new_york(db):
    location = Location.objects.create(name="Manhattan", time_zone="America/New_York")
    practitioner = make_practitioner()
    _open_all_week(location, practitioner)
    return {
        "location": location,
        "room": Room.objects.create(location=location, name="Suite A"),
        "practitioner": practitioner,
        "type": AppointmentType.objects.create(
            name="Consultation NY", kind="consultation", duration_minutes=30
        ),
        "patient": make_patient(first_name="Ana", email="ana@example.org"),
        "desk": make_staff(),
    }


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing end-to-end test shows what its Celery worker and beat logged."""
    report = yield
    processes = getattr(item, "funcargs", {}).get("celery_processes")
    if report.failed and processes is not None:
        for name, tail in processes.log_tails():
            report.sections.append((f"Celery {name} log (last lines)", tail))
    return report
