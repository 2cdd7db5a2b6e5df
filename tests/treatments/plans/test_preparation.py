"""The preparation email before a plan's first session: due at 10:00 local a week ahead
(across clock changes), at once when booked later, following a move, never sent for a
cancelled session or without consent, and carrying every step."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from clinic.messaging.content import render
from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.scheduling.services import appointment_cancel, appointment_move
from tests.treatments.plans.plan_setup import (
    book_plan,
    clinic_setting,
    dispatch_at,
    preparations,
    sessions,
)
from treatments.plans.instructions import PREPARATION_STEPS, preparation_steps
from treatments.plans.preparation import preparation_schedule
from treatments.plans.services import plan_book, plan_cancel

pytestmark = pytest.mark.django_db
St = PatientMessage.Status
GETTING_READY = "Getting ready for your treatment"
# Booked on Thursday 1 October 2026 (BST) for a first session on Thursday 29 October,
# four days after the clocks go back (Sunday 25 October).
BOOKED = datetime(2026, 10, 1, 9, tzinfo=UTC)
AFTER_THE_CHANGE = date(2026, 10, 29)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(BOOKED, tick=False)
    return time_machine


@pytest.fixture
def setting(practitioner, clock):
    return clinic_setting(practitioner)


def _booked_for(setting, day, at=time(9)):
    """A booked plan whose first session is at ``at`` local on ``day``."""
    plan = book_plan(setting, earliest_start=day, preferred_time=at)
    first = sessions(plan)[0]
    assert first.start.astimezone(setting["location"].zone).date() == day
    return plan, first


def _preparation_subjects(emails):
    return [email.subject for email in emails if GETTING_READY in email.subject]


@pytest.mark.parametrize(
    ("booked_at", "day", "days_before", "due"),
    [
        # Summer: 10:00 BST on Thursday 11 June is 09:00 UTC.
        (
            datetime(2026, 6, 1, 9, tzinfo=UTC),
            date(2026, 6, 18),
            7,
            datetime(2026, 6, 11, 9, tzinfo=UTC),
        ),
        # Across the autumn change: the session is on GMT, the email goes on BST, at
        # 10:00 BST (09:00 UTC), not 7 x 24 hours before (which would be 10:00 UTC).
        (BOOKED, AFTER_THE_CHANGE, 7, datetime(2026, 10, 22, 9, tzinfo=UTC)),
        # The clinic's own number of days: 10:00 GMT on Monday 26 October.
        (BOOKED, AFTER_THE_CHANGE, 3, datetime(2026, 10, 26, 10, tzinfo=UTC)),
    ],
)
def test_the_preparation_goes_once_at_ten_local_the_chosen_days_before_the_first_session(
    setting, clock, booked_at, day, days_before, due
):
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"preparation_days_before": days_before}
    )
    clock.move_to(booked_at, tick=False)
    _, first = _booked_for(setting, day)
    dispatch_at(clock, booked_at)  # the confirmations go

    (preparation,) = preparations()
    assert preparation.due_at == due
    assert preparation.appointment == first.appointment
    assert _preparation_subjects(dispatch_at(clock, due - timedelta(minutes=1))) == []
    assert len(_preparation_subjects(dispatch_at(clock, due))) == 1
    assert _preparation_subjects(dispatch_at(clock, due + timedelta(days=1))) == []
    assert preparations()[0].status == St.SENT


def test_only_the_first_session_brings_a_preparation_and_it_holds_the_steps(setting):
    plan, first = _booked_for(setting, AFTER_THE_CHANGE)

    (preparation,) = preparations()
    assert len(sessions(plan)) == 4
    assert preparation.patient == plan.patient
    assert preparation.time_zone == "Europe/London"
    assert preparation.payload == {
        "plan": plan.pk,
        "session_id": first.pk,
        "session": 1,
        "steps": preparation_steps(),
    }
    assert preparation.about == f"first of 4 sessions, treatment plan #{plan.pk}"


def test_scheduling_it_again_finds_the_one_already_there(setting):
    _, first = _booked_for(setting, AFTER_THE_CHANGE)
    (preparation,) = preparations()

    again = preparation_schedule(session=first, now=timezone.now())

    assert again is not None
    assert again.pk == preparation.pk
    assert len(preparations()) == 1


def test_the_email_lists_every_step_in_words_for_the_patient(setting):
    _booked_for(setting, AFTER_THE_CHANGE)
    (preparation,) = preparations()

    rendered = render(preparation)

    assert rendered.subject.startswith(f"{GETTING_READY} on Thursday 29 October 2026")
    assert "09:00 GMT (Europe/London)" in rendered.text
    for step in PREPARATION_STEPS:
        assert f"- {step.when}: {step.text}" in rendered.text
        assert f"<strong>{step.when}:</strong> {step.text}" in rendered.html


@pytest.mark.parametrize(
    ("booked_at", "due"),
    [
        # Monday 23 November at noon for Thursday 26 November: due at once.
        (datetime(2026, 11, 23, 12, tzinfo=UTC), datetime(2026, 11, 23, 12, tzinfo=UTC)),
        # At 21:30 it is quiet hours: held until 08:00 the next morning.
        (datetime(2026, 11, 23, 21, 30, tzinfo=UTC), datetime(2026, 11, 24, 8, tzinfo=UTC)),
    ],
)
def test_a_first_session_booked_less_than_a_week_ahead_gets_it_now_outside_quiet_hours(
    setting, clock, booked_at, due
):
    clock.move_to(booked_at, tick=False)
    _booked_for(setting, date(2026, 11, 26))

    (preparation,) = preparations()
    assert preparation.status == St.PENDING
    assert preparation.due_at == due
    assert _preparation_subjects(dispatch_at(clock, due - timedelta(minutes=1))) == []
    assert len(_preparation_subjects(dispatch_at(clock, due))) == 1


def test_one_that_quiet_hours_would_hold_until_the_session_has_begun_is_not_sent(setting, clock):
    MessageSettings.objects.update_or_create(pk=1, defaults={"quiet_until": time(10)})
    clock.move_to(datetime(2026, 11, 23, 21, 30, tzinfo=UTC), tick=False)
    _booked_for(setting, date(2026, 11, 24), at=time(9))

    (preparation,) = preparations()
    assert preparation.status == St.CANCELLED
    assert "after the session has begun" in preparation.skip_reason


def test_a_move_cancels_the_waiting_preparation_and_schedules_one_for_the_new_time(setting, clock):
    _, first = _booked_for(setting, AFTER_THE_CHANGE)
    dispatch_at(clock, BOOKED)
    clock.move_to(BOOKED + timedelta(days=2), tick=False)

    # Four days later, on Monday 2 November at 09:00 GMT.
    appointment_move(
        appointment=first.appointment,
        start=datetime(2026, 11, 2, 9, tzinfo=UTC),
        by=setting["desk"],
    )

    old, new = preparations()
    assert (old.status, old.appointment_version) == (St.CANCELLED, 1)
    assert old.skip_reason == "The first session moved."
    assert (new.status, new.appointment_version) == (St.PENDING, 2)
    assert new.due_at == datetime(2026, 10, 26, 10, tzinfo=UTC)  # 10:00 GMT
    assert _preparation_subjects(dispatch_at(clock, datetime(2026, 10, 22, 9, tzinfo=UTC))) == []
    sent = [e for e in dispatch_at(clock, new.due_at) if GETTING_READY in e.subject]
    assert [e.subject for e in sent] == [
        f"{GETTING_READY} on Monday 2 November 2026 · Microneedling Clinic"
    ]


def test_once_the_steps_were_sent_a_move_sends_no_second_preparation(setting, clock):
    _, first = _booked_for(setting, AFTER_THE_CHANGE)
    dispatch_at(clock, datetime(2026, 10, 22, 9, tzinfo=UTC))
    clock.move_to(datetime(2026, 10, 23, 9, tzinfo=UTC), tick=False)

    appointment_move(
        appointment=first.appointment,
        start=datetime(2026, 11, 2, 9, tzinfo=UTC),
        by=setting["desk"],
    )

    assert [(p.status, p.appointment_version) for p in preparations()] == [(St.SENT, 1)]


def test_moving_a_later_session_leaves_the_preparation_alone(setting, clock):
    plan, _ = _booked_for(setting, AFTER_THE_CHANGE)
    second = sessions(plan)[1]

    appointment_move(
        appointment=second.appointment,
        start=second.start + timedelta(days=7),
        by=setting["desk"],
    )

    assert [(p.status, p.appointment_version) for p in preparations()] == [(St.PENDING, 1)]


@pytest.mark.parametrize("how", ["session", "plan"])
def test_a_cancelled_first_session_sends_no_preparation(setting, clock, how):
    plan, first = _booked_for(setting, AFTER_THE_CHANGE)
    clock.move_to(BOOKED + timedelta(days=4), tick=False)
    if how == "session":
        appointment_cancel(
            appointment=first.appointment, reason="Unwell", by=setting["desk"],
            now=timezone.now(),
        )  # fmt: skip
    else:
        plan_cancel(plan=plan, reason="Moving away", by=setting["desk"], now=timezone.now())

    emails = []
    moment = BOOKED + timedelta(days=4)
    while moment < datetime(2026, 10, 30, tzinfo=UTC):
        emails += dispatch_at(clock, moment)
        moment += timedelta(hours=6)

    assert _preparation_subjects(emails) == []
    assert [(p.status, p.skip_reason) for p in preparations()] == [
        (St.CANCELLED, "The appointment was cancelled.")
    ]


def test_a_first_session_booked_again_after_a_cancel_gets_a_new_preparation(setting, clock):
    plan, first = _booked_for(setting, AFTER_THE_CHANGE)
    appointment_cancel(
        appointment=first.appointment, reason="Unwell", by=setting["desk"], now=timezone.now()
    )

    plan_book(plan=plan, by=setting["desk"], now=timezone.now())

    old, new = preparations()
    rebooked = sessions(plan)[0].appointment
    assert old.status == St.CANCELLED
    assert (new.status, new.appointment) == (St.PENDING, rebooked)
    assert rebooked != first.appointment


def test_a_patient_without_email_consent_is_skipped_with_the_reason(setting, clock):
    plan, _ = _booked_for(setting, AFTER_THE_CHANGE)
    plan.patient.consents_to_transactional_email = False
    plan.patient.save(update_fields=["consents_to_transactional_email"])

    emails = dispatch_at(clock, datetime(2026, 10, 22, 9, tzinfo=UTC))

    assert emails == []
    (preparation,) = preparations()
    assert preparation.status == St.SKIPPED
    assert preparation.skip_reason == "The patient has not agreed to appointment and care emails."
