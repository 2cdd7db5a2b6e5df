"""A session starts no earlier than SESSION_START_EARLY before its booked time."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

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
