"""What patients do for themselves from a link in an email, without signing in.

A patient moves or cancels an appointment here (until the late-cancellation limit); the
treatments app books a plan's next session with the same pieces (the free times offered,
the throttle, the audit). Every write goes through the booking services; the "who" of a
booking is the self-service account, and the audit entries name the patient as the actor.

1. The link names one object for one purpose (``links.purpose_token``); the page judges
   that object as it is now (``change_refusal``).
2. Each request counts against the link and the client address (``throttled``).
3. Each action runs inside ``acting_patient``, so that every audit entry it writes, and
   the entry for the action itself, carry the patient as the actor.
"""

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal

from clinic.scheduling import services as booking
from clinic.scheduling.availability import Slot
from clinic.scheduling.models import Appointment, Room
from clinic.scheduling.selectors import free_slots_in_any_room
from clinic.staff.accounts import SELF_SERVICE_USERNAME
from clinic.staff.models import PractitionerProfile
from patients.models import Patient

JUST_TAKEN = "That time was just taken. Please pick another."
# A patient whose data is erased: their links have done their work.
ERASED = "This link can no longer be used. Please call the clinic."

# Asked with ``appointment=`` whether the patient's choice of a new time is limited:
# a receiver answers (first day, last day) at the location, or None. The treatments app
# answers for a plan session (its interval window).
change_window = Signal()


def self_service_user() -> User:
    """The account recorded as having booked what patients book themselves: it cannot
    sign in (inactive, no usable password)."""
    user, made = User.objects.get_or_create(
        username=SELF_SERVICE_USERNAME,
        defaults={"first_name": "Patient", "last_name": "(online)", "is_active": False},
    )
    if made:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# --- Throttling ------------------------------------------------------------------------------


def _count(key: str, period: timedelta) -> int:
    """Add one to a counter that lives for ``period`` from its first use."""
    if cache.add(key, 1, timeout=int(period.total_seconds())):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=int(period.total_seconds()))
        return 1


def throttled(*, token: str, address: str | None, scale: int = 1) -> bool:
    """True when the link, or the client address, has been used too often lately.

    ``scale`` multiplies both limits for a page that is used many times by design (a
    questionnaire saved answer by answer)."""
    period = settings.PATIENT_LINK_RATE_PERIOD
    link = hashlib.sha256(token.encode()).hexdigest()[:32]
    per_link = _count(f"patient-link:t:{link}", period)
    per_address = _count(f"patient-link:a:{address or '-'}", period)
    return (
        per_link > settings.PATIENT_LINK_RATE_PER_LINK * scale
        or per_address > settings.PATIENT_LINK_RATE_PER_ADDRESS * scale
    )


# --- The audit -----------------------------------------------------------------------------


def _actor(patient: Patient, action: str) -> dict[str, Any]:
    return {"actor": "patient", "patient": patient.pk, "action": action, "via": "email link"}


@contextlib.contextmanager
def acting_patient(patient: Patient, *, action: str, address: str | None) -> Iterator[None]:
    """Audit entries written inside carry the patient as the actor (no staff user)."""
    with set_extra_data(
        {
            "actor_email": f"patient #{patient.pk}",
            "remote_addr": address,
            "additional_data": _actor(patient, action),
        }
    ):
        yield


def audit_patient_action(
    record: Any, *, patient: Patient, action: str, address: str | None
) -> None:
    """One audit entry for what the patient did (or looked at) through a link, written with
    its seal in one transaction (clinic/staff/audit.py)."""
    with transaction.atomic(savepoint=False):
        _log_patient_action(record, patient=patient, action=action, address=address)


def _log_patient_action(record: Any, *, patient: Patient, action: str, address: str | None) -> None:
    LogEntry.objects.log_create(
        record,
        force_log=True,
        action=LogEntry.Action.ACCESS if action.startswith("viewed") else LogEntry.Action.UPDATE,
        changes={"patient action": ["", action]},
        actor_email=f"patient #{patient.pk}",
        remote_addr=address,
        additional_data=_actor(patient, action),
    )


# --- The times offered -----------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """One time a patient may choose, with whom."""

    start: datetime
    practitioner_id: int
    practitioner: str
    room_id: int


@dataclass(frozen=True)
class OfferDay:
    day: date
    own: list[Offer]  # with the practitioner the patient has been seeing
    others: list[Offer]  # with another practitioner who may do it


# Offered starts fall on the hour and the half hour: a phone screen of quarter-hours helps
# nobody choose.
OFFER_MINUTES = (0, 30)


def offer_days(
    slots: Sequence[Slot],
    *,
    zone: Any,
    preferred_id: int | None,
    names: dict[int, str],
) -> list[OfferDay]:
    """Free slots as the patient chooses among them: by local day, the preferred
    practitioner's times first, then times when only another practitioner is free."""
    days: dict[date, OfferDay] = {}
    for slot in slots:
        local = slot.start.astimezone(zone)
        if local.minute not in OFFER_MINUTES or not slot.room_ids:
            continue
        own = preferred_id is None or preferred_id in slot.practitioner_ids
        chosen = preferred_id if preferred_id in slot.practitioner_ids else slot.practitioner_ids[0]
        if chosen is None:
            continue
        offer = Offer(slot.start, chosen, names.get(chosen, ""), slot.room_ids[0])
        day = days.setdefault(local.date(), OfferDay(local.date(), [], []))
        (day.own if own else day.others).append(offer)
    return [days[day] for day in sorted(days)]


def practitioner_names(location_id: int) -> dict[int, str]:
    profiles = PractitionerProfile.objects.filter(working_hours__location_id=location_id)
    return {p.pk: str(p) for p in profiles.select_related("user").distinct()}


def earliest_offer(now: datetime) -> datetime:
    """Times offered online start after the late-cancellation limit, so that what a
    patient books online they may also change online; sooner times are for the phone."""
    return now + settings.LATE_CANCEL_WINDOW


def offer_at(days: Sequence[OfferDay], start: datetime, practitioner_id: int) -> Offer | None:
    for day in days:
        for offer in (*day.own, *day.others):
            if offer.start == start and offer.practitioner_id == practitioner_id:
                return offer
    return None


# --- Moving and cancelling one appointment ----------------------------------------------------


def change_refusal(appointment: Appointment, version: int, now: datetime) -> str | None:
    """Why this link can no longer change the appointment (it answers 410), or None."""
    if appointment.patient.erasure_requested:
        return ERASED
    if appointment.version != version:
        return "This appointment has changed since this link was sent. Please use the newest email."
    if appointment.is_cancelled:
        return "This appointment is cancelled."
    if not appointment.is_still_to_come(now):
        return "This appointment can no longer be changed online."
    return None


def change_range(appointment: Appointment, now: datetime) -> tuple[date, date]:
    """The local days a new time may fall on: a plan session's window, otherwise the
    next PATIENT_RESCHEDULE_DAYS days."""
    zone = appointment.location.zone
    first = earliest_offer(now).astimezone(zone).date()
    last = first + timedelta(days=settings.PATIENT_RESCHEDULE_DAYS)
    for _receiver, answer in change_window.send(sender=Appointment, appointment=appointment):
        if answer is not None:
            window_first, window_last = cast(tuple[date, date], answer)
            first, last = max(first, window_first), window_last
    return first, last


def change_offers(appointment: Appointment, now: datetime) -> list[OfferDay]:
    """Free times for the same practitioner, type and length, inside ``change_range``;
    never the time the appointment already has, which would be no move at all."""
    first, last = change_range(appointment, now)
    if first > last:
        return []
    slots = free_slots_in_any_room(
        location=appointment.location,
        practitioner_ids=[appointment.practitioner_id],
        appointment_type=appointment.appointment_type,
        first_day=first,
        last_day=last,
        not_before=earliest_offer(now),
        ignore_appointment_ids=[appointment.pk],
        duration_minutes=int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
    )
    slots = [slot for slot in slots if slot.start != appointment.starts_at]
    names = {appointment.practitioner_id: str(appointment.practitioner)}
    return offer_days(
        slots, zone=appointment.location.zone, preferred_id=appointment.practitioner_id,
        names=names,
    )  # fmt: skip


def _refuse_unless_changeable(appointment: Appointment, version: int, now: datetime) -> None:
    refusal = change_refusal(appointment, version, now)
    if refusal is not None:
        raise ValidationError(refusal)
    if appointment.is_late_to_change(now):
        raise ValidationError("It is too late to change this appointment online: please call us.")


def appointment_move_by_patient(
    *, appointment: Appointment, version: int, start: datetime, now: datetime,
    address: str | None = None,
) -> Appointment:  # fmt: skip
    """Move to one of the offered times, or raise SlotTaken / ValidationError.

    The offer is worked out afresh (a time that is no longer free is "just taken"), then
    the booking service moves the appointment under its locks; a plan session's later
    sessions follow as after any move."""
    _refuse_unless_changeable(appointment, version, now)
    offer = offer_at(change_offers(appointment, now), start, appointment.practitioner_id)
    if offer is None:
        raise booking.SlotTaken
    patient = appointment.patient
    with (
        acting_patient(patient, action="moved an appointment", address=address),
        transaction.atomic(),
    ):
        moved = booking.appointment_move(
                appointment=appointment, start=offer.start, room=Room.objects.get(pk=offer.room_id),
                by=self_service_user(), now=now,
            )  # fmt: skip
        if moved.version != version + 1:  # someone else moved it meanwhile
            raise ValidationError("This appointment has just been changed. Please call us.")
        audit_patient_action(
            moved, patient=appointment.patient, action="moved an appointment", address=address
        )
    return moved


def appointment_cancel_by_patient(
    *, appointment: Appointment, version: int, now: datetime, address: str | None = None
) -> Appointment:
    """Cancel, before the late-cancellation limit; a plan session goes back to proposed."""
    _refuse_unless_changeable(appointment, version, now)
    patient = appointment.patient
    with (
        acting_patient(patient, action="cancelled an appointment", address=address),
        transaction.atomic(),
    ):
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _refuse_unless_changeable(current, version, now)
        cancelled = booking.appointment_cancel(
                appointment=current, reason="Cancelled by the patient from an email link.",
                by=self_service_user(), now=now,
            )  # fmt: skip
        audit_patient_action(
                cancelled, patient=appointment.patient, action="cancelled an appointment",
                address=address,
            )  # fmt: skip
    return cancelled
