"""The front desk's waitlist pages and the patient's offer page."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry

from clinic.messaging import offer_views, self_service
from clinic.messaging.links import offer_token
from clinic.scheduling.models import (
    Appointment,
    FreedSlot,
    Location,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.scheduling.services import appointment_book, appointment_cancel
from clinic.scheduling.waitlist import waitlist_add
from tests.clinic.scheduling.conftest import FROZEN_NOW
from tests.factories import make_patient
from tests.lock_conflicts import deadlock

MONDAY = date(2026, 11, 23)
TEN = datetime(2026, 11, 23, 10, tzinfo=UTC)


def _wait(clinic, name, location=None):
    return waitlist_add(
        patient=make_patient(first_name=name, last_name="Waiting"),
        location=location or clinic["location"],
        appointment_type=clinic["type"],
        practitioner=None,
        earliest=MONDAY,
        latest=MONDAY + timedelta(days=7),
        today=FROZEN_NOW.date(),
        by=clinic["desk"],
    )


@pytest.fixture
def offered(clinic, frozen_now):
    """Ada was offered Monday 10:00, freed by a cancellation; Ben waits behind her."""
    booked = appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=clinic["type"], start=TEN,
        by=clinic["desk"], now=frozen_now,
    )  # fmt: skip
    ada, ben = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    appointment_cancel(appointment=booked, reason="Unwell", by=clinic["desk"], now=frozen_now)
    offer = WaitlistOffer.objects.get(entry=ada)
    return {"offer": offer, "ada": ada, "ben": ben, "url": f"/w/{offer_token(offer.pk)}/"}


# --- The front desk's list ------------------------------------------------------------


def test_the_front_desk_sees_who_waits_in_order_with_the_time_offered(front_desk_client, offered):
    response = front_desk_client.get("/waitlist/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Ada Waiting") < page.index("Ben Waiting")
    assert "Offered" in page
    assert "Mon 23 Nov 10:00" in page


@pytest.mark.parametrize(("role", "status"), [("outsider", 403), ("anonymous", 302)])
def test_the_list_is_for_the_roles_that_see_the_book(role_clients, offered, role, status):
    assert role_clients[role].get("/waitlist/").status_code == status


def test_the_front_desk_adds_a_patient_from_their_record(front_desk_client, clinic, frozen_now):
    patient = make_patient(first_name="Cleo")

    response = front_desk_client.post(
        f"/waitlist/add/?patient={patient.pk}",
        {
            "location": clinic["location"].pk,
            "appointment_type": clinic["type"].pk,
            "practitioner": clinic["practitioners"][1].pk,
            "earliest": "2026-11-23",
            "latest": "2026-12-04",
            "note": "Mornings only",
        },
    )

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(patient=patient)
    assert (entry.practitioner, entry.note) == (clinic["practitioners"][1], "Mornings only")


def test_impossible_days_are_refused_on_the_field(front_desk_client, clinic, frozen_now):
    patient = make_patient()

    response = front_desk_client.post(
        f"/waitlist/add/?patient={patient.pk}",
        {
            "location": clinic["location"].pk,
            "appointment_type": clinic["type"].pk,
            "earliest": "2026-11-23",
            "latest": "2026-11-21",
        },
    )

    assert response.status_code == 400
    assert "The last day cannot be before the first." in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_adding_without_a_patient_finds_one_first(front_desk_client, clinic):
    make_patient(first_name="Cleo", last_name="Zephyr")

    response = front_desk_client.get("/waitlist/add/", {"q": "zephyr"})

    assert response.status_code == 200
    assert "Zephyr, Cleo" in response.content.decode()
    assert front_desk_client.get("/waitlist/add/?patient=999999").status_code == 404


def test_a_practitioner_sees_the_list_but_cannot_change_it(practitioner_client, offered):
    assert "Take off" not in practitioner_client.get("/waitlist/").content.decode()
    assert practitioner_client.get("/waitlist/add/").status_code == 403
    response = practitioner_client.post(f"/waitlist/{offered['ada'].pk}/remove/")
    assert response.status_code == 403


def test_taking_a_patient_off_passes_their_time_on(front_desk_client, offered):
    response = front_desk_client.post(
        f"/waitlist/{offered['ada'].pk}/remove/", {"reason": "Booked by phone"}
    )

    assert response.status_code == 302
    offered["ada"].refresh_from_db()
    assert offered["ada"].status == "removed"
    assert WaitlistOffer.objects.get(entry=offered["ben"]).status == "pending"


# --- The patient's offer page ---------------------------------------------------------


def test_the_offer_shows_only_the_first_name_and_the_time(client, offered):
    response = client.get(offered["url"])

    page = response.content.decode()
    assert response.status_code == 200
    assert "Hello Ada" in page
    assert "Waiting" not in page  # no surname
    assert "10:00" in page
    assert "Book this time" in page


def test_booking_from_the_offer(client, offered):
    response = client.post(offered["url"], {"action": "accept"})

    assert response.status_code == 302
    booked = Appointment.objects.get(patient=offered["ada"].patient)
    assert booked.starts_at == TEN
    done = client.get(response["Location"])
    assert "it is booked" in done.content.decode()
    # Used: the link cannot book again, and says so.
    again = client.post(offered["url"], {"action": "accept"})
    assert again.status_code == 410
    assert Appointment.objects.filter(patient=offered["ada"].patient).count() == 1


def test_letting_it_go_offers_it_to_the_next(client, offered):
    response = client.post(offered["url"], {"action": "decline"})

    assert response.status_code == 302
    assert WaitlistOffer.objects.get(entry=offered["ben"]).status == "pending"
    assert client.get(offered["url"]).status_code == 410


def test_after_the_hold_the_link_says_it_has_passed(client, offered):
    with time_machine.travel(offered["offer"].expires_at, tick=False):
        response = client.post(offered["url"], {"action": "accept"})

    assert response.status_code == 410
    assert "no longer held for you" in response.content.decode()
    assert not Appointment.objects.filter(patient=offered["ada"].patient).exists()


def test_a_time_taken_meanwhile_says_so_without_booking(client, offered, clinic):
    appointment_book(
        patient=make_patient(), practitioner=clinic["practitioners"][0], room=clinic["rooms"][1],
        appointment_type=clinic["type"], start=TEN, by=clinic["desk"], now=FROZEN_NOW,
        held_slot_id=offered["offer"].slot_id,  # got past the hold
    )  # fmt: skip

    response = client.post(offered["url"], {"action": "accept"})

    assert response.status_code == 409
    assert "just taken" in response.content.decode()
    assert not Appointment.objects.filter(patient=offered["ada"].patient).exists()


def test_a_hold_let_go_while_she_still_waits_says_the_time_is_no_longer_free(client, offered):
    offer = offered["offer"]
    FreedSlot.objects.filter(pk=offer.slot_id).update(status=FreedSlot.Status.GONE)
    WaitlistOffer.objects.filter(pk=offer.pk).update(status=WaitlistOffer.Status.WITHDRAWN)

    response = client.post(offered["url"], {"action": "accept"})

    assert response.status_code == 410
    assert "This time is no longer free" in response.content.decode()
    assert "You stay on the waitlist" in response.content.decode()
    assert not Appointment.objects.filter(patient=offered["ada"].patient).exists()


def test_after_leaving_the_list_the_offer_s_link_says_so(client, offered):
    left = client.post(offered["url"], {"action": "leave"})

    again = client.get(offered["url"])

    assert left.status_code == 200
    assert again.status_code == 410
    assert "You are no longer on the waitlist" in again.content.decode()
    assert "You stay on the waitlist" not in again.content.decode()


@pytest.mark.parametrize("token", ["nonsense", "eyJvIjoxfQ:1vAAAA:bad"])
def test_bad_links_get_a_plain_404(client, offered, token):
    response = client.get(f"/w/{token}/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_tampered_link_books_nothing(client, offered):
    token = offer_token(offered["offer"].pk)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.post(f"/w/{tampered}/", {"action": "accept"}).status_code == 404
    assert not Appointment.objects.filter(patient=offered["ada"].patient).exists()


def test_a_reply_link_is_not_an_offer_link(client, offered):
    from clinic.messaging.links import reply_token

    assert client.get(f"/w/{reply_token(offered['offer'].pk)}/").status_code == 404


def test_an_expired_link_says_so_with_the_clinic_s_phone(client, clinic, offered, settings):
    Location.objects.filter(pk=clinic["location"].pk).update(phone="+441174960123")
    later = FROZEN_NOW + settings.MESSAGE_LINK_MAX_AGE + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        response = client.get(offered["url"])

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert 'href="tel:01174960123"' in response.content.decode()


def test_an_answer_that_is_neither_is_explained(client, offered):
    response = client.post(offered["url"], {"action": "delete everything\x00"})

    assert response.status_code == 409
    assert "Choose to book this time or not." in response.content.decode()
    assert WaitlistOffer.objects.get(pk=offered["offer"].pk).status == "pending"


def test_the_front_desk_sees_who_joined_online_and_for_which_session(front_desk_client, clinic):
    waitlist_add(
        patient=make_patient(first_name="Ines", last_name="Online"), location=clinic["location"],
        appointment_type=clinic["type"], practitioner=None, earliest=MONDAY,
        latest=MONDAY + timedelta(days=7), today=FROZEN_NOW.date(), by=None,
        purpose="plan-session:77", purpose_label="Session 2 of 3: Microneedling",
    )  # fmt: skip
    _wait(clinic, "Desk")

    page = front_desk_client.get("/waitlist/").content.decode()

    assert page.count('data-testid="joined-online"') == 1
    assert "Session 2 of 3: Microneedling" in page
    assert page.index("Joined online") < page.index("Desk Waiting")


def test_the_patient_leaves_the_waitlist_from_the_offer(client, offered):
    response = client.post(offered["url"], {"action": "leave"})

    assert response.status_code == 200
    assert "You have left the waitlist" in response.content.decode()
    offered["ada"].refresh_from_db()
    assert offered["ada"].status == "removed"
    assert WaitlistOffer.objects.get(entry=offered["ben"]).status == "pending"
    assert client.get(offered["url"]).status_code == 410
    left = LogEntry.objects.get(changes__has_key="patient action", action=LogEntry.Action.UPDATE)
    assert left.changes == {"patient action": ["", "left the waitlist"]}
    assert left.actor_email == f"patient #{offered['ada'].patient.pk}"


def test_leaving_from_the_offer_is_undone_when_it_cannot_be_audited(client, offered, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(self_service, "audit_patient_action", broken)
    before = WaitlistEntry.objects.get(pk=offered["ada"].pk).status

    with pytest.raises(RuntimeError):
        client.post(offered["url"], {"action": "leave"})

    offered["ada"].refresh_from_db()
    assert offered["ada"].status == before
    assert offered["ada"].is_open
    assert offered["offer"].__class__.objects.get(pk=offered["offer"].pk).status == "pending"


@pytest.mark.parametrize("action", ["accept", "decline", "leave"])
def test_an_answer_that_loses_a_lock_asks_to_try_again(client, offered, monkeypatch, action):
    for name in ("offer_accept", "offer_decline", "waitlist_remove"):
        monkeypatch.setattr(offer_views, name, deadlock)

    response = client.post(offered["url"], {"action": action})

    assert response.status_code == 409
    page = response.content.decode()
    assert "Please try again." in page
    assert 'value="accept"' in page  # the patient may answer again


def test_an_erased_patient_s_offer_link_answers_410(client, offered):
    type(offered["ada"].patient).objects.filter(pk=offered["ada"].patient.pk).update(
        erasure_requested_at=FROZEN_NOW
    )

    assert client.get(offered["url"]).status_code == 410
    assert client.post(offered["url"], {"action": "accept"}).status_code == 410
    assert not Appointment.objects.filter(patient=offered["ada"].patient).exists()
