import pytest
import time_machine
from django.utils import timezone

from clinic.scheduling.services import appointment_check_in
from tests.factories import make_cleared_patient, make_clinic_location, make_staff
from tests.treatments.sessions.sessions_setup import make_plan
from treatments.plans.services import plan_book


@pytest.fixture
def setting(practitioner):
    location, rooms, profiles = make_clinic_location()
    return {"location": location, "rooms": rooms, "profiles": profiles,
            "consultation": make_cleared_patient(practitioner)}  # fmt: skip


@pytest.fixture
def session_today(setting, practitioner):
    """Session 1 booked at 09:00 today, the patient checked in and screened."""
    plan = make_plan(setting, practitioner)
    plan_book(plan=plan, by=make_staff(), now=timezone.now())
    session = plan.sessions.select_related("appointment").get(number=1)
    appointment_check_in(appointment=session.appointment, now=session.appointment.starts_at)
    if session.appointment.may_begin(timezone.now()):
        yield session
        return
    # Too early for the session to start: the clock moves on to its booked time.
    with time_machine.travel(session.appointment.starts_at, tick=True):
        yield session
