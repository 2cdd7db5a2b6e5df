"""The waitlist: a freed time goes to the first waiting patient it suits, is held for them,
passes on when the hold runs out, and becomes at most one booking."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from clinic.messaging.models import PatientMessage
from clinic.messaging.self_service import acting_patient, audit_patient_action
from clinic.messaging.self_service import self_service_user as patients_online_user
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    FreedSlot,
    Location,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.scheduling.selectors import free_slots_for, free_slots_in_any_room
from clinic.scheduling.services import appointment_book, appointment_cancel, appointment_move
from clinic.scheduling.waitlist import (
    OfferPassed,
    hold_words,
    offer_accept,
    offer_decline,
    offers_pass_on,
    waitlist_add,
    waitlist_remove,
)
from tests.clinic.scheduling.conftest import FROZEN_NOW
from tests.factories import make_patient

MONDAY = date(2026, 11, 23)
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks"
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)  # London is on GMT


@pytest.fixture
def booked(clinic, frozen_now):
    """Monday 10:00 with the first practitioner in room 1: the time a cancellation frees."""
    return appointment_book(
        patient=clinic["patient"],
        practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0],
        appointment_type=clinic["type"],
        start=_at(MONDAY, 10),
        by=clinic["desk"],
        now=frozen_now,
    )


def _wait(clinic, name, **overrides):
    fields = {
        "patient": make_patient(first_name=name),
        "location": clinic["location"],
        "appointment_type": clinic["type"],
        "practitioner": None,
        "earliest": MONDAY,
        "latest": MONDAY + timedelta(days=7),
        "today": FROZEN_NOW.date(),
        "by": clinic["desk"],
    }
    return waitlist_add(**{**fields, **overrides})


def _cancel(appointment, clinic):
    return appointment_cancel(
        appointment=appointment, reason="Unwell", by=clinic["desk"], now=FROZEN_NOW
    )


def _offer_of(entry) -> WaitlistOffer:
    return WaitlistOffer.objects.get(entry=entry, status=WaitlistOffer.Status.PENDING)


def test_a_cancellation_offers_the_time_to_the_first_who_joined_and_emails_them(clinic, booked):
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")

    _cancel(booked, clinic)

    offer = _offer_of(first)
    assert offer.slot.starts_at == _at(MONDAY, 10)
    assert offer.expires_at == FROZEN_NOW + timedelta(hours=2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("offered", "waiting")
    email = PatientMessage.objects.get(kind="waitlist_offer")
    assert email.patient == first.patient
    assert email.payload == {"offer": offer.pk}
    assert email.due_at == FROZEN_NOW


def test_a_move_offers_the_time_it_left(clinic, booked):
    entry = _wait(clinic, "Ada")

    appointment_move(appointment=booked, start=_at(MONDAY, 14), by=clinic["desk"], now=FROZEN_NOW)

    assert _offer_of(entry).slot.starts_at == _at(MONDAY, 10)


@pytest.mark.parametrize(
    "overrides",
    [
        {"earliest": MONDAY + timedelta(days=1)},  # not yet
        {"latest": MONDAY - timedelta(days=1), "earliest": FROZEN_NOW.date()},  # too late
        {"practitioner": "the other one"},
        {"appointment_type": "longer"},
        {"location": "another"},
    ],
    ids=["before-their-days", "after-their-days", "other-practitioner", "too-long", "elsewhere"],
)
def test_a_time_that_does_not_suit_is_not_offered(clinic, booked, overrides):
    if overrides.get("practitioner"):
        overrides["practitioner"] = clinic["practitioners"][1]
    if overrides.get("appointment_type"):
        overrides["appointment_type"] = AppointmentType.objects.create(
            name="Long session", kind="treatment", duration_minutes=90
        )
    if overrides.get("location"):
        overrides["location"] = Location.objects.create(name="Leeds", time_zone="Europe/London")
    entry = _wait(clinic, "Ada", **overrides)
    suited = _wait(clinic, "Ben")

    _cancel(booked, clinic)

    assert not WaitlistOffer.objects.filter(entry=entry).exists()
    assert _offer_of(suited)


def test_a_time_too_near_to_hold_is_not_offered(clinic, booked):
    _wait(clinic, "Ada")

    with time_machine.travel(_at(MONDAY, 8, 30), tick=False):
        appointment_cancel(
            appointment=booked, reason="Unwell", by=clinic["desk"], now=_at(MONDAY, 8, 30)
        )

    assert not WaitlistOffer.objects.exists()
    assert not FreedSlot.objects.exists()


def test_the_hold_ends_before_the_time_itself(clinic, booked, settings):
    settings.WAITLIST_HOLD = timedelta(days=5)
    entry = _wait(clinic, "Ada")

    _cancel(booked, clinic)

    assert _offer_of(entry).expires_at == _at(MONDAY, 10) - settings.WAITLIST_CUTOFF


def test_when_the_hold_runs_out_the_next_patient_is_offered_it(clinic, booked):
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    _cancel(booked, clinic)
    offer = _offer_of(first)

    assert offers_pass_on(now=offer.expires_at - timedelta(seconds=1)) == 0
    assert offers_pass_on(now=offer.expires_at) == 1

    offer.refresh_from_db()
    first.refresh_from_db()
    assert offer.status == "expired"
    assert first.status == "waiting"  # still on the list, for another time
    assert _offer_of(second).slot == offer.slot
    with pytest.raises(OfferPassed):
        offer_accept(offer=offer, now=offer.expires_at, by=patients_online_user())
    assert PatientMessage.objects.filter(kind="waitlist_offer").count() == 2


def test_accepting_books_the_time_and_confirms_it(clinic, booked):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)

    result = offer_accept(offer=offer, now=FROZEN_NOW, by=patients_online_user())

    appointment = result.appointment
    assert appointment is not None
    assert result.problem == ""
    assert (appointment.patient, appointment.starts_at) == (entry.patient, _at(MONDAY, 10))
    assert appointment.booked_by.username == "patient-online"
    entry.refresh_from_db()
    offer.refresh_from_db()
    assert (entry.status, entry.appointment) == ("booked", appointment)
    assert (offer.status, offer.slot.status) == ("accepted", "booked")
    assert PatientMessage.objects.filter(appointment=appointment, kind="confirmation").exists()
    with pytest.raises(OfferPassed):
        offer_accept(offer=offer, now=FROZEN_NOW, by=patients_online_user())


def test_two_offers_of_one_time_accepted_one_after_the_other_make_one_booking(clinic, booked):
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    _cancel(booked, clinic)
    offer = _offer_of(first)
    # The front desk offered the same time to a second patient as well.
    twin = WaitlistOffer.objects.create(
        slot=offer.slot, entry=second, offered_at=FROZEN_NOW, expires_at=offer.expires_at
    )

    won = offer_accept(offer=offer, now=FROZEN_NOW, by=patients_online_user())
    lost = offer_accept(offer=twin, now=FROZEN_NOW, by=patients_online_user())

    assert won.appointment is not None
    assert lost.appointment is None
    assert Appointment.objects.filter(starts_at=_at(MONDAY, 10), status="booked").count() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_offers_of_one_time_accepted_at_once_make_one_booking(clinic):
    booked = appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=clinic["type"], start=_at(MONDAY, 10),
        by=clinic["desk"], now=FROZEN_NOW,
    )  # fmt: skip
    entries = [_wait(clinic, name) for name in ("Ada", "Ben", "Cy", "Di")]
    with time_machine.travel(FROZEN_NOW, tick=False):
        _cancel(booked, clinic)
    slot = FreedSlot.objects.get()
    offers = [_offer_of(entries[0])] + [
        WaitlistOffer.objects.create(
            slot=slot, entry=entry, offered_at=FROZEN_NOW, expires_at=slot.starts_at
        )
        for entry in entries[1:]
    ]
    online = patients_online_user()
    results: list[object] = []
    start = threading.Barrier(len(offers))

    def accept(offer):
        try:
            start.wait()
            results.append(offer_accept(offer=offer, now=FROZEN_NOW, by=online).appointment)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 4
    assert sum(result is not None for result in results) == 1
    assert Appointment.objects.filter(starts_at=_at(MONDAY, 10), status="booked").count() == 1
    assert WaitlistOffer.objects.filter(status="accepted").count() == 1


def test_a_held_time_cannot_be_booked_for_anyone_else(clinic, booked):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)

    with pytest.raises(ValidationError, match="held for a patient on the waitlist until 11:00"):
        appointment_book(
            patient=make_patient(), practitioner=clinic["practitioners"][0],
            room=clinic["rooms"][1], appointment_type=clinic["type"], start=_at(MONDAY, 10),
            by=clinic["desk"], now=FROZEN_NOW,
        )  # fmt: skip
    # Another practitioner in another room is not held.
    appointment_book(
        patient=make_patient(), practitioner=clinic["practitioners"][1], room=clinic["rooms"][1],
        appointment_type=clinic["type"], start=_at(MONDAY, 10), by=clinic["desk"], now=FROZEN_NOW,
    )  # fmt: skip
    # Once the hold has run out, the time is anyone's again.
    appointment_book(
        patient=make_patient(), practitioner=clinic["practitioners"][0], room=clinic["rooms"][0],
        appointment_type=clinic["type"], start=_at(MONDAY, 10), by=clinic["desk"],
        now=offer.expires_at,
    )  # fmt: skip


def test_a_time_booked_meanwhile_answers_just_taken(clinic, booked):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)
    # A booking that got past the hold (the only one that may: it names the freed time).
    appointment_book(
        patient=make_patient(), practitioner=clinic["practitioners"][0], room=clinic["rooms"][1],
        appointment_type=clinic["type"], start=_at(MONDAY, 10), by=clinic["desk"], now=FROZEN_NOW,
        held_slot_id=offer.slot_id,
    )  # fmt: skip

    result = offer_accept(offer=offer, now=FROZEN_NOW, by=patients_online_user())

    assert result.appointment is None
    assert "just taken" in result.problem
    entry.refresh_from_db()
    assert entry.status == "waiting"
    assert FreedSlot.objects.get().status == "gone"


def test_declining_passes_the_time_on_and_keeps_the_patient_waiting(clinic, booked):
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    _cancel(booked, clinic)

    offer_decline(offer=_offer_of(first), now=FROZEN_NOW)

    first.refresh_from_db()
    assert first.status == "waiting"
    assert _offer_of(second)
    # Declined once, never offered the same time again.
    offer_decline(offer=_offer_of(second), now=FROZEN_NOW)
    assert not WaitlistOffer.objects.filter(status="pending").exists()


def test_taking_an_offered_patient_off_the_list_passes_the_time_on(clinic, booked):
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    _cancel(booked, clinic)

    waitlist_remove(entry=first, reason="Booked by phone", now=FROZEN_NOW)

    first.refresh_from_db()
    assert (first.status, first.removed_reason) == ("removed", "Booked by phone")
    assert _offer_of(second)
    with pytest.raises(ValidationError, match="no longer on the waitlist"):
        waitlist_remove(entry=first, reason="", now=FROZEN_NOW)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"earliest": date(2026, 11, 19)}, "earliest", "from today on"),
        ({"latest": MONDAY - timedelta(days=1)}, "latest", "cannot be before"),
        ({"latest": date(2031, 1, 1)}, "latest", "two years"),
    ],
)
def test_the_list_refuses_impossible_days(clinic, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        _wait(clinic, "Ada", **overrides)

    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])


def test_a_patient_is_on_the_list_once_for_the_same_thing(clinic):
    entry = _wait(clinic, "Ada")

    with pytest.raises(ValidationError, match="already on the waitlist"):
        _wait(clinic, "Ada", patient=entry.patient)


def test_nobody_waiting_keeps_no_freed_time(clinic, booked):
    _cancel(booked, clinic)

    assert not FreedSlot.objects.exists()
    assert WaitlistEntry.objects.count() == 0


def test_a_patient_whose_data_is_restricted_is_offered_nothing(clinic, booked):
    restricted, next_in_line = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    type(restricted.patient).objects.filter(pk=restricted.patient.pk).update(
        restricted_at=FROZEN_NOW, restriction_reason="Asked us to stop using their data"
    )

    _cancel(booked, clinic)

    assert not WaitlistOffer.objects.filter(entry=restricted).exists()
    assert _offer_of(next_in_line)


def test_a_move_to_another_room_offers_the_room_it_left(clinic, booked):
    entry = _wait(clinic, "Ada")

    appointment_move(
        appointment=booked, start=_at(MONDAY, 14), room=clinic["rooms"][1], by=clinic["desk"],
        now=FROZEN_NOW,
    )  # fmt: skip

    assert _offer_of(entry).slot.room == clinic["rooms"][0]


def test_a_patient_who_cannot_be_emailed_is_offered_nothing(clinic, booked):
    no_consent, next_in_line = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    type(no_consent.patient).objects.filter(pk=no_consent.patient.pk).update(
        consents_to_transactional_email=False
    )

    _cancel(booked, clinic)

    assert not WaitlistOffer.objects.filter(entry=no_consent).exists()
    assert _offer_of(next_in_line)


# --- Held times are busy ------------------------------------------------------------------


def _free_at_ten(clinic, practitioner_index: int) -> bool:
    practitioner = clinic["practitioners"][practitioner_index]
    slots = free_slots_for(
        location=clinic["location"], appointment_type=clinic["type"], first_day=MONDAY,
        last_day=MONDAY, practitioner_ids=[practitioner.pk], room_ids=[clinic["rooms"][0].pk],
    )  # fmt: skip
    return any(slot.start == _at(MONDAY, 10) for slot in slots)


def _free_in_any_room_at_ten(clinic) -> bool:
    slots = free_slots_in_any_room(
        location=clinic["location"], practitioner_ids=[clinic["practitioners"][0].pk],
        appointment_type=clinic["type"], first_day=MONDAY, last_day=MONDAY,
    )  # fmt: skip
    return any(slot.start == _at(MONDAY, 10) for slot in slots)


def test_a_held_time_is_busy_for_every_other_search_until_the_hold_runs_out(
    clinic, booked, time_machine
):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)

    assert not _free_at_ten(clinic, 0)  # the practitioner's time is held
    assert not _free_at_ten(clinic, 1)  # and so is the room
    assert not _free_in_any_room_at_ten(clinic)

    time_machine.move_to(offer.expires_at, tick=False)
    assert _free_at_ten(clinic, 0)
    assert _free_in_any_room_at_ten(clinic)


def test_a_free_time_search_costs_the_same_with_holds(clinic, booked, django_assert_num_queries):
    _wait(clinic, "Ada")
    _cancel(booked, clinic)

    # opening hours, closures, practitioners with their hours (2), leave, rooms, and the
    # appointments with the held times in one UNION
    with django_assert_num_queries(7):
        _free_at_ten(clinic, 0)


# --- Loose ends --------------------------------------------------------------------------


def test_a_refusal_that_is_the_patient_s_own_passes_the_time_on_instead_of_wasting_it(
    clinic, booked
):
    own_type = AppointmentType.objects.create(name="Peel", kind="treatment", duration_minutes=30)
    first = _wait(clinic, "Ada", appointment_type=own_type)
    second = _wait(clinic, "Ben")
    _cancel(booked, clinic)
    offer = _offer_of(first)
    # Ada's type is withdrawn before she answers: a refusal of hers, not of the time.
    AppointmentType.objects.filter(pk=own_type.pk).update(is_active=False)

    result = offer_accept(offer=offer, now=FROZEN_NOW, by=patients_online_user())

    assert result.appointment is None
    assert "no longer offered" in result.problem
    assert FreedSlot.objects.get().status == "open"
    assert _offer_of(second).slot == offer.slot
    first.refresh_from_db()
    assert first.status == "waiting"


def test_a_time_too_near_to_book_is_gone(clinic, booked, settings):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)
    _wait(clinic, "Ben")
    # The offer is still held (the test moves its end) but the time is too near to book.
    WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=_at(MONDAY, 11))
    settings.WALK_IN_GRACE = timedelta(0)

    result = offer_accept(offer=offer, now=_at(MONDAY, 10, 30), by=patients_online_user())

    assert result.appointment is None
    assert FreedSlot.objects.get().status == "gone"
    assert not WaitlistOffer.objects.filter(status="pending").exists()


def test_a_time_the_waitlist_hands_on_is_the_clinic_s_doing_not_the_acting_patient_s(
    clinic, booked
):
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    _cancel(booked, clinic)
    ada = first.patient

    with acting_patient(ada, action="waitlist offer: decline", address="203.0.113.9"):
        offer_decline(offer=_offer_of(first), now=FROZEN_NOW)
        # Entries after the hand-on are the patient's again.
        audit_patient_action(_offer_of_any(first), patient=ada, action="declined", address=None)

    ben_offer = _offer_of(second)
    about_ben = list(LogEntry.objects.get_for_object(ben_offer)) + [
        e for e in LogEntry.objects.get_for_object(second) if e.timestamp >= ben_offer.offered_at
    ]
    assert about_ben
    for log in about_ben:
        assert log.actor_email != f"patient #{ada.pk}"
        assert log.remote_addr != "203.0.113.9"
    created = LogEntry.objects.get_for_object(ben_offer).get(action=LogEntry.Action.CREATE)
    assert created.additional_data["actor"] == "clinic"
    declined = LogEntry.objects.get_for_object(_offer_of_any(first)).filter(
        action=LogEntry.Action.UPDATE
    )
    assert {log.actor_email for log in declined} == {f"patient #{ada.pk}"}


def _offer_of_any(entry) -> WaitlistOffer:
    return WaitlistOffer.objects.get(entry=entry)


def _first_lock(queries) -> str:
    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert locks, "something was locked"
    return locks[0].split(" FROM ", 1)[1].split()[0].strip('"')


@ON_POSTGRESQL
def test_a_decline_locks_the_freed_time_first_as_an_acceptance_does(clinic, booked):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)

    with CaptureQueriesContext(connection) as queries:
        offer_decline(offer=offer, now=FROZEN_NOW)

    assert _first_lock(queries) == "scheduling_freedslot"


@ON_POSTGRESQL
def test_taking_an_offered_patient_off_locks_the_freed_time_first(clinic, booked):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)

    with CaptureQueriesContext(connection) as queries:
        waitlist_remove(entry=entry, reason="", now=FROZEN_NOW)

    assert _first_lock(queries) == "scheduling_freedslot"


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_decline_and_an_acceptance_at_once_do_not_deadlock(clinic):
    booked = appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][0],
        room=clinic["rooms"][0], appointment_type=clinic["type"], start=_at(MONDAY, 10),
        by=clinic["desk"], now=FROZEN_NOW,
    )  # fmt: skip
    first, second = _wait(clinic, "Ada"), _wait(clinic, "Ben")
    with time_machine.travel(FROZEN_NOW, tick=False):
        _cancel(booked, clinic)
    slot = FreedSlot.objects.get()
    twin = WaitlistOffer.objects.create(
        slot=slot, entry=second, offered_at=FROZEN_NOW, expires_at=slot.starts_at
    )
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(action):
        try:
            start.wait()
            action()
        except OfferPassed:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    decline = threading.Thread(
        target=run, args=(lambda: offer_decline(offer=_offer_of(first), now=FROZEN_NOW),)
    )
    accept = threading.Thread(
        target=run,
        args=(lambda: offer_accept(offer=twin, now=FROZEN_NOW, by=patients_online_user()),),
    )
    for thread in (decline, accept):
        thread.start()
    for thread in (decline, accept):
        thread.join(timeout=60)

    assert errors == []
    assert Appointment.objects.filter(starts_at=_at(MONDAY, 10), status="booked").count() == 1


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(120, "2 hours"), (60, "1 hour"), (90, "90 minutes"), (1, "1 minute"), (45, "45 minutes")],
)
def test_the_hold_is_said_as_people_say_it(settings, minutes, words):
    settings.WAITLIST_HOLD = timedelta(minutes=minutes)

    assert hold_words() == words
