"""A patient moves or cancels an appointment from the link in a confirmation or reminder:
until the late-cancellation limit, the same practitioner's free times (a plan session's
inside its window); inside it, the location's phone number. Links answer 404/410/429."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from clinic.messaging import links, self_service
from clinic.messaging.content import render
from clinic.messaging.models import PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment, AppointmentType
from tests.factories import make_clinic_location, make_patient, make_staff

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)
WEDNESDAY_10 = datetime(2026, 12, 2, 10, tzinfo=UTC)  # London is on GMT
K = PatientMessage.Kind


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def clinic(clock):
    location, rooms, profiles = make_clinic_location()
    location.phone = "+441174960123"
    location.save(update_fields=["phone"])
    kind = AppointmentType.objects.create(name="Review", kind="review", duration_minutes=30)
    return {"location": location, "rooms": rooms, "profiles": profiles, "kind": kind}


def _book(clinic, start=WEDNESDAY_10, **kwargs) -> Appointment:
    return booking.appointment_book(
        patient=kwargs.get("patient") or make_patient(first_name="Ada", last_name="Quist"),
        practitioner=kwargs.get("practitioner") or clinic["profiles"][0],
        room=clinic["rooms"][0], appointment_type=clinic["kind"], start=start,
        by=make_staff(), now=timezone.now(),
    )  # fmt: skip


@pytest.fixture
def appointment(clinic) -> Appointment:
    return _book(clinic)


def _url(appointment, version=None, name="messaging:change") -> str:
    token = links.purpose_token(
        links.CHANGE_APPOINTMENT, appointment.pk, version or appointment.version
    )
    return reverse(name, args=[token])


def _choices(response) -> list[str]:
    return [
        f"{offer.start.isoformat()}@{offer.practitioner_id}"
        for day in response.context["days"]
        for offer in (*day.own, *day.others)
    ]


def test_the_page_offers_the_same_practitioner_s_free_times_and_shows_only_the_first_name(
    client, appointment
):
    response = client.get(_url(appointment))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Hello Ada" in text
    assert "Quist" not in text
    assert appointment.patient.email not in text
    offers = [o for day in response.context["days"] for o in (*day.own, *day.others)]
    assert offers
    assert {o.practitioner_id for o in offers} == {appointment.practitioner_id}
    assert min(o.start for o in offers) >= timezone.now() + timedelta(hours=24)
    assert max(o.start for o in offers) < timezone.now() + timedelta(days=30)
    # Its own time is free for it, but moving there would change nothing but the links.
    assert appointment.starts_at not in {o.start for o in offers}


def test_the_patient_moves_to_another_time_and_is_told_by_email(client, appointment):
    url = _url(appointment)
    choice = _choices(client.get(url))[3]

    response = client.post(url, {"choice": choice})

    appointment.refresh_from_db()
    assert appointment.starts_at.isoformat() == choice.split("@")[0]
    assert appointment.version == 2
    assert response.status_code == 302
    assert response["Location"] == _url(appointment) + "?moved=1"
    assert "has moved" in client.get(response["Location"]).content.decode()
    assert PatientMessage.objects.filter(appointment=appointment, kind=K.RESCHEDULED).exists()
    assert appointment.booked_by.username != "patient-online"  # who booked it stays
    moved = LogEntry.objects.get_for_object(appointment).filter(
        additional_data__action="moved an appointment"
    )
    assert moved.exists()
    assert {entry.actor_email for entry in moved} == {f"patient #{appointment.patient.pk}"}


def test_the_old_link_is_spent_once_the_appointment_has_moved(client, appointment):
    url = _url(appointment)
    client.post(url, {"choice": _choices(client.get(url))[0]})

    assert client.get(url).status_code == 410
    assert client.post(url, {"choice": "x"}).status_code == 410
    assert client.get(_url(appointment, 1, "messaging:cancel")).status_code == 410


def test_a_time_taken_meanwhile_is_just_taken_and_the_appointment_stays(
    client, clinic, appointment
):
    url = _url(appointment)
    choice = _choices(client.get(url))[0]
    _book(clinic, datetime.fromisoformat(choice.split("@")[0]))  # the same practitioner

    response = client.post(url, {"choice": choice})

    assert response.status_code == 409
    assert "That time was just taken. Please pick another." in response.content.decode()
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.version) == (WEDNESDAY_10, 1)


def test_a_time_that_was_not_offered_is_refused(client, clinic, appointment):
    other = clinic["profiles"][1].pk
    url = _url(appointment)
    for choice in (
        "",
        "later@1",
        f"2026-12-03T10:00:00+00:00@{other}",
        "2026-12-03T10:07:00+00:00@x",
        f"{appointment.starts_at.isoformat()}@{appointment.practitioner_id}",
    ):
        response = client.post(url, {"choice": choice})
        assert response.status_code in (400, 409), choice
        assert 'role="alert"' in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.version == 1


def test_cancelling_takes_a_second_step_then_cancels(client, appointment):
    url = _url(appointment, name="messaging:cancel")

    confirm = client.get(url)
    appointment.refresh_from_db()
    assert confirm.status_code == 200
    assert appointment.is_upcoming  # looking at the question cancels nothing

    done = client.post(url)

    appointment.refresh_from_db()
    assert done.status_code == 200
    assert appointment.is_cancelled
    assert not appointment.late_cancel
    assert "cancelled" in done.content.decode()
    assert PatientMessage.objects.filter(appointment=appointment, kind=K.CANCELLATION).exists()
    entry = LogEntry.objects.get_for_object(appointment).get(
        additional_data__action="cancelled an appointment", changes__has_key="patient action"
    )
    assert entry.actor_email == f"patient #{appointment.patient.pk}"
    assert client.post(url).status_code == 410  # a cancelled appointment's link is spent


def test_inside_the_late_window_the_page_gives_the_phone_number_and_changes_nothing(
    client, clock, appointment
):
    clock.move_to(WEDNESDAY_10 - timedelta(hours=23), tick=False)
    url = _url(appointment)

    page = client.get(url)
    post = client.post(url, {"choice": f"{(WEDNESDAY_10 + timedelta(days=1)).isoformat()}@1"})
    cancel = client.post(_url(appointment, name="messaging:cancel"))

    for response in (page, post, cancel):
        text = response.content.decode()
        assert response.context["late"] is True
        assert "can no longer be changed online" in text
        assert "0117 496 0123" in text
        assert 'href="tel:01174960123"' in text
    appointment.refresh_from_db()
    assert (appointment.version, appointment.is_upcoming) == (1, True)


def test_a_link_for_one_appointment_cannot_reach_another(client, clinic, appointment):
    other = _book(clinic, WEDNESDAY_10 + timedelta(days=1), patient=make_patient(first_name="Zed"))
    token = links.purpose_token(links.CHANGE_APPOINTMENT, appointment.pk, 1)
    payload, _, signature = token.rpartition(":")
    forged = links.purpose_token(links.CHANGE_APPOINTMENT, other.pk, 1).rsplit(":", 1)[0]

    for bad in (f"{forged}:{signature}", f"{payload}:{signature[:-2]}xx", "garbage", token + "x"):
        response = client.get(reverse("messaging:change", args=[bad]))
        assert response.status_code == 404, bad
        assert "Zed" not in response.content.decode()
    # A booking link, signed for another purpose, is not a link to change.
    booking_link = links.purpose_token(links.BOOK_SESSION, appointment.pk)
    assert client.get(reverse("messaging:change", args=[booking_link])).status_code == 404
    assert client.post(reverse("messaging:cancel", args=[booking_link])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.is_upcoming


def test_an_expired_link_answers_410(client, clock, appointment, settings):
    url = _url(appointment)
    clock.move_to(MONDAY + settings.MESSAGE_LINK_MAX_AGE + timedelta(minutes=1), tick=False)

    response = client.get(url)

    assert response.status_code == 410
    assert 'href="tel:01174960123"' in response.content.decode()


def test_a_plan_session_moves_only_inside_its_window(clinic, appointment):
    from clinic.messaging.self_service import change_offers, change_window

    def window(sender, appointment, **kwargs):
        return (datetime(2026, 12, 7).date(), datetime(2026, 12, 9).date())  # noqa: DTZ001

    change_window.connect(window, dispatch_uid="test-window")
    try:
        days = change_offers(appointment, timezone.now())
    finally:
        change_window.disconnect(dispatch_uid="test-window")

    assert [d.day.isoformat() for d in days] == ["2026-12-07", "2026-12-08", "2026-12-09"]


def test_the_reminder_and_confirmation_link_to_the_page_and_give_the_phone_number(
    client, appointment
):
    confirmation = PatientMessage.objects.get(appointment=appointment, kind=K.CONFIRMATION)

    rendered = render(confirmation)

    assert "Choose another time or cancel" in rendered.text
    assert _url(appointment) in rendered.text
    assert "Our phone number: 0117 496 0123" in rendered.text
    assert 'href="tel:01174960123"' in rendered.html
    preview = render(confirmation, preview=True)
    assert _url(appointment) not in preview.text  # a staff preview carries no working link


def test_the_cancellation_email_gives_the_phone_number(client, appointment):
    client.post(_url(appointment, name="messaging:cancel"))
    messages_dispatch()

    (email,) = [e for e in mail.outbox if "cancelled" in e.subject]
    assert "0117 496 0123" in email.body


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a race needs PostgreSQL; SQLite serialises writes"
)
@pytest.mark.django_db(transaction=True)
def test_two_patients_moving_to_the_same_time_at_once_make_one_move(clinic):
    """Each patient's page offered the same free time; both press it together."""
    one = _book(clinic)
    two = _book(clinic, WEDNESDAY_10 + timedelta(hours=1), patient=make_patient(first_name="Bo"))
    target = datetime(2026, 12, 3, 14, tzinfo=UTC)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(appointment):
        try:
            barrier.wait()
            self_service.appointment_move_by_patient(
                appointment=appointment, version=1, start=target, now=timezone.now()
            )
            outcomes.append("moved")
        except booking.SlotTaken:
            outcomes.append("taken")
        except Exception as exc:  # anything else would be a 500
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move, args=(a,)) for a in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["moved", "taken"]
    assert Appointment.objects.filter(starts_at=target).count() == 1
