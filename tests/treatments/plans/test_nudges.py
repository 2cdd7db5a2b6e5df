"""The nudge to book the next session: once per session when its window opens at the
location, never for a booked session or a plan that is not active, stopped when the plan is
booked, paused or cancelled, in a fixed number of queries, run by beat every hour."""

from datetime import UTC, datetime, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from clinic.messaging.content import render
from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Location
from clinic.scheduling.services import appointment_cancel
from tests.treatments.plans.plan_setup import (
    book_plan,
    clinic_setting,
    complete,
    dispatch_at,
    sessions,
)
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.plans.nudges import next_session_nudges_schedule
from treatments.plans.services import plan_book, plan_cancel, plan_pause
from treatments.tasks import nudge_unbooked_sessions

pytestmark = pytest.mark.django_db
St = PatientMessage.Status
TIME_TO_BOOK = "Time to book your next session"
# The first session is on Monday 23 November 2026 at 09:00 (London is on GMT, local =
# UTC); the second's window runs from Monday 21 December to Monday 4 January.
MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)
WINDOW_OPENS = datetime(2026, 12, 21, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def setting(practitioner, clock):
    return clinic_setting(practitioner)


def _after_session_one(setting, clock, *, unbook_the_second=True):
    """A four-session plan whose first session took place; its second was booked and,
    unless told otherwise, then cancelled by the patient, so it is only proposed."""
    clock.move_to(MONDAY, tick=False)
    plan = book_plan(setting)
    first, second, *_ = sessions(plan)
    assert first.start.date() == MONDAY.date()
    clock.move_to(first.start + timedelta(hours=2), tick=False)
    complete(first, setting["practitioner"])
    if unbook_the_second:
        appointment_cancel(
            appointment=second.appointment, reason="Will call to rebook", by=setting["desk"],
            now=timezone.now(),
        )  # fmt: skip
    return plan


def _nudges(**filters):
    return list(
        PatientMessage.objects.filter(kind=PatientMessage.Kind.NEXT_SESSION, **filters).order_by(
            "pk"
        )
    )


def _time_to_book(emails):
    return [email for email in emails if TIME_TO_BOOK in email.subject]


def _run_at(clock, moment):
    clock.move_to(moment, tick=False)
    return next_session_nudges_schedule(now=timezone.now())


def test_the_nudge_goes_once_when_the_window_opens_however_often_it_runs(setting, clock):
    plan = _after_session_one(setting, clock)
    second = sessions(plan)[1]
    assert (second.status, second.window_first.isoformat()) == ("proposed", "2026-12-21")

    assert _run_at(clock, WINDOW_OPENS - timedelta(minutes=55)) == []  # 23:05 the day before
    assert len(_run_at(clock, WINDOW_OPENS + timedelta(minutes=5))) == 1
    assert _run_at(clock, WINDOW_OPENS + timedelta(hours=1, minutes=5)) == []

    (nudge,) = _nudges()
    assert nudge.patient == plan.patient
    assert nudge.appointment is None
    assert nudge.due_at == datetime(2026, 12, 21, 10, tzinfo=UTC)  # 10:00 at the location
    assert nudge.payload == {
        "plan": plan.pk,
        "location": plan.location_id,
        "session_id": second.pk,
        "session": 2,
        "of": 4,
        "window_first": "Monday 21 December",
        "window_last": "Monday 4 January",
    }
    assert nudge.about == f"session 2 of 4 not booked, best 21 Dec to 4 Jan (plan #{plan.pk})"
    assert _time_to_book(dispatch_at(clock, nudge.due_at - timedelta(minutes=1))) == []
    (email,) = _time_to_book(dispatch_at(clock, nudge.due_at))
    assert email.subject == f"{TIME_TO_BOOK} · Microneedling Clinic"
    assert "(session 2 of 4) is best between Monday 21 December and Monday 4 January" in email.body
    # The link books this session and nothing else (tests/treatments/plans/test_patient_booking.py).
    assert "Choose a time for your next session: http" in email.body
    assert "/book/" in email.body
    # Sent; the next hours find it there and write nothing.
    assert _run_at(clock, WINDOW_OPENS + timedelta(days=1, minutes=5)) == []
    assert [n.status for n in _nudges()] == [St.SENT]


def test_the_window_opens_by_the_location_s_own_clock(setting, clock):
    plan = _after_session_one(setting, clock)
    Location.objects.filter(pk=plan.location_id).update(time_zone="America/New_York")

    # 04:05 UTC is still 23:05 on Sunday 20 December in New York.
    assert _run_at(clock, WINDOW_OPENS + timedelta(hours=4, minutes=5)) == []
    assert len(_run_at(clock, WINDOW_OPENS + timedelta(hours=5, minutes=5))) == 1
    (nudge,) = _nudges()
    assert nudge.due_at == datetime(2026, 12, 21, 15, tzinfo=UTC)  # 10:00 EST
    assert nudge.time_zone == "America/New_York"


def test_no_nudge_when_the_next_session_is_booked(setting, clock):
    _after_session_one(setting, clock, unbook_the_second=False)

    assert _run_at(clock, WINDOW_OPENS + timedelta(days=1)) == []
    assert _nudges() == []


def test_no_nudge_before_any_session_has_taken_place(setting, clock):
    plan = book_plan(setting)
    first = sessions(plan)[0]
    appointment_cancel(
        appointment=first.appointment, reason="Unwell", by=setting["desk"], now=timezone.now()
    )
    assert sessions(plan)[0].status == TreatmentSession.Status.PROPOSED

    assert _run_at(clock, WINDOW_OPENS + timedelta(days=1)) == []


@pytest.mark.parametrize("status", ["paused", "cancelled", "completed", "draft"])
def test_no_nudge_for_a_plan_that_is_not_active(setting, clock, status):
    plan = _after_session_one(setting, clock)
    TreatmentPlan.objects.filter(pk=plan.pk).update(status=status)

    assert _run_at(clock, WINDOW_OPENS + timedelta(days=1)) == []


def test_a_window_that_has_closed_is_left_to_the_front_desk(setting, clock):
    _after_session_one(setting, clock)

    assert _run_at(clock, datetime(2027, 1, 5, 0, 5, tzinfo=UTC)) == []
    assert len(_run_at(clock, datetime(2027, 1, 4, 23, 5, tzinfo=UTC))) == 1


def test_a_blank_window_is_counted_from_the_session_before(setting, clock):
    plan = _after_session_one(setting, clock)
    TreatmentSession.objects.filter(plan=plan, number=2).update(
        window_first=None, window_last=None, proposed_start=None
    )

    (nudge,) = _run_at(clock, WINDOW_OPENS + timedelta(minutes=5))

    assert (nudge.payload["window_first"], nudge.payload["window_last"]) == (
        "Monday 21 December",
        "Monday 4 January",
    )


@pytest.mark.parametrize(
    ("then", "reason"),
    [
        ("book", "The session has been booked."),
        ("pause", "The treatment plan was paused."),
        ("cancel", "The treatment plan was cancelled."),
    ],
)
def test_a_waiting_nudge_is_stopped_when_the_plan_is_booked_paused_or_cancelled(
    setting, clock, then, reason
):
    plan = _after_session_one(setting, clock)
    (nudge,) = _run_at(clock, WINDOW_OPENS + timedelta(minutes=5))

    if then == "book":
        plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    elif then == "pause":
        plan_pause(plan=plan)
    else:
        plan_cancel(plan=plan, reason="Moving away", by=setting["desk"], now=timezone.now())

    nudge.refresh_from_db()
    assert (nudge.status, nudge.skip_reason) == (St.CANCELLED, reason)
    assert _time_to_book(dispatch_at(clock, nudge.due_at)) == []


def test_the_nudge_reads_as_the_patient_would_see_it(setting, clock):
    _after_session_one(setting, clock)
    (nudge,) = _run_at(clock, WINDOW_OPENS + timedelta(minutes=5))

    rendered = render(nudge)

    assert rendered.subject == f"{TIME_TO_BOOK} · Microneedling Clinic"
    assert "session 2 of 4" in rendered.html
    assert "Monday 21 December" in rendered.html
    assert "Date:" not in rendered.text  # about no appointment: no date block


def test_the_nudge_costs_the_same_queries_for_one_plan_or_many(
    setting, clock, django_assert_num_queries
):
    plans = [_after_session_one(setting, clock, unbook_the_second=False) for _ in range(3)]
    first_only = sessions(plans[0])[1]
    appointment_cancel(
        appointment=first_only.appointment, reason="Will call", by=setting["desk"],
        now=timezone.now(),
    )  # fmt: skip
    clock.move_to(WINDOW_OPENS + timedelta(minutes=5), tick=False)

    # the candidate sessions with their plans, locations, patients and previous starts;
    # the keys already in the outbox; the message settings; the insert in its savepoint
    with django_assert_num_queries(6):
        assert len(next_session_nudges_schedule(now=timezone.now())) == 1

    for plan in plans[1:]:
        second = sessions(plan)[1]
        appointment_cancel(
            appointment=second.appointment, reason="Will call", by=setting["desk"],
            now=timezone.now(),
        )  # fmt: skip
    with django_assert_num_queries(6):
        assert len(next_session_nudges_schedule(now=timezone.now())) == 2
    # Nothing new to write: the candidates and the keys already there.
    with django_assert_num_queries(2):
        assert next_session_nudges_schedule(now=timezone.now()) == []
    assert len(_nudges()) == 3


def test_the_hourly_task_schedules_the_nudges(setting, clock):
    _after_session_one(setting, clock)
    clock.move_to(WINDOW_OPENS + timedelta(minutes=5), tick=False)

    nudge_unbooked_sessions()
    nudge_unbooked_sessions()

    assert len(_nudges()) == 1


def test_beat_runs_the_nudge_at_five_past_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["nudge-unbooked-sessions"]

    assert entry["task"] == nudge_unbooked_sessions.name
    assert entry["schedule"] == crontab(minute=5)
