"""Booking a course at once sends one confirmation listing every session, with a
calendar file holding each; a later move of one session sends that one's new time."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.conf import settings

from clinic.messaging.models import PatientMessage
from clinic.scheduling.services import appointment_cancel, appointment_move
from tests.treatments.plans.plan_setup import book_plan, clinic_setting, dispatch_at, sessions

pytestmark = pytest.mark.django_db
K = PatientMessage.Kind
BOOKED = datetime(2026, 10, 1, 9, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(BOOKED, tick=False)
    return time_machine


@pytest.fixture
def setting(practitioner, clock):
    return clinic_setting(practitioner)


def _calendar(email):
    (attachment,) = [a for a in email.attachments if a[2].startswith("text/calendar")]
    return icalendar.Calendar.from_ical(attachment[1])


def test_booking_a_four_session_plan_writes_one_confirmation_with_four_events(setting, clock):
    plan = book_plan(setting, sessions_planned=4)
    booked = sessions(plan)

    confirmations = PatientMessage.objects.filter(kind__in=[K.CONFIRMATION, K.COURSE_CONFIRMATION])
    (course,) = confirmations
    assert course.kind == K.COURSE_CONFIRMATION
    assert course.payload == {"appointments": [s.appointment_id for s in booked]}
    sent = [e for e in dispatch_at(clock, BOOKED) if "sessions from" in e.subject]
    assert len(sent) == 1
    events = _calendar(sent[0]).walk("VEVENT")
    assert [event.decoded("DTSTART") for event in events] == [s.start for s in booked]
    assert [str(event["UID"]) for event in events] == [
        f"appointment-{s.appointment_id}@{settings.SITE_URL.split('//')[-1]}" for s in booked
    ]
    assert sent[0].subject.startswith("Your 4 sessions from ")
    for session in booked:
        local = session.start.astimezone(setting["location"].zone)
        assert f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}" in sent[0].body
    # Each session still has its own reminders (the first is too close for the 48 hours').
    reminded = set(
        PatientMessage.objects.filter(kind=K.REMINDER).values_list("appointment", flat=True)
    )
    assert reminded == {s.appointment_id for s in booked[1:]}


def test_the_preparation_email_still_comes_with_the_course(setting):
    book_plan(setting, sessions_planned=4)

    assert PatientMessage.objects.filter(kind=K.PREPARATION).count() == 1


def test_moving_one_session_sends_that_sessions_new_time(setting, clock):
    plan = book_plan(setting, sessions_planned=3)
    second = sessions(plan)[1]
    dispatch_at(clock, BOOKED)

    appointment_move(
        appointment=second.appointment,
        start=second.appointment.starts_at + timedelta(hours=2),
        by=setting["desk"],
    )

    (moved,) = PatientMessage.objects.filter(kind=K.RESCHEDULED)
    assert moved.appointment == second.appointment
    (email,) = [e for e in dispatch_at(clock, BOOKED) if "has moved" in e.subject]
    (event,) = _calendar(email).walk("VEVENT")
    assert event["SEQUENCE"] == 2


def test_a_course_confirmation_lists_only_the_sessions_still_to_come(setting, clock):
    plan = book_plan(setting, sessions_planned=3)
    third = sessions(plan)[2]
    appointment_cancel(appointment=third.appointment, by=setting["desk"], reason="Away", now=BOOKED)

    (email,) = [e for e in dispatch_at(clock, BOOKED) if "sessions from" in e.subject]

    assert email.subject.startswith("Your 2 sessions from ")
    assert len(_calendar(email).walk("VEVENT")) == 2


def test_a_single_booking_keeps_its_usual_confirmation(setting):
    book_plan(setting, sessions_planned=1)

    assert PatientMessage.objects.filter(kind=K.CONFIRMATION).count() == 1
    assert not PatientMessage.objects.filter(kind=K.COURSE_CONFIRMATION).exists()
