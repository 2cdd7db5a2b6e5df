"""Treatment plans: who may have one, proposals in window, booking, and following moves."""

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.scheduling.models import Appointment, Leave
from clinic.scheduling.services import appointment_book, appointment_cancel, appointment_move
from tests.factories import make_cleared_patient, make_clinic_location, make_patient, make_staff
from treatments.consultations.services import (
    consultation_sign,
    consultation_start,
    consultation_update,
)
from treatments.models import Treatment, TreatmentArea, TreatmentPlan, TreatmentSession
from treatments.plans.services import area_defaults, plan_book, plan_create, plan_session_adjust

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # London is on GMT: local = UTC


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def setting(practitioner):
    location, rooms, profiles = make_clinic_location()
    treatment = Treatment.objects.get(name="Microneedling")
    return {
        "location": location,
        "rooms": rooms,
        "profiles": profiles,
        "treatment": treatment,
        "face": TreatmentArea.objects.get(treatment=treatment, code="face"),
        "neck": TreatmentArea.objects.get(treatment=treatment, code="neck"),
        "desk": make_staff(),
        "consultation": make_cleared_patient(practitioner),
        "practitioner": practitioner,
    }


def _plan(setting, **kwargs):
    fields = {
        "consultation": setting["consultation"],
        "treatment": setting["treatment"],
        "areas": [setting["face"]],
        "location": setting["location"],
        "by": setting["practitioner"],
        "now": timezone.now(),
        "preferred_practitioner": setting["profiles"][0],
    }
    return plan_create(**{**fields, **kwargs})


def _sessions(plan):
    return list(plan.sessions.select_related("appointment").order_by("number"))


def _days_apart(first, second):
    return (second.start.date() - first.start.date()).days


def test_a_plan_proposes_every_session_inside_its_window_at_the_same_time(setting):
    plan = _plan(setting)

    sessions = _sessions(plan)
    assert plan.status == TreatmentPlan.Status.DRAFT
    assert [s.number for s in sessions] == [1, 2, 3, 4]  # the face default
    assert sessions[0].start == datetime(2026, 11, 23, 9, tzinfo=UTC)
    for previous, session in itertools.pairwise(sessions):
        assert 28 <= _days_apart(previous, session) <= 42
        assert session.window_first <= session.start.date() <= session.window_last
        assert session.start.time() == time(9)
        assert session.start.weekday() in (0, 1, 2, 3)  # the practitioner's days
        assert session.proposed_practitioner == setting["profiles"][0]
        assert not session.problem


def test_blank_numbers_come_from_the_areas(setting):
    plan = _plan(setting, areas=[setting["face"], setting["neck"]])

    assert (plan.sessions_planned, plan.session_minutes) == (4, 60)
    assert (plan.min_interval_days, plan.max_interval_days) == (28, 42)
    setting["neck"].min_interval_days, setting["neck"].max_interval_days = 35, 49
    assert area_defaults([setting["face"], setting["neck"]])["min_interval_days"] == 35
    assert area_defaults([setting["face"], setting["neck"]])["max_interval_days"] == 42


def test_no_plan_from_a_consultation_that_found_the_patient_not_suitable(setting, practitioner):
    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
    consultation_update(
        consultation=consultation, by=practitioner, fields={}, history={"active_acne": True}
    )
    consultation = consultation_sign(
        consultation=consultation, by=practitioner, decision="not_suitable"
    )

    with pytest.raises(ValidationError, match="not suitable"):
        _plan(setting, consultation=consultation)
    assert not TreatmentPlan.objects.exists()


def test_no_plan_without_the_current_consent(setting, practitioner):
    consultation = make_cleared_patient(practitioner, consent=False)

    with pytest.raises(ValidationError, match="not signed the current consent"):
        _plan(setting, consultation=consultation)


def test_no_plan_from_a_draft_or_an_older_consultation(setting, practitioner):
    older = setting["consultation"]
    draft = consultation_start(patient=older.patient, practitioner=practitioner)
    with pytest.raises(ValidationError, match="Sign the consultation first"):
        _plan(setting, consultation=draft)
    consultation_update(consultation=draft, by=practitioner, fields={}, history={})
    consultation_sign(consultation=draft, by=practitioner, decision="suitable")
    with pytest.raises(ValidationError, match="newer consultation"):
        _plan(setting, consultation=older)


def test_bad_numbers_are_refused_with_field_messages(setting):
    with pytest.raises(ValidationError) as caught:
        _plan(setting, min_interval_days=40, max_interval_days=30)
    assert "max_interval_days" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        _plan(setting, areas=[])
    assert "areas" in caught.value.message_dict


def test_booking_the_plan_books_every_session_and_activates_it(setting):
    plan = _plan(setting, session_minutes=45)

    plan_book(plan=plan, by=setting["desk"], now=timezone.now())

    plan.refresh_from_db()
    sessions = _sessions(plan)
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert all(s.status == TreatmentSession.Status.BOOKED for s in sessions)
    assert all(s.appointment.ends_at - s.appointment.starts_at == timedelta(minutes=45)
               for s in sessions)  # fmt: skip
    assert all(s.appointment.patient == plan.patient for s in sessions)
    with pytest.raises(ValidationError, match="already booked"):
        plan_book(plan=plan, by=setting["desk"], now=timezone.now())


def test_a_time_taken_meanwhile_books_nothing_and_proposes_afresh(setting):
    plan = _plan(setting)
    third = _sessions(plan)[2]
    appointment_book(
        patient=make_patient(),
        practitioner=setting["profiles"][0],
        room=third.proposed_room,
        appointment_type=setting["treatment"].appointment_type,
        start=third.proposed_start,
        by=setting["desk"],
    )

    with pytest.raises(ValidationError, match="just taken"):
        plan_book(plan=plan, by=setting["desk"], now=timezone.now())

    assert not Appointment.objects.filter(patient=plan.patient).exists()
    third.refresh_from_db()
    assert third.proposed_start is not None
    plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    assert Appointment.objects.filter(patient=plan.patient).count() == 4


def test_booking_screens_again_first(setting):
    plan = _plan(setting)
    consultation = consultation_start(patient=plan.patient, practitioner=setting["practitioner"])
    consultation_update(
        consultation=consultation, by=setting["practitioner"], fields={},
        history={"active_acne": True},
    )  # fmt: skip
    consultation_sign(
        consultation=consultation, by=setting["practitioner"], decision="not_suitable"
    )

    with pytest.raises(ValidationError, match="clears this patient"):
        plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    assert not Appointment.objects.filter(patient=plan.patient).exists()


def test_moving_session_two_out_of_reach_moves_three_and_four_with_it(setting):
    plan = _plan(setting)
    plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    _, second, _, _ = _sessions(plan)
    new_start = second.start + timedelta(days=14)

    appointment_move(appointment=second.appointment, start=new_start, by=setting["desk"])

    _, second, third, fourth = _sessions(plan)
    assert second.start == new_start
    assert not second.problem  # 4 January is still inside its own window
    for previous, session in ((second, third), (third, fourth)):
        assert 28 <= _days_apart(previous, session) <= 42, session.number
        assert session.start.time() == time(9)  # the wall time is kept
        assert session.appointment.version == 2  # moved, not rebooked
        assert not session.problem


def test_a_small_move_leaves_the_later_sessions_where_they_are(setting):
    plan = _plan(setting)
    plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    _, second, third, fourth = _sessions(plan)
    before = (third.start, fourth.start)

    # Session 2 was 28 days after session 1; four days earlier keeps session 3 in reach.
    appointment_move(
        appointment=second.appointment, start=second.start - timedelta(days=4), by=setting["desk"]
    )

    _, second, third, fourth = _sessions(plan)
    assert (third.start, fourth.start) == before
    assert "Outside the 28-to-42-day window" in second.problem  # 24 days after session 1
    assert third.appointment.version == 1


def test_a_window_that_cannot_be_kept_is_said_plainly(setting):
    plan = _plan(setting, sessions_planned=2)
    plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    first, second = _sessions(plan)
    assert second.start.date() == date(2026, 12, 21)  # 28 days after Monday 23 November
    # The practitioner is then away for all of the window that a later session 1 gives.
    Leave.objects.create(
        practitioner=setting["profiles"][0],
        starts_at=datetime(2026, 12, 22, tzinfo=UTC),
        ends_at=datetime(2027, 1, 6, tzinfo=UTC),
    )

    appointment_move(
        appointment=first.appointment, start=first.start + timedelta(days=1), by=setting["desk"]
    )

    _, second = _sessions(plan)
    assert second.start == datetime(2027, 1, 6, 9, tzinfo=UTC)  # the nearest, a day late
    assert "window cannot be kept" in second.problem
    assert "1 day later" in second.problem


def test_cancelling_a_session_proposes_it_again_in_its_window(setting):
    plan = _plan(setting)
    plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    _, second, third, _ = _sessions(plan)

    appointment_cancel(
        appointment=second.appointment, reason="Patient unwell", by=setting["desk"],
        now=timezone.now(),
    )  # fmt: skip

    first, second, third, _ = _sessions(plan)
    assert second.status == TreatmentSession.Status.PROPOSED
    assert second.appointment is None
    assert second.proposed_start is not None
    assert 28 <= _days_apart(first, second) <= 42
    assert 28 <= _days_apart(second, third) <= 42


def test_adjusting_a_proposal_moves_the_later_proposals(setting):
    plan = _plan(setting)
    _, second, _, _ = _sessions(plan)
    later = second.start + timedelta(days=14)

    plan_session_adjust(session=second, start=later, by=setting["desk"], now=timezone.now())

    _, second, third, fourth = _sessions(plan)
    assert second.start == later
    assert 28 <= _days_apart(second, third) <= 42
    assert 28 <= _days_apart(third, fourth) <= 42


def test_adjusting_to_a_time_that_is_not_free_is_refused(setting):
    plan = _plan(setting)
    _, second, _, _ = _sessions(plan)
    saturday = datetime.combine(date(2026, 12, 26), time(10), tzinfo=UTC)

    with pytest.raises(ValidationError) as caught:
        plan_session_adjust(session=second, start=saturday, by=setting["desk"], now=timezone.now())

    assert "start_time" in caught.value.message_dict


def test_pausing_resuming_and_cancelling_a_plan(setting):
    from treatments.plans.services import plan_cancel, plan_pause, plan_resume

    plan = _plan(setting)
    with pytest.raises(ValidationError, match="draft: it cannot be paused"):
        plan_pause(plan=plan)
    plan_book(plan=plan, by=setting["desk"], now=timezone.now())
    plan = plan_pause(plan=plan)
    assert plan.status == TreatmentPlan.Status.PAUSED
    plan = plan_resume(plan=plan, now=timezone.now())
    assert plan.status == TreatmentPlan.Status.ACTIVE
    with pytest.raises(ValidationError) as caught:
        plan_cancel(plan=plan, reason=" ", by=setting["practitioner"], now=timezone.now())
    assert "reason" in caught.value.message_dict

    plan = plan_cancel(
        plan=plan, reason="Moving abroad", by=setting["practitioner"], now=timezone.now()
    )

    assert plan.status == TreatmentPlan.Status.CANCELLED
    statuses = {s.status for s in _sessions(plan)}
    assert statuses == {TreatmentSession.Status.CANCELLED}
    appointments = Appointment.objects.filter(patient=plan.patient)
    assert {a.status for a in appointments} == {Appointment.Status.CANCELLED}
    assert all("Moving abroad" in a.cancellation_reason for a in appointments)
