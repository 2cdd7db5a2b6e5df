"""Plan and session pages: who may open them, bad input, the record's rules, query counts."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.scheduling.models import Appointment
from clinic.scheduling.services import appointment_book
from tests.factories import make_cleared_patient, make_patient, make_staff
from tests.treatments.sessions.sessions_setup import make_plan, record
from treatments.models import Treatment, TreatmentArea, TreatmentPlan, TreatmentSession
from treatments.plans.services import plan_book
from treatments.sessions.check_in import check_in_screen
from treatments.sessions.services import session_sign, session_start

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FORBIDDEN = {"manager": 403, "outsider": 403, "anonymous": 302}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


def _form(**overrides):
    treatment = Treatment.objects.get(name="Microneedling")
    data = {
        "treatment": treatment.pk,
        "areas": [TreatmentArea.objects.get(treatment=treatment, code="face").pk],
        "location": 1,
    }
    return {**data, **overrides}


# --- Making a plan ---------------------------------------------------------------


def test_a_practitioner_makes_a_plan_from_the_consultation(setting, practitioner_client):
    url = reverse("treatments:plan_new", args=[setting["consultation"].pk])
    data = _form(location=setting["location"].pk, sessions_planned=3)

    response = practitioner_client.post(url, data)

    plan = TreatmentPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatments:plan", args=[plan.pk])
    assert plan.sessions.count() == 3
    assert plan.sessions.filter(proposed_start__isnull=False).count() == 3


def test_the_consultation_page_offers_a_plan_only_when_one_may_be_made(
    setting, practitioner_client
):
    response = practitioner_client.get(
        reverse("treatments:consultation", args=[setting["consultation"].pk])
    )
    assert b'data-testid="plan-offer"' in response.content


def test_the_reasons_are_shown_when_no_plan_can_be_made(setting, practitioner, practitioner_client):
    consultation = make_cleared_patient(practitioner, consent=False)
    url = reverse("treatments:plan_new", args=[consultation.pk])

    response = practitioner_client.post(url, _form(location=setting["location"].pk))

    assert response.status_code == 200
    assert "has not signed the current consent" in response.content.decode()
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"areas": []}, "areas"),
        ({"min_interval_days": 40, "max_interval_days": 30}, "max_interval_days"),
        ({"earliest_start": "2026-02-30"}, "earliest_start"),
        ({"sessions_planned": 40}, "sessions_planned"),
        ({"preferred_weekdays": ["9"]}, "preferred_weekdays"),
        ({"treatment": "999"}, "treatment"),
        ({"notes": "a\x00b"}, "notes"),
    ],
)
def test_bad_plan_input_gets_a_field_message(setting, practitioner_client, overrides, field):
    url = reverse("treatments:plan_new", args=[setting["consultation"].pk])

    response = practitioner_client.post(url, _form(location=setting["location"].pk, **overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize("role", ["front_desk", *FORBIDDEN])
def test_only_practitioners_make_plans(setting, role_clients, role):
    url = reverse("treatments:plan_new", args=[setting["consultation"].pk])
    expected = {"front_desk": 403, **FORBIDDEN}[role]

    assert role_clients[role].get(url).status_code == expected
    assert role_clients[role].post(url, _form()).status_code == expected


# --- The plan page -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["front_desk", "practitioner", *FORBIDDEN])
def test_the_plan_page_is_for_the_front_desk_and_practitioners(
    setting, practitioner, role_clients, role
):
    plan = make_plan(setting, practitioner, notes="Thin skin on the forehead.")
    response = role_clients[role].get(reverse("treatments:plan", args=[plan.pk]))

    assert response.status_code == {"front_desk": 200, "practitioner": 200, **FORBIDDEN}[role]
    if role == "front_desk":
        assert "Thin skin" not in response.content.decode()  # clinical notes stay hidden
    if role == "practitioner":
        assert "Thin skin" in response.content.decode()


@pytest.mark.parametrize("sessions", [2, 6])
def test_the_plan_page_costs_the_same_for_any_number_of_sessions(
    setting, practitioner, front_desk_client, django_assert_num_queries, sessions
):
    plan = make_plan(setting, practitioner, sessions_planned=sessions)
    plan_book(plan=plan, by=make_staff(), now=timezone.now())
    # session, user, role permissions, the plan with patient, treatment, location and
    # practitioner, its areas, its sessions with appointments, people and rooms, roles (menu)
    with django_assert_num_queries(6):
        response = front_desk_client.get(reverse("treatments:plan", args=[plan.pk]))
    assert response.status_code == 200


def test_the_front_desk_books_the_plan(setting, practitioner, front_desk_client):
    plan = make_plan(setting, practitioner)

    response = front_desk_client.post(reverse("treatments:plan_book", args=[plan.pk]))

    assert response.status_code == 302
    assert Appointment.objects.filter(patient=plan.patient).count() == 4
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.ACTIVE


@pytest.mark.parametrize("role", ["practitioner", *FORBIDDEN])
def test_only_the_front_desk_books_adjusts_and_moves(setting, practitioner, role_clients, role):
    plan = make_plan(setting, practitioner)
    for name in ("treatments:plan_session_adjust", "treatments:plan_session_move"):
        url = reverse(name, args=[plan.pk, 2])
        response = role_clients[role].post(url, {"day": "2026-12-22", "start_time": "10:00"})
        assert response.status_code == {"practitioner": 403, **FORBIDDEN}[role]
    response = role_clients[role].post(reverse("treatments:plan_book", args=[plan.pk]))
    assert response.status_code == {"practitioner": 403, **FORBIDDEN}[role]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "data", [{}, {"day": "2026-02-30", "start_time": "10:00"}, {"day": "x", "start_time": "25:00"}]
)
def test_a_bad_new_time_is_explained_not_a_500(setting, practitioner, front_desk_client, data):
    plan = make_plan(setting, practitioner)
    url = reverse("treatments:plan_session_adjust", args=[plan.pk, 2])

    response = front_desk_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "Date:" in response.content.decode() or "Time:" in response.content.decode()


def test_an_unknown_session_number_is_404(setting, practitioner, front_desk_client):
    plan = make_plan(setting, practitioner)
    url = reverse("treatments:plan_session_adjust", args=[plan.pk, 9])
    assert (
        front_desk_client.post(url, {"day": "2026-12-22", "start_time": "10:00"}).status_code == 404
    )


def test_moving_onto_a_taken_time_answers_409(setting, practitioner, front_desk_client):
    plan = make_plan(setting, practitioner)
    plan_book(plan=plan, by=make_staff(), now=timezone.now())
    second = plan.sessions.get(number=2)
    taken = datetime(2026, 12, 22, 10, tzinfo=UTC)
    appointment_book(
        patient=make_patient(), practitioner=second.appointment.practitioner,
        room=setting["rooms"][1], appointment_type=second.appointment.appointment_type,
        start=taken, by=make_staff(),
    )  # fmt: skip
    url = reverse("treatments:plan_session_move", args=[plan.pk, 2])

    response = front_desk_client.post(url, {"day": "2026-12-22", "start_time": "10:00"})

    assert response.status_code == 409
    assert "just taken" in response.content.decode()


# --- The session record ------------------------------------------------------------


def test_a_session_starts_only_after_the_check_in_screening(session_today, practitioner):
    with pytest.raises(ValidationError, match="Screen the patient again"):
        session_start(session=session_today, now=timezone.now())

    check_in_screen(patient=session_today.plan.patient, by=practitioner, conditions=set())
    started = session_start(session=session_today, now=timezone.now())

    assert started.status == TreatmentSession.Status.IN_PROGRESS
    assert Appointment.objects.get(pk=session_today.appointment_id).status == "in_progress"


def test_a_depth_outside_the_guidance_needs_a_reason_before_signing(session_today, practitioner):
    check_in_screen(patient=session_today.plan.patient, by=practitioner, conditions=set())
    session_start(session=session_today, now=timezone.now())
    record(session_today, depths={"Face: Around the eyes": (Decimal("1.0"), "")})

    with pytest.raises(ValidationError, match="outside the guidance"):
        session_sign(session=session_today, by=practitioner, now=timezone.now())

    record(
        session_today,
        depths={"Face: Around the eyes": (Decimal("1.0"), "Thick scar tissue under the eye")},
    )  # fmt: skip
    signed = session_sign(session=session_today, by=practitioner, now=timezone.now())
    assert signed.status == TreatmentSession.Status.COMPLETED
    assert Appointment.objects.get(pk=session_today.appointment_id).status == "completed"


def test_a_signed_record_never_changes(session_today, practitioner, practitioner_client):
    check_in_screen(patient=session_today.plan.patient, by=practitioner, conditions=set())
    session_start(session=session_today, now=timezone.now())
    record(session_today)
    session_sign(session=session_today, by=practitioner, now=timezone.now())

    with pytest.raises(ValidationError, match="signed"):
        record(session_today, needle_lot="CHANGED")
    url = reverse("treatments:session", args=[session_today.pk])
    response = practitioner_client.post(url, {"device": "roller", "needle_lot": "CHANGED"})
    assert response.status_code == 302
    session_today.refresh_from_db()
    assert session_today.needle_lot == "LOT-2291"
    assert session_today.device == "pen"


def test_signing_needs_the_device_and_lot(session_today, practitioner):
    check_in_screen(patient=session_today.plan.patient, by=practitioner, conditions=set())
    session_start(session=session_today, now=timezone.now())
    record(session_today, device="", needle_lot="")

    with pytest.raises(ValidationError) as caught:
        session_sign(session=session_today, by=practitioner, now=timezone.now())

    assert {"device", "needle_lot"} <= set(caught.value.message_dict)


def test_the_record_form_explains_a_depth_outside_the_guidance(
    session_today, practitioner, practitioner_client
):
    check_in_screen(patient=session_today.plan.patient, by=practitioner, conditions=set())
    session_start(session=session_today, now=timezone.now())
    url = reverse("treatments:session", args=[session_today.pk])

    response = practitioner_client.post(
        url, {"device": "pen", "needle_lot": "L1", "depth_0": "2.5", "reason_0": ""}
    )

    assert response.status_code == 200
    assert "outside the guidance" in response.content.decode()
    response = practitioner_client.post(
        url, {"device": "pen", "needle_lot": "L1", "depth_0": "9", "reason_0": "x"}
    )
    assert response.status_code == 200
    assert "depth_0" in response.context["form"].errors


@pytest.mark.parametrize("role", ["front_desk", *FORBIDDEN])
def test_session_records_are_for_practitioners_only(session_today, role_clients, role):
    expected = {"front_desk": 403, **FORBIDDEN}[role]
    for name in ("treatments:session",):
        assert (
            role_clients[role].get(reverse(name, args=[session_today.pk])).status_code == expected
        )
    for name in ("treatments:session_start", "treatments:session_sign"):
        assert (
            role_clients[role].post(reverse(name, args=[session_today.pk])).status_code == expected
        )


def test_the_session_page_shows_why_it_cannot_start(session_today, practitioner_client):
    response = practitioner_client.get(reverse("treatments:session", args=[session_today.pk]))

    assert response.status_code == 200
    assert "Screen the patient again at check-in" in response.content.decode()


@pytest.mark.parametrize("role", ["front_desk", *FORBIDDEN])
def test_only_practitioners_change_a_plans_status(setting, practitioner, role_clients, role):
    plan = make_plan(setting, practitioner)
    for action in ("pause", "resume", "cancel"):
        url = reverse("treatments:plan_status", args=[plan.pk, action])
        response = role_clients[role].post(url, {"reason": "x"})
        assert response.status_code == {"front_desk": 403, **FORBIDDEN}[role]
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT


def test_a_practitioner_cancels_a_plan_with_a_reason(setting, practitioner, practitioner_client):
    plan = make_plan(setting, practitioner)
    url = reverse("treatments:plan_status", args=[plan.pk, "cancel"])

    practitioner_client.post(url, {"reason": ""})
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT
    response = practitioner_client.post(url, {"reason": "Changed her mind"}, follow=True)

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CANCELLED
    assert "Changed her mind" in response.content.decode()
    bad = reverse("treatments:plan_status", args=[plan.pk, "explode"])
    assert practitioner_client.post(bad).status_code == 404


@pytest.mark.parametrize("reason", ["Moved\x00away", "x" * 501])
def test_a_cancel_reason_the_database_cannot_keep_is_refused_with_a_message(
    setting, practitioner, practitioner_client, reason
):
    plan = make_plan(setting, practitioner)
    url = reverse("treatments:plan_status", args=[plan.pk, "cancel"])

    response = practitioner_client.post(url, {"reason": reason}, follow=True)

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT
    assert response.status_code == 200
    assert any(
        text in response.content.decode()
        for text in ("Null characters are not allowed.", "at most 500 characters")
    )
