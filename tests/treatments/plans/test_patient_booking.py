"""A patient books the next session of a course from the link in the nudge or the
aftercare email: the free times inside the window, the plan's practitioner first; the same
race-safe booking; a link that books one session, once, and answers 404/410/429, never 500."""

from datetime import UTC, date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.messaging import links
from clinic.messaging.content import render
from clinic.messaging.models import PatientMessage
from clinic.messaging.self_service import SELF_SERVICE_USERNAME
from clinic.scheduling import services as booking
from clinic.scheduling.models import Leave, Location
from patients.models import Patient
from tests.factories import make_patient
from tests.treatments.plans.plan_setup import clinic_setting, sessions
from tests.treatments.plans.test_nudges import MONDAY, _after_session_one
from treatments.aftercare.services import _next_to_book
from treatments.models import TreatmentSession
from treatments.plans.services import plan_pause
from treatments.screening.rules import Condition
from treatments.sessions.check_in import check_in_screen
from treatments.sessions.services import session_start

pytestmark = pytest.mark.django_db
K = PatientMessage.Kind


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def setting(practitioner, clock):
    return clinic_setting(practitioner)


@pytest.fixture
def plan(setting, clock):
    """Session 1 done on Monday 23 November; session 2 only proposed, its window Monday
    21 December to Monday 4 January."""
    plan = _after_session_one(setting, clock)
    # Names no page word contains, so that "not shown" means not shown.
    Patient.objects.filter(pk=plan.patient_id).update(first_name="Ines", last_name="Okonkwo")
    plan.refresh_from_db()
    return plan


def _second(plan) -> TreatmentSession:
    return sessions(plan)[1]


def _url(session) -> str:
    return reverse(
        "treatments:book_session", args=[links.purpose_token(links.BOOK_SESSION, session.pk)]
    )


def _choices(response) -> list[str]:
    return [
        value
        for day in response.context["days"]
        for value in [f"{o.start.isoformat()}@{o.practitioner_id}" for o in (*day.own, *day.others)]
    ]


def test_it_offers_the_free_times_inside_the_window_with_the_plan_s_practitioner_first(
    client, plan
):
    response = client.get(_url(_second(plan)))

    assert response.status_code == 200
    days = response.context["days"]
    assert days, "times are offered"
    assert days[0].day.isoformat() == "2026-12-21"  # the window's first day, a Monday
    assert all(date(2026, 12, 21) <= d.day <= date(2027, 1, 4) for d in days)
    assert {d.day.weekday() for d in days} <= {0, 1, 2, 3}  # the practitioners' days
    preferred = plan.preferred_practitioner_id
    assert {o.practitioner_id for d in days for o in d.own} == {preferred}
    text = response.content.decode()
    assert plan.patient.first_name in text
    assert plan.patient.last_name not in text
    assert plan.patient.email not in text


def test_a_time_with_another_practitioner_is_offered_when_the_plan_s_is_away(client, plan, setting):
    # The plan's practitioner is away all of Monday 21 December.
    Leave.objects.create(
        practitioner=plan.preferred_practitioner,
        starts_at=datetime(2026, 12, 21, tzinfo=UTC),
        ends_at=datetime(2026, 12, 22, tzinfo=UTC),
    )

    days = client.get(_url(_second(plan))).context["days"]

    monday = days[0]
    assert monday.day.isoformat() == "2026-12-21"
    assert monday.own == []
    assert {o.practitioner_id for o in monday.others} == {setting["profiles"][1].pk}


def test_the_patient_books_a_time_and_the_usual_messages_follow(client, plan):
    second = _second(plan)
    url = _url(second)
    choice = _choices(client.get(url))[0]

    response = client.post(url, {"choice": choice})

    assert response.status_code == 200
    assert "is booked" in response.content.decode()
    second.refresh_from_db()
    appointment = second.appointment
    assert appointment is not None
    assert second.status == TreatmentSession.Status.BOOKED
    assert appointment.starts_at.isoformat() == choice.split("@")[0]
    assert appointment.booked_by.username == SELF_SERVICE_USERNAME
    assert not appointment.booked_by.is_active
    assert not appointment.booked_by.has_usable_password()
    kinds = set(
        PatientMessage.objects.filter(appointment=appointment).values_list("kind", flat=True)
    )
    assert {K.CONFIRMATION, K.REMINDER} <= kinds
    # Audited with the patient as the actor.
    entries = LogEntry.objects.filter(additional_data__action="booked a session")
    assert {(e.actor, e.actor_email) for e in entries} == {(None, f"patient #{plan.patient.pk}")}
    entry = LogEntry.objects.get_for_object(second).get(
        changes__has_key="patient action", action=LogEntry.Action.UPDATE
    )
    assert entry.additional_data["patient"] == plan.patient.pk
    viewed = LogEntry.objects.get_for_object(second).get(action=LogEntry.Action.ACCESS)
    assert viewed.changes == {"patient action": ["", "viewed the page to book"]}
    booked = LogEntry.objects.get_for_object(appointment).get(action=LogEntry.Action.CREATE)
    assert booked.actor_email == f"patient #{plan.patient.pk}"


def test_a_session_the_patient_booked_is_screened_at_check_in_like_any_other(
    client, plan, clock, practitioner
):
    second = _second(plan)
    client.post(_url(second), {"choice": _choices(client.get(_url(second)))[0]})
    second.refresh_from_db()
    appointment = second.appointment
    assert appointment is not None
    clock.move_to(appointment.starts_at, tick=False)
    booking.appointment_check_in(appointment=appointment, now=timezone.now())

    # She arrives with a cold sore: the screening at check-in stops the session.
    check_in_screen(patient=plan.patient, by=practitioner, conditions={Condition.COLD_SORE_ACTIVE})

    with pytest.raises(ValidationError, match="The session cannot start"):
        session_start(session=second, now=timezone.now())
    second.refresh_from_db()
    assert second.status == TreatmentSession.Status.BOOKED


def test_the_link_is_spent_once_the_session_is_booked(client, plan):
    url = _url(_second(plan))
    client.post(url, {"choice": _choices(client.get(url))[0]})

    again = client.get(url)

    assert again.status_code == 410
    assert "already booked" in again.content.decode()
    assert client.post(url, {"choice": "x"}).status_code == 410


def test_a_time_taken_meanwhile_is_just_taken_and_nothing_is_written(client, plan, setting):
    second = _second(plan)
    url = _url(second)
    choice = _choices(client.get(url))[0]
    start = datetime.fromisoformat(choice.split("@")[0])
    # Someone else books that practitioner at that time, in both rooms' stead.
    booking.appointment_book(
        patient=make_patient(), practitioner=plan.preferred_practitioner, room=setting["rooms"][1],
        appointment_type=setting["treatment"].appointment_type, start=start, by=setting["desk"],
    )  # fmt: skip

    response = client.post(url, {"choice": choice})

    assert response.status_code == 409
    assert "That time was just taken. Please pick another." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    second.refresh_from_db()
    assert second.status == TreatmentSession.Status.PROPOSED
    assert second.appointment is None
    assert response.context["days"], "the other times are offered again"


@pytest.mark.parametrize("choice", ["", "soon@1", "2026-12-21T09:00:00@x", "2026-12-21T09:00:00@1"])
def test_a_choice_that_was_not_offered_is_refused_with_a_message(client, plan, choice):
    response = client.post(_url(_second(plan)), {"choice": choice})

    assert response.status_code in (400, 409)
    assert 'role="alert"' in response.content.decode()
    assert _second(plan).status == TreatmentSession.Status.PROPOSED


def test_a_time_outside_the_window_is_refused(client, plan):
    # Tuesday 5 January is a working day just after the window.
    outside = datetime(2027, 1, 5, 10, tzinfo=UTC).isoformat()

    response = client.post(
        _url(_second(plan)), {"choice": f"{outside}@{plan.preferred_practitioner_id}"}
    )

    assert response.status_code == 409
    assert _second(plan).status == TreatmentSession.Status.PROPOSED


def test_a_paused_plan_cannot_be_booked_online(client, plan):
    plan_pause(plan=plan)

    response = client.get(_url(_second(plan)))

    assert response.status_code == 410
    assert "on hold" in response.content.decode()


def test_bad_tampered_and_foreign_links_answer_404(client, plan):
    second = _second(plan)
    token = links.purpose_token(links.BOOK_SESSION, second.pk)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    # A link made to change an appointment is not a link to book.
    change = links.purpose_token(links.CHANGE_APPOINTMENT, second.pk)
    # A well-signed link for a session that does not exist.
    missing = links.purpose_token(links.BOOK_SESSION, 999999)

    for bad in ("nonsense", tampered, change, missing):
        response = client.get(reverse("treatments:book_session", args=[bad]))
        assert response.status_code == 404, bad
        assert plan.patient.first_name not in response.content.decode()


def test_an_expired_link_answers_410_with_the_clinic_s_phone(client, plan, clock, settings):
    url = _url(_second(plan))
    Location.objects.filter(pk=plan.location_id).update(phone="+441174960123")
    clock.move_to(timezone.now() + settings.MESSAGE_LINK_MAX_AGE + timedelta(minutes=1), tick=False)

    response = client.get(url)

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert 'href="tel:01174960123"' in response.content.decode()


def test_a_link_used_too_often_is_throttled(client, plan, settings):
    settings.PATIENT_LINK_RATE_PER_LINK = 3
    url = _url(_second(plan))

    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_an_address_trying_many_links_is_throttled(client, plan, settings):
    settings.PATIENT_LINK_RATE_PER_ADDRESS = 2

    statuses = [
        client.get(reverse("treatments:book_session", args=[f"guess{n}"])).status_code
        for n in range(3)
    ]

    assert statuses == [404, 404, 429]


def test_the_token_names_only_the_session(plan):
    data = signing.loads(
        links.purpose_token(links.BOOK_SESSION, _second(plan).pk), salt=links.BOOK_SESSION
    )

    assert data == {"o": _second(plan).pk, "v": 0}


def test_the_aftercare_email_links_to_booking_the_next_session_when_it_waits_for_a_time(plan):
    first, second = sessions(plan)[:2]
    assert _next_to_book(first) == {"book_session": second.pk}
    assert _next_to_book(second) == {}  # the third is booked
    aftercare = PatientMessage(
        patient=plan.patient, appointment=first.appointment, kind=K.AFTERCARE,
        time_zone="Europe/London", key="t", due_at=timezone.now(),
        payload={"steps": [], "call_clinic": "", **_next_to_book(first)},
    )  # fmt: skip

    text = render(aftercare).text

    assert "Choose a time for your next session: http" in text
    assert "/book/" in text
