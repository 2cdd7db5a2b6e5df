"""A patient books the next session of their course from the link in an email.

The nudge and the aftercare email carry the link (``clinic.messaging.links``); the page
offers the free times inside the session's interval window, at the plan's location, the
plan's practitioner first, and books one through the same race-safe booking service the
front desk uses. The confirmation and reminders follow from the booking as always, and
check-in screening still comes on the day.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.messaging import self_service
from clinic.messaging.self_service import OfferDay
from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment, Room
from clinic.scheduling.selectors import free_slots_for
from clinic.staff.models import PractitionerProfile
from treatments.models import TreatmentPlan
from treatments.models import TreatmentSession as Session
from treatments.plans.nudges import Window
from treatments.plans.services import _follow, _require_plan, _stop_nudges, plan_blockers
from treatments.plans.waiting import sessions_leave_waitlist

ST = Session.Status


def booking_refusal(session: Session) -> str | None:
    """Why this session cannot be booked from a link (the page answers 410), or None."""
    if session.plan.patient.erasure_requested:
        return self_service.ERASED
    if not session.plan.patient_may_book:
        return "Your course is on hold or finished, so this session cannot be booked online."
    if not session.is_proposed:
        return "This session is already booked. Your confirmation email has the time."
    return None


def booking_window(session: Session) -> Window | None:
    """The session's interval window at the location: as stored, or counted from the
    previous session; None when there is nothing to count from."""
    plan = session.plan
    if session.window_first is not None and session.window_last is not None:
        return Window(session.window_first, session.window_last)
    previous = (
        Session.objects.filter(plan=plan, number=session.number - 1)
        .select_related("appointment")
        .first()
    )
    if previous is None or previous.appointment is None:
        return None
    previous_day = previous.appointment.starts_at.astimezone(plan.location.zone).date()
    return Window(
        previous_day + timedelta(days=plan.min_interval_days),
        previous_day + timedelta(days=plan.max_interval_days),
    )


def _days(window: Window, now: datetime, plan: TreatmentPlan) -> tuple[date, date]:
    first = self_service.earliest_offer(now).astimezone(plan.location.zone).date()
    return max(first, window.first), window.last


def booking_offers(session: Session, now: datetime) -> list[OfferDay]:
    """The free times inside the window, by day, the plan's practitioner first, then the
    others who work at the location."""
    plan = session.plan
    window = booking_window(session)
    if window is None:
        return []
    first, last = _days(window, now, plan)
    if first > last:
        return []
    slots = free_slots_for(
        location=plan.location,
        appointment_type=plan.treatment.appointment_type,
        first_day=first,
        last_day=last,
        not_before=self_service.earliest_offer(now),
        duration_minutes=plan.session_minutes,
    )
    return self_service.offer_days(
        slots,
        zone=plan.location.zone,
        preferred_id=plan.preferred_practitioner_id,
        names=self_service.practitioner_names(plan.location_id),
    )


def plan_session_book_by_patient(
    *, session: Session, start: datetime, practitioner_id: int, now: datetime,
    address: str | None = None,
) -> Appointment:  # fmt: skip
    """Book one offered time for a proposed session, or raise SlotTaken (the time was
    taken meanwhile; nothing is written) or ValidationError.

    1. Lock the plan and the session; the plan must be under way and the session still
       proposed; the patient must still be cleared (as when the front desk books).
    2. Work the offers out afresh: a time no longer offered is "just taken".
    3. Book through ``appointment_book`` (its locks decide a race), mark the session
       booked, stop the nudge and keep the later sessions in their windows.
    """
    patient = session.plan.patient
    by = self_service.self_service_user()
    with (
        self_service.acting_patient(patient, action="booked a session", address=address),
        transaction.atomic(),
    ):
        plan = _require_plan(session.plan, TreatmentPlan.SELF_BOOKABLE, "booked online")
        current = Session.objects.select_for_update().select_related("plan").get(pk=session.pk)
        current.plan = plan
        refusal = booking_refusal(current)
        if refusal is not None:
            raise ValidationError(refusal)
        if plan_blockers(plan.consultation):
            raise ValidationError("Please call the clinic to book this session.")
        offer = self_service.offer_at(booking_offers(current, now), start, practitioner_id)
        if offer is None:
            raise booking.SlotTaken
        appointment = _book(plan, current, offer, by=by, now=now)
        self_service.audit_patient_action(
            current, patient=patient, action="booked a session", address=address
        )
    return appointment


def _book(
    plan: TreatmentPlan, session: Session, offer: self_service.Offer, *, by: Any, now: datetime,
    held_slot_id: int | None = None, keep_entry_id: int | None = None,
) -> Appointment:  # fmt: skip
    """Book the session into the offered time; a waitlist entry for it is let go (but
    ``keep_entry_id``, the entry whose offer books it)."""
    appointment = booking.appointment_book(
        patient=plan.patient,
        practitioner=PractitionerProfile.objects.get(pk=offer.practitioner_id),
        room=Room.objects.get(pk=offer.room_id),
        appointment_type=plan.treatment.appointment_type,
        start=offer.start,
        duration_minutes=plan.session_minutes,
        by=by,
        now=now,
        held_slot_id=held_slot_id,
    )
    session.appointment = appointment
    session.status = ST.BOOKED
    session.proposed_start = offer.start
    session.proposed_practitioner_id = offer.practitioner_id
    session.proposed_room_id = offer.room_id
    session.problem = ""
    session.save(
        update_fields=[
            "appointment", "status", "proposed_start", "proposed_practitioner",
            "proposed_room", "problem",
        ]
    )  # fmt: skip
    _stop_nudges(plan, "The patient booked the session.")
    sessions_leave_waitlist(
        session_ids=[session.pk], reason="The session is booked.", now=now,
        keep_entry_id=keep_entry_id,
    )  # fmt: skip
    _follow(plan, session.number, by=by, now=now)
    return appointment


def change_window(sender: Any, appointment: Appointment, **kwargs: Any) -> tuple[date, date] | None:
    """A plan session's appointment moves only inside its window (``change_window``)."""
    session = (
        Session.objects.select_related("plan__location")
        .filter(appointment=appointment, plan__status__in=TreatmentPlan.OPEN)
        .first()
    )
    if session is None:
        return None
    window = booking_window(session)
    return (window.first, window.last) if window is not None else None
