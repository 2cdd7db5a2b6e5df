"""A session starts no earlier than SESSION_START_EARLY before its booked time."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.scheduling.models import Appointment
from treatments.models import TreatmentSession
from treatments.sessions.check_in import check_in_screen
from treatments.sessions.services import session_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(session_today, practitioner):
    check_in_screen(patient=session_today.plan.patient, by=practitioner, conditions=set())
    return session_today


def test_a_session_cannot_start_before_the_margin(screened, settings):
    settings.SESSION_START_EARLY = timedelta(minutes=30)
    booked = screened.appointment.starts_at

    with pytest.raises(ValidationError, match="may start from"):
        session_start(session=screened, now=booked - timedelta(minutes=31))
    screened.refresh_from_db()
    assert screened.status == TreatmentSession.Status.BOOKED


def test_a_session_starts_inside_the_margin(screened, settings):
    settings.SESSION_START_EARLY = timedelta(minutes=30)

    started = session_start(
        session=screened, now=screened.appointment.starts_at - timedelta(minutes=30)
    )

    assert started.status == TreatmentSession.Status.IN_PROGRESS


def test_the_clinic_sets_the_margin(screened, settings):
    settings.SESSION_START_EARLY = timedelta(minutes=90)

    started = session_start(
        session=screened, now=screened.appointment.starts_at - timedelta(minutes=80)
    )

    assert started.status == TreatmentSession.Status.IN_PROGRESS


def test_a_far_away_location_screens_and_starts_on_its_own_day(session_today, practitioner):
    """At 09:50 in Auckland it is still yesterday evening at the clinic: the screening is
    dated with Auckland's day, the day the session there starts on."""
    appointment = session_today.appointment
    location = appointment.location
    location.time_zone = "Pacific/Auckland"
    location.save(update_fields=["time_zone"])
    auckland = ZoneInfo("Pacific/Auckland")
    day = timezone.localdate() + timedelta(days=2)
    starts = datetime.combine(day, time(10), tzinfo=auckland)
    length = appointment.ends_at - appointment.starts_at
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=starts, ends_at=starts + length, blocked_from=starts,
        blocked_until=starts + length,
    )  # fmt: skip
    now = starts - timedelta(minutes=10)
    assert timezone.localdate(now) != day  # the clinic's day is another one

    with time_machine.travel(now, tick=False):
        screening = check_in_screen(
            patient=session_today.plan.patient, by=practitioner, conditions=set()
        )
        started = session_start(session=session_today, now=timezone.now())

    assert screening.screened_on == day
    assert started.status == TreatmentSession.Status.IN_PROGRESS
