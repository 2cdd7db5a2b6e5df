"""The waitlist: a freed time goes to the first waiting patient it suits, is held for them,
passes on when the hold runs out, and becomes at most one booking."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections

from clinic.messaging.models import PatientMessage
from clinic.messaging.self_service import self_service_user as patients_online_user
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    FreedSlot,
    Location,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.scheduling.services import appointment_book, appointment_cancel, appointment_move
from clinic.scheduling.waitlist import (
    OfferPassed,
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


def test_a_time_booked_meanwhile_answers_just_taken(clinic, booked):
    entry = _wait(clinic, "Ada")
    _cancel(booked, clinic)
    offer = _offer_of(entry)
    appointment_book(
        patient=make_patient(), practitioner=clinic["practitioners"][0], room=clinic["rooms"][1],
        appointment_type=clinic["type"], start=_at(MONDAY, 10), by=clinic["desk"], now=FROZEN_NOW,
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
