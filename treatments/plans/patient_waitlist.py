"""A patient who finds no time to book a plan session joins the waitlist from the same
page, and leaves it there; an offer they accept books that session.

The entry is the plan's location, the session's treatment and length, the plan's
practitioner or any, and the session's window from the first day a patient may book
online. Its ``purpose`` names the session (waiting.py), so that accepting a freed time
books the session through the plan's own booking (``plan_session_book_from_waitlist``)
and the session is booked, not a loose appointment.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.messaging import self_service
from clinic.scheduling.models import Appointment, FreedSlot, WaitlistEntry
from clinic.scheduling.waitlist import waitlist_add, waitlist_remove
from treatments.models import TreatmentPlan
from treatments.models import TreatmentSession as Session
from treatments.plans import waiting
from treatments.plans.patient_booking import _book, _days, booking_refusal, booking_window
from treatments.plans.services import _require_plan, plan_blockers

CALL_US = "Please call the clinic and we will look for a time with you."


def may_join(session: Session) -> bool:
    """The clinic can write to the patient when a time comes free."""
    return session.plan.patient.may_be_emailed


def session_waitlist_join(
    *, session: Session, any_practitioner: bool, now: datetime, address: str | None = None
) -> WaitlistEntry:
    """Put the session on the waitlist, for its window from the first day a patient may
    book online, with the plan's practitioner or any; or ValidationError (already on the
    list, the window over, a patient the clinic cannot email, a session not bookable)."""
    patient = session.plan.patient
    with (
        self_service.acting_patient(patient, action="joined the waitlist", address=address),
        transaction.atomic(),
    ):
        current = (
            Session.objects.select_for_update(of=("self",))
            .select_related("plan__patient", "plan__location", "plan__treatment__appointment_type")
            .get(pk=session.pk)
        )
        plan = current.plan
        refusal = booking_refusal(current)
        if refusal is not None:
            raise ValidationError(refusal)
        if not plan.patient.may_be_emailed:
            raise ValidationError(CALL_US)
        already = waiting.waiting_for(current.pk)
        if already is not None:
            raise ValidationError(f"You are already on the list until {already.latest:%A %-d %B}.")
        window = booking_window(current)
        if window is None:
            raise ValidationError(CALL_US)
        first, last = _days(window, now, plan)
        if first > last:
            raise ValidationError(f"The days for this session are over. {CALL_US}")
        entry = waitlist_add(
            patient=plan.patient,
            location=plan.location,
            appointment_type=plan.treatment.appointment_type,
            practitioner=None if any_practitioner else plan.preferred_practitioner,
            earliest=first,
            latest=last,
            today=now.astimezone(plan.location.zone).date(),
            by=None,
            purpose=waiting.session_purpose(current.pk),
            purpose_label=(
                f"Session {current.number} of {plan.sessions_planned}: {plan.treatment.name}"
            ),
            duration_minutes=plan.session_minutes,
        )
        self_service.audit_patient_action(
            current, patient=patient, action="joined the waitlist", address=address
        )
    return entry


def session_waitlist_leave(
    *, session: Session, now: datetime, address: str | None = None
) -> WaitlistEntry:
    """Take the session off the waitlist; a time it held goes to the next patient."""
    patient = session.plan.patient
    entry = waiting.waiting_for(session.pk)
    if entry is None:
        raise ValidationError("You are not on the waitlist for this session.")
    with (
        self_service.acting_patient(patient, action="left the waitlist", address=address),
        transaction.atomic(),
    ):
        left = waitlist_remove(entry=entry, reason="The patient left the list online.", now=now)
        self_service.audit_patient_action(
            session, patient=patient, action="left the waitlist", address=address
        )
    return left


def plan_session_book_from_waitlist(
    *, session_id: int, entry: WaitlistEntry, slot: FreedSlot, now: datetime, by: Any
) -> Appointment:
    """Book a freed time the patient accepted for their plan session, or raise SlotTaken
    or ValidationError (inside a savepoint: a refusal leaves nothing written).

    1. Lock the plan and the session: the plan under way, the session still proposed,
       the patient still cleared (as when they book from the page).
    2. The freed time must fall inside the session's window and be long enough.
    3. Book it as the page books an offered time (``_book``), the hold being theirs.
    """
    with transaction.atomic():
        found = Session.objects.select_related("plan").filter(pk=session_id).first()
        if found is None:
            raise ValidationError("This session no longer exists. Please call us.")
        plan = _require_plan(found.plan, TreatmentPlan.SELF_BOOKABLE, "booked online")
        current = Session.objects.select_for_update().get(pk=session_id)
        current.plan = plan
        refusal = booking_refusal(current)
        if refusal is not None:
            raise ValidationError(refusal)
        if plan_blockers(plan.consultation):
            raise ValidationError("Please call the clinic to book this session.")
        window = booking_window(current)
        day = slot.starts_at.astimezone(plan.location.zone).date()
        if window is None or not window.first <= day <= window.last:
            raise ValidationError("This time is outside the days for your session.")
        if slot.minutes < plan.session_minutes:
            raise ValidationError("This time is too short for your session.")
        offer = self_service.Offer(slot.starts_at, slot.practitioner_id, "", slot.room_id)
        return _book(
            plan, current, offer, by=by, now=now, held_slot_id=slot.pk, keep_entry_id=entry.pk
        )


def on_waitlist_accepting(sender: Any, entry: WaitlistEntry, **kwargs: Any) -> None:
    """``waitlist_accepting``: lock the plan of the session an entry waits for, before the
    acceptance locks the freed time. A plan's pause, cancellation and booking lock the plan
    and then the freed times of its sessions' offers (``sessions_leave_waitlist``); taking
    the plan first here too is the one order, and the simplest: the waitlist's own locks
    keep their order (the freed time, then the offer, then the entry) inside it."""
    session_id = waiting.session_of(entry.purpose)
    if session_id is None:
        return
    plan_ids = Session.objects.filter(pk=session_id).values("plan_id")
    list(TreatmentPlan.objects.select_for_update().filter(pk__in=plan_ids).values_list("pk"))


def on_waitlist_booking(
    sender: Any, entry: WaitlistEntry, slot: FreedSlot, now: datetime, by: Any, **kwargs: Any
) -> Appointment | None:
    """``waitlist_booking``: book the plan session an entry waits for; None for others."""
    session_id = waiting.session_of(entry.purpose)
    if session_id is None:
        return None
    return plan_session_book_from_waitlist(
        session_id=session_id, entry=entry, slot=slot, now=now, by=by
    )
