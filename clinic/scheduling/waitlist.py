"""The waitlist: who waits for a time, and how a freed time is offered, one patient at a
time, in the order they joined.

A cancellation or a move gives a time back (``slot_freed``, called by this module's
listeners of the scheduling signals, inside the transaction that freed it). The first
waiting patient it fits is offered it and holds it for ``WAITLIST_HOLD``; when the hold
runs out, the periodic ``offers_pass_on`` hands it to the next. Accepting locks the
freed time's row, then books through the one booking service: one freed time becomes at
most one booking, even when two offers are answered at the same moment, and a time
someone else booked meanwhile answers "just taken".
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    FreedSlot,
    Location,
    WaitlistEntry,
    WaitlistOffer,
    outside_horizon,
)
from clinic.scheduling.services import SlotTaken, appointment_book
from clinic.scheduling.signals import waitlist_accepting, waitlist_booking, waitlist_offered
from clinic.staff.audit import as_the_clinic
from clinic.staff.models import PractitionerProfile
from patients.models import Patient

E = WaitlistEntry.Status
O = WaitlistOffer.Status  # noqa: E741


# --- The list ---------------------------------------------------------------------------


def waitlist_add(
    *,
    patient: Patient,
    location: Location,
    appointment_type: AppointmentType,
    practitioner: PractitionerProfile | None,
    earliest: date,
    latest: date,
    today: date,
    by: User | None,
    note: str = "",
    purpose: str = "",
    purpose_label: str = "",
    duration_minutes: int | None = None,
) -> WaitlistEntry:
    """Put a patient on the list; ``by`` is None when the patient joined from their link.
    ``purpose`` names what an accepted offer books when it is more than an appointment of
    the type (``waitlist_booking`` in signals.py), ``purpose_label`` says it to the front
    desk, and ``duration_minutes`` is how long a time it needs when not the type's."""
    errors: dict[str, list[str]] = {}
    if earliest < today:
        errors.setdefault("earliest", []).append("Choose a day from today on.")
    if latest < earliest:
        errors.setdefault("latest", []).append("The last day cannot be before the first.")
    for name, day in (("earliest", earliest), ("latest", latest)):
        problem = outside_horizon(day, today)
        if problem is not None:
            errors.setdefault(name, []).append(problem)
    if not appointment_type.is_active:
        errors.setdefault("appointment_type", []).append("That type is no longer offered.")
    if errors:
        raise ValidationError(errors)
    if purpose:
        already = WaitlistEntry.objects.filter(purpose=purpose, status__in=WaitlistEntry.OPEN)
    else:
        already = WaitlistEntry.objects.filter(
            patient=patient,
            location=location,
            appointment_type=appointment_type,
            purpose="",
            status__in=WaitlistEntry.OPEN,
        )
    if already.exists():
        raise ValidationError(
            "This patient is already on the waitlist for that type at this location."
        )
    entry = WaitlistEntry(
        purpose=purpose,
        purpose_label=purpose_label[:120],
        duration_minutes=duration_minutes,
        patient=patient,
        location=location,
        appointment_type=appointment_type,
        practitioner=practitioner,
        earliest=earliest,
        latest=latest,
        note=note.strip(),
        added_by=by,
    )
    entry.full_clean()
    entry.save()
    return entry


def _lock_slots_then(offers: QuerySet[WaitlistOffer]) -> None:
    """Lock the freed times of these offers, before the offers or their entries: the
    order every acceptance takes (the freed time, then the offer, then the entry), so a
    decline or a removal and an acceptance at once wait for each other, not deadlock."""
    slot_ids = sorted(set(offers.values_list("slot_id", flat=True)))
    list(FreedSlot.objects.select_for_update().filter(pk__in=slot_ids).order_by("pk"))


@transaction.atomic
def waitlist_remove(*, entry: WaitlistEntry, reason: str, now: datetime) -> WaitlistEntry:
    """Take a patient off the list. A time they were holding goes to the next patient."""
    _lock_slots_then(WaitlistOffer.objects.filter(entry_id=entry.pk, status=O.PENDING))
    current = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if not current.is_open:
        raise ValidationError("This patient is no longer on the waitlist.")
    current.status = E.REMOVED
    current.removed_reason = reason.strip()[:200]
    current.save(update_fields=["status", "removed_reason", "updated_at"])
    for offer in current.offers.select_for_update().filter(status=O.PENDING):
        offer.status = O.WITHDRAWN
        offer.answered_at = now
        offer.save(update_fields=["status", "answered_at"])
        offer_next(slot=offer.slot, now=now)
    return current


# --- Offers -----------------------------------------------------------------------------


def _hold_until(slot: FreedSlot, now: datetime) -> datetime:
    """The hold runs WAITLIST_HOLD, but ends WAITLIST_CUTOFF before the time itself."""
    return min(now + settings.WAITLIST_HOLD, slot.starts_at - settings.WAITLIST_CUTOFF)


def _fitting_entries(slot: FreedSlot) -> QuerySet[WaitlistEntry]:
    """Waiting entries this freed time suits, first to join first: the same location, a
    type (or the length asked for) that fits in the time, the practitioner asked for (or
    any), the day inside their range, and not offered this time before. A patient who
    cannot be emailed (data restricted, no consent to care emails, no address) is offered
    nothing: the hold would only keep the time from the next (the front desk still sees
    them on the list)."""
    day = slot.starts_at.astimezone(slot.location.zone).date()
    return (
        WaitlistEntry.objects.annotate(
            needs_minutes=Coalesce("duration_minutes", "appointment_type__duration_minutes")
        )
        .filter(
            location_id=slot.location_id,
            status=E.WAITING,
            patient__restricted_at__isnull=True,
            patient__consents_to_transactional_email=True,
            earliest__lte=day,
            latest__gte=day,
            appointment_type__is_active=True,
            needs_minutes__lte=slot.minutes,
        )
        .exclude(patient__email="")
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=slot.practitioner_id))
        .exclude(offers__slot=slot)
        .order_by("created_at", "pk")
    )


def _still_free(slot: FreedSlot) -> bool:
    return not Appointment.objects.filter(
        Q(practitioner_id=slot.practitioner_id) | Q(room_id=slot.room_id),
        status__in=Appointment.ACTIVE,
        starts_at__lt=slot.ends_at,
        ends_at__gt=slot.starts_at,
    ).exists()


def offer_next(*, slot: FreedSlot, now: datetime) -> WaitlistOffer | None:
    """Offer the freed time to the next waiting patient it suits, if there is time left
    to hold it; the offer's email is written by the listeners of ``waitlist_offered``.
    Whoever's action freed the time, the offer to another patient is the clinic's doing:
    its audit entries do not name the patient (or the colleague) who set it going."""
    with as_the_clinic("waitlist: a freed time offered to the next patient waiting"):
        return _offer_next(slot=slot, now=now)


def _offer_next(*, slot: FreedSlot, now: datetime) -> WaitlistOffer | None:
    slot = FreedSlot.objects.select_for_update().select_related("location").get(pk=slot.pk)
    if not slot.is_open:
        return None
    if slot.offers.filter(status=O.PENDING).exists():
        return None  # someone holds it already
    expires_at = _hold_until(slot, now)
    if expires_at <= now:
        return None
    if not _still_free(slot):
        slot.status = FreedSlot.Status.GONE
        slot.save(update_fields=["status"])
        return None
    entry = _fitting_entries(slot).select_for_update(of=("self",)).first()
    if entry is None:
        return None
    offer = WaitlistOffer.objects.create(
        slot=slot, entry=entry, offered_at=now, expires_at=expires_at
    )
    entry.status = E.OFFERED
    entry.save(update_fields=["status", "updated_at"])
    waitlist_offered.send(sender=WaitlistOffer, offer=offer)
    return offer


def slot_freed(
    *,
    appointment: Appointment,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    room_id: int | None = None,
) -> FreedSlot | None:
    """A cancellation or a move gave back ``starts_at`` to ``ends_at`` of the appointment's
    practitioner and room: keep it, and offer it to the first patient it suits. Times
    too near to be held for anyone are not offered."""
    if starts_at - settings.WAITLIST_CUTOFF <= now:
        return None
    location_id = appointment.location_id
    if not WaitlistEntry.objects.filter(location_id=location_id, status=E.WAITING).exists():
        return None
    slot = FreedSlot.objects.create(
        location_id=location_id,
        practitioner_id=appointment.practitioner_id,
        room_id=room_id or appointment.room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        freed_by=appointment,
    )
    offer_next(slot=slot, now=now)
    return slot


def _back_to_waiting(entry: WaitlistEntry) -> None:
    if entry.status == E.OFFERED:
        entry.status = E.WAITING
        entry.save(update_fields=["status", "updated_at"])


def offers_pass_on(*, now: datetime) -> int:
    """Hand each time whose hold has run out to the next patient; how many passed on."""
    passed = 0
    held = WaitlistOffer.objects.filter(status=O.PENDING, expires_at__lte=now)
    for offer_id in held.values_list("pk", flat=True)[:200]:
        with transaction.atomic():
            offer = (
                WaitlistOffer.objects.select_for_update(skip_locked=True)
                .filter(pk=offer_id, status=O.PENDING, expires_at__lte=now)
                .select_related("entry", "slot")
                .first()
            )
            if offer is None:
                continue  # answered, or being answered, meanwhile
            offer.status = O.EXPIRED
            offer.save(update_fields=["status"])
            _back_to_waiting(offer.entry)
            offer_next(slot=offer.slot, now=now)
            passed += 1
    return passed


TAKEN = "Sorry: that time was just taken. You stay on the waitlist."


class OfferPassed(Exception):
    """The hold ran out (or the offer was already answered)."""


@dataclass(frozen=True)
class Accepted:
    appointment: Appointment | None
    problem: str = ""  # why the time could not be booked, for the patient


def offer_accept(*, offer: WaitlistOffer, now: datetime, by: User) -> Accepted:
    """Book the offered time for the patient, or say why not. Raises OfferPassed when the
    offer is no longer theirs to accept.

    1. Lock what owns the entry's purpose (a plan, through ``waitlist_accepting``), then
       the freed time, then the offer: every acceptance of this time queues here.
    2. Book it (``_book_for``): the app that owns the entry's purpose books what it waits
       for (a plan session), else an appointment of the type, through the one booking
       service.
    3. A time that can no longer be booked by anyone (taken meanwhile, too near) is gone;
       a refusal that is the patient's own (their course on hold, say) lets this patient
       go and offers the time to the next.
    """
    with transaction.atomic():
        # One order for every lock: the owner of the purpose first, as a plan's own writes
        # (pause, cancel, booking from its page) lock the plan and then reach the waitlist
        # and its freed times. The other way round, an acceptance holding the time and
        # waiting for the plan, while a pause holds the plan and waits for the time, is a
        # deadlock.
        entry = WaitlistEntry.objects.only("pk", "purpose").get(pk=offer.entry_id)
        if entry.purpose:
            waitlist_accepting.send(sender=WaitlistEntry, entry=entry)
        slot = FreedSlot.objects.select_for_update().get(pk=offer.slot_id)
        current = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("entry__patient", "entry__appointment_type")
            .get(pk=offer.pk)
        )
        if current.status == O.WITHDRAWN:
            return Accepted(None, TAKEN)
        if not current.is_held(now):
            raise OfferPassed
        if not slot.is_open:
            _answer(current, O.WITHDRAWN, now)
            return Accepted(None, TAKEN)
        entry = current.entry
        try:
            appointment = _book_for(entry, slot, now=now, by=by)
        except (SlotTaken, ValidationError) as exc:
            return _not_booked(current, slot, exc, now=now)
        slot.status = FreedSlot.Status.BOOKED
        slot.save(update_fields=["status"])
        _answer(current, O.ACCEPTED, now, appointment)
        entry.status = E.BOOKED
        entry.appointment = appointment
        entry.save(update_fields=["status", "appointment", "updated_at"])
        # Anyone else holding this time (should it ever be held twice) is let go.
        with as_the_clinic("waitlist: a freed time booked by another patient waiting"):
            for other in slot.offers.select_for_update().filter(status=O.PENDING):
                _answer(other, O.WITHDRAWN, now)
        return Accepted(appointment)


def _book_for(entry: WaitlistEntry, slot: FreedSlot, *, now: datetime, by: User) -> Appointment:
    """What the entry waits for, booked into the freed time (SlotTaken, ValidationError)."""
    if entry.purpose:
        for _receiver, booked in waitlist_booking.send(
            sender=WaitlistEntry, entry=entry, slot=slot, now=now, by=by
        ):
            if booked is not None:
                return cast(Appointment, booked)
        raise ValidationError("This time can no longer be booked online. Please call us.")
    return appointment_book(
        patient=entry.patient,
        practitioner=PractitionerProfile.objects.get(pk=slot.practitioner_id),
        room=slot.room,
        appointment_type=entry.appointment_type,
        start=slot.starts_at,
        duration_minutes=entry.duration_minutes,
        by=by,
        now=now,
        held_slot_id=slot.pk,
    )


def _not_booked(
    offer: WaitlistOffer, slot: FreedSlot, refusal: Exception, *, now: datetime
) -> Accepted:
    """The booking was refused: the time is gone if nobody could book it now (taken, or
    too near to hold), else it goes to the next patient. This patient keeps waiting."""
    _answer(offer, O.WITHDRAWN, now)
    if isinstance(refusal, SlotTaken):
        problem = TAKEN
    else:
        problem = " ".join(cast(ValidationError, refusal).messages)
    if not _still_free(slot) or _hold_until(slot, now) <= now:
        slot.status = FreedSlot.Status.GONE
        slot.save(update_fields=["status"])
    else:
        offer_next(slot=slot, now=now)
    return Accepted(None, problem)


def _answer(
    offer: WaitlistOffer, status: str, now: datetime, appointment: Appointment | None = None
) -> None:
    offer.status = status
    offer.answered_at = now
    offer.appointment = appointment
    offer.save(update_fields=["status", "answered_at", "appointment"])
    if status != O.ACCEPTED:
        _back_to_waiting(offer.entry)


@transaction.atomic
def offer_decline(*, offer: WaitlistOffer, now: datetime) -> None:
    """The patient does not want this time: it goes to the next; they keep waiting. The
    freed time is locked first, as an acceptance locks it (``_lock_slots_then``)."""
    _lock_slots_then(WaitlistOffer.objects.filter(pk=offer.pk))
    current = (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry", "slot")
        .get(pk=offer.pk)
    )
    if not current.is_held(now):
        raise OfferPassed
    _answer(current, O.DECLINED, now)
    offer_next(slot=current.slot, now=now)


def hold_words() -> str:
    """How long an offer is held, as people say it: "2 hours", "90 minutes"."""
    minutes = int(settings.WAITLIST_HOLD / timedelta(minutes=1))
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


# --- Listeners (clinic/scheduling/signals.py lists them) -------------------------------


def on_cancelled(sender: type, appointment: Appointment, **kwargs: object) -> None:
    slot_freed(
        appointment=appointment,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        now=timezone.now(),
    )


def on_moved(
    sender: type,
    appointment: Appointment,
    previous_start: datetime,
    previous_room_id: int | None = None,
    **kwargs: object,
) -> None:
    slot_freed(
        appointment=appointment,
        starts_at=previous_start,
        ends_at=previous_start + (appointment.ends_at - appointment.starts_at),
        now=timezone.now(),
        room_id=previous_room_id,  # the room it left, which may not be the room it is in
    )
