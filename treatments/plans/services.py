"""Treatment plans: made from a signed consultation, proposed at once, kept in window.

1. ``plan_create`` checks the patient may have a plan (the latest signed consultation
   allows treatment, the current consent is signed), stores the wishes and proposes
   every session against real availability (``treatments.plans.planning``).
2. The front desk adjusts a proposal (``plan_session_adjust``: the later proposals follow)
   and books them all (``plan_book``: the plan becomes active, screened again first).
3. When a booked session moves or is cancelled, ``plan_follow`` re-proposes the later
   sessions that no longer keep their window and moves their bookings; what cannot be
   kept is written on the session, in plain words.
4. Booking writes the patient's messages in the same transaction: one confirmation for
   all the sessions booked at once (with a calendar file holding each), the preparation email
   when the first session is booked (``treatments.plans.preparation``); booking, pausing or
   cancelling stops a nudge to book that is still waiting (``treatments.plans.nudges``)."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.messaging.appointments import course_confirmation_schedule
from clinic.messaging.services import messages_cancel_pending_by_key
from clinic.scheduling import services as booking
from clinic.scheduling.availability import Slot
from clinic.scheduling.models import Appointment, Location, Room, Weekday
from clinic.scheduling.selectors import free_slots_for, free_slots_in_any_room
from clinic.staff.models import PractitionerProfile
from treatments.consultations.selectors import clearing_consultation
from treatments.consultations.services import has_current_consent
from treatments.models import (
    Consultation,
    CourseLimits,
    Treatment,
    TreatmentArea,
    TreatmentPlan,
)
from treatments.models import TreatmentSession as Session
from treatments.plans.nudges import nudge_prefix
from treatments.plans.planning import PlanWishes, ProposedSession, propose_sessions
from treatments.plans.preparation import preparation_schedule
from treatments.plans.waiting import sessions_leave_waitlist

# How far past the last window the planner looks for free time before giving up.
SEARCH_MARGIN_DAYS = 60


P = TreatmentPlan.Status


ST = Session.Status


def plan_blockers(consultation: Consultation) -> list[str]:
    """Why no plan may be made from this consultation now; empty when one may."""
    reasons = []
    if not consultation.is_signed:
        reasons.append("Sign the consultation first.")
    elif consultation.found_not_suitable:
        reasons.append("The consultation found the patient not suitable: no plan can be made.")
    else:
        try:
            latest = clearing_consultation(consultation.patient)
        except ValidationError as exc:
            reasons.extend(exc.messages)
        else:
            if latest.pk != consultation.pk:
                reasons.append("A newer consultation has been signed: plan from that one.")
            elif any(f.blocks_treatment for f in latest.findings.all()):
                reasons.append("A screening finding needs an override before planning.")
    if not has_current_consent(consultation.patient):
        reasons.append("The patient has not signed the current consent.")
    return reasons


def area_defaults(areas: Sequence[TreatmentArea]) -> dict[str, int]:
    """A plan's defaults from its areas: the most sessions, the longest session, and the
    interval window every area accepts (the latest minimum, the earliest maximum)."""
    return {
        "sessions_planned": max(a.default_sessions for a in areas),
        "session_minutes": max(a.session_minutes for a in areas),
        "min_interval_days": max(a.min_interval_days for a in areas),
        "max_interval_days": max(
            max(a.min_interval_days for a in areas), min(a.max_interval_days for a in areas)
        ),
    }


@transaction.atomic
def plan_create(
    *,
    consultation: Consultation,
    treatment: Treatment,
    areas: Sequence[TreatmentArea],
    location: Location,
    by: User,
    now: datetime,
    sessions_planned: int | None = None,
    min_interval_days: int | None = None,
    max_interval_days: int | None = None,
    session_minutes: int | None = None,
    preferred_practitioner: PractitionerProfile | None = None,
    preferred_weekdays: Sequence[int] = (),
    preferred_time: time | None = None,
    earliest_start: date | None = None,
    notes: str = "",
) -> TreatmentPlan:
    """A draft plan with every session proposed; blank numbers come from the areas."""
    blockers = plan_blockers(consultation)
    if blockers:
        raise ValidationError(blockers)
    if not areas:
        raise ValidationError({"areas": ["Choose at least one area."]})
    if any(a.treatment_id != treatment.pk or not a.is_active for a in areas):
        raise ValidationError({"areas": ["Choose areas offered for this treatment."]})
    defaults = area_defaults(areas)
    today = now.astimezone(location.zone).date()
    plan = TreatmentPlan(
        patient=consultation.patient,
        consultation=consultation,
        treatment=treatment,
        location=location,
        sessions_planned=sessions_planned or defaults["sessions_planned"],
        min_interval_days=min_interval_days or defaults["min_interval_days"],
        max_interval_days=max_interval_days or defaults["max_interval_days"],
        session_minutes=session_minutes or defaults["session_minutes"],
        preferred_practitioner=preferred_practitioner,
        preferred_weekdays=sorted(set(preferred_weekdays)),
        preferred_time=preferred_time,
        earliest_start=max(earliest_start or consultation.intended_treatment_date, today),
        notes=notes.strip(),
        created_by=by,
    )
    _validate_numbers(plan)
    plan.full_clean()
    plan.save()
    plan.areas.set(areas)
    for number in range(1, plan.sessions_planned + 1):  # one by one: the audit log sees each
        Session.objects.create(plan=plan, number=number)
    _propose_from(plan, 1, now=now)
    return plan


def _validate_numbers(plan: TreatmentPlan) -> None:
    errors: dict[str, list[str]] = {}
    if not CourseLimits.sessions_ok(plan.sessions_planned):
        errors["sessions_planned"] = [CourseLimits.SESSIONS_TEXT]
    if plan.min_interval_days < CourseLimits.MIN_INTERVAL_DAYS:
        errors["min_interval_days"] = ["Sessions are at least a day apart."]
    if plan.max_interval_days < plan.min_interval_days:
        errors["max_interval_days"] = ["The longest interval cannot be shorter than the shortest."]
    if not CourseLimits.session_minutes_ok(plan.session_minutes):
        errors["session_minutes"] = [CourseLimits.SESSION_MINUTES_TEXT]
    if any(not isinstance(d, int) or d not in Weekday.values for d in plan.preferred_weekdays):
        errors["preferred_weekdays"] = ["Choose weekdays from the list."]
    if errors:
        raise ValidationError(errors)


def _wishes(plan: TreatmentPlan) -> PlanWishes:
    return PlanWishes(
        sessions=plan.sessions_planned,
        earliest=plan.earliest_start,
        min_gap_days=plan.min_interval_days,
        max_gap_days=plan.max_interval_days,
        time_zone=plan.location.zone,
        practitioner_id=plan.preferred_practitioner_id,
        preferred_time=plan.preferred_time,
        weekdays=frozenset(plan.preferred_weekdays),
    )


def _as_slot(session: Session) -> Slot:
    """A session that has a time, as the planner sees it: fixed."""
    if session.appointment is not None:
        a = session.appointment
        return Slot(a.starts_at, a.ends_at, (a.practitioner_id,), (a.room_id,))
    if session.proposed_start is None:
        raise ValidationError(f"Session {session.number} has no time yet: give it one first.")
    end = session.proposed_start + timedelta(minutes=session.plan.session_minutes)
    practitioner = session.proposed_practitioner_id or 0
    return Slot(session.proposed_start, end, (practitioner,), (session.proposed_room_id or 0,))


def _slots(
    plan: TreatmentPlan,
    first_day: date,
    sessions_left: int,
    *,
    now: datetime,
    practitioner_ids: Sequence[int] | None = None,
    ignore: Sequence[int] = (),
) -> list[Slot]:
    last_day = first_day + timedelta(
        days=sessions_left * plan.max_interval_days + SEARCH_MARGIN_DAYS
    )
    fields: dict[str, Any] = {
        "location": plan.location,
        "appointment_type": plan.treatment.appointment_type,
        "first_day": first_day,
        "last_day": last_day,
        "not_before": now,
        "ignore_appointment_ids": ignore,
        "duration_minutes": plan.session_minutes,
    }
    if practitioner_ids is not None:
        # A session needs one room: the practitioner's own are read first, and the
        # others only where those are taken.
        return free_slots_in_any_room(practitioner_ids=practitioner_ids, **fields)
    return free_slots_for(**fields)


def _sessions(plan: TreatmentPlan) -> list[Session]:
    return list(
        plan.sessions.select_related(
            "appointment", "plan__location", "proposed_practitioner__user", "proposed_room"
        )
        .select_for_update(of=("self",))
        .order_by("number")
    )


def _propose_from(plan: TreatmentPlan, number: int, *, now: datetime) -> None:
    """Propose sessions ``number`` onwards (all unbooked) after the ones before them."""
    sessions = _sessions(plan)
    fixed = [_as_slot(s) for s in sessions[: number - 1]]
    later = sessions[number - 1 :]
    first_day = plan.earliest_start
    if fixed:
        first_day = fixed[-1].start.astimezone(plan.location.zone).date()
    slots = _slots(plan, first_day, len(later), now=now)
    proposals = propose_sessions(_wishes(plan), slots, booked=fixed)
    _store(later, proposals)


def _store(sessions: Sequence[Session], proposals: Sequence[ProposedSession]) -> None:
    by_number = {p.number: p for p in proposals}
    for session in sessions:
        proposal = by_number.get(session.number)
        if proposal is None:
            session.proposed_start = None
            session.proposed_practitioner_id = None
            session.proposed_room_id = None
            session.window_first = session.window_last = None
            session.problem = (
                "No free time was found for this session: choose a time by hand or try "
                "another practitioner."
            )
        else:
            session.proposed_start = proposal.start
            session.proposed_practitioner_id = proposal.practitioner_id
            session.proposed_room_id = proposal.room_id
            session.window_first, session.window_last = proposal.window or (None, None)
            session.problem = proposal.problem
        session.save(
            update_fields=[
                "proposed_start", "proposed_practitioner", "proposed_room",
                "window_first", "window_last", "problem",
            ]
        )  # fmt: skip


def _require_plan(plan: TreatmentPlan, allowed: tuple[str, ...], action: str) -> TreatmentPlan:
    # Only the plan's row is locked: the location, type and patient are read, not held.
    current = TreatmentPlan.objects.select_for_update(of=("self",)).select_related(
        "location", "treatment__appointment_type", "consultation__patient"
    ).get(pk=plan.pk)  # fmt: skip
    if current.status not in allowed:
        state = current.get_status_display().lower()
        raise ValidationError(f"This plan is {state}: it cannot be {action}.")
    return current


@transaction.atomic
def plan_session_adjust(
    *,
    session: Session,
    start: datetime,
    by: User,
    now: datetime,
    practitioner: PractitionerProfile | None = None,
    room: Room | None = None,
) -> Session:
    """Change a proposed (not yet booked) session's time; the later proposals follow.

    The time must be free for the practitioner and a room: the same free slots the
    planner uses decide.
    """
    plan = _require_plan(session.plan, TreatmentPlan.CHANGEABLE, "changed")
    current = Session.objects.select_for_update().get(pk=session.pk)
    if not current.is_proposed:
        raise ValidationError("This session is booked: move its appointment instead.")
    zone = plan.location.zone
    day = start.astimezone(zone).date()
    practitioner_id = (
        practitioner.pk
        if practitioner
        else current.proposed_practitioner_id or plan.preferred_practitioner_id
    )
    slots = [
        s
        for s in _slots(plan, day, 0, now=now)
        if s.start == start and (practitioner_id is None or practitioner_id in s.practitioner_ids)
    ]
    slots = [s for s in slots if room is None or room.pk in s.room_ids]
    if not slots:
        raise ValidationError(
            {"start_time": ["That time is not free (hours, leave or another booking)."]}
        )
    current.proposed_start = start
    current.proposed_practitioner_id = practitioner_id or slots[0].practitioner_ids[0]
    current.proposed_room_id = room.pk if room else slots[0].room_ids[0]
    current.problem = _window_problem(current, plan)
    current.save(
        update_fields=["proposed_start", "proposed_practitioner", "proposed_room", "problem"]
    )
    _follow(plan, current.number, by=by, now=now)
    return current


def _window_problem(session: Session, plan: TreatmentPlan) -> str:
    if session.window_first is None or session.window_last is None or session.start is None:
        return ""
    day = session.start.astimezone(plan.location.zone).date()
    if session.window_first <= day <= session.window_last:
        return ""
    return (
        f"Outside the {plan.min_interval_days}-to-{plan.max_interval_days}-day window "
        f"({session.window_first:%d %b} to {session.window_last:%d %b %Y})."
    )


def plan_book(*, plan: TreatmentPlan, by: User, now: datetime) -> TreatmentPlan:
    """Book every proposed session and make the plan active, or book none.

    The patient is screened again first (the consultation still allows treatment and the
    current consent is signed). If a proposed time was taken meanwhile, nothing is
    booked; the proposals from there on are made afresh (and kept) and the error says so.
    """
    failure: list[str] = []
    with transaction.atomic():
        current = _require_plan(plan, TreatmentPlan.BOOKABLE, "booked")
        blockers = plan_blockers(current.consultation)
        if blockers:
            raise ValidationError(blockers)
        proposed = [s for s in _sessions(current) if s.is_proposed]
        if not proposed:
            raise ValidationError("Every session of this plan is already booked.")
        try:
            with transaction.atomic():
                appointments = [_book_session(current, s, by, now) for s in proposed]
                course_confirmation_schedule(appointments=appointments, now=now)
        except booking.SlotTaken:
            failure = ["A proposed time was just taken, so nothing was booked."]
        except ValidationError as exc:
            failure = [*exc.messages, "Nothing was booked."]
        if failure:
            _propose_from(current, proposed[0].number, now=now)
        else:
            _after_booking(current, proposed, now=now)
    if failure:
        raise ValidationError(
            [*failure, "New times are proposed from that session on: check them and book again."]
        )
    return current


def _book_session(plan: TreatmentPlan, session: Session, by: User, now: datetime) -> Appointment:
    """Book one proposed session; the course's confirmation is the caller's to write."""
    practitioner, room = session.proposed_practitioner, session.proposed_room
    if session.proposed_start is None or practitioner is None or room is None:
        raise ValidationError(f"Session {session.number} has no time yet: give it one first.")
    appointment = booking.appointment_book(
        patient=plan.patient,
        practitioner=practitioner,
        room=room,
        appointment_type=plan.treatment.appointment_type,
        start=session.proposed_start,
        duration_minutes=plan.session_minutes,
        by=by,
        now=now,
        confirm_alone=False,
    )
    session.appointment = appointment
    session.status = ST.BOOKED
    session.save(update_fields=["appointment", "status"])
    sessions_leave_waitlist(session_ids=[session.pk], reason="The session is booked.", now=now)
    return appointment


def _after_booking(plan: TreatmentPlan, booked: Sequence[Session], *, now: datetime) -> None:
    """Every proposed session is booked: the plan is active, the preparation email is on
    its way if the first session was among them, and no nudge to book is wanted."""
    if plan.is_draft:
        plan.status = P.ACTIVE
        plan.activated_at = now
        plan.save(update_fields=["status", "activated_at", "updated_at"])
    if booked[0].number == 1:
        preparation_schedule(session=booked[0], now=now)
    _stop_nudges(plan, "The session has been booked.")


def _stop_nudges(plan: TreatmentPlan, reason: str) -> None:
    """A nudge to book, still waiting, is wrong once the plan is booked, paused or over."""
    messages_cancel_pending_by_key(prefix=nudge_prefix(plan.pk), reason=reason)


def _follow(plan: TreatmentPlan, number: int, *, by: User, now: datetime) -> list[Session]:
    """Keep the sessions after ``number`` in their windows; return those that changed.

    Walking forward from session ``number``: a later session whose time still falls in
    its window (counted from the one before) stays; one that does not gets the best time
    in its window (for a booked one, with the same practitioner, and its appointment is
    moved there); one that cannot be kept says so in ``problem``.
    """
    sessions = _sessions(plan)
    zone = plan.location.zone
    changed = []
    for index in range(number, len(sessions)):
        session, previous = sessions[index], sessions[index - 1]
        if session.status in Session.KEEPS_ITS_TIME:
            continue
        if previous.start is None:
            break
        previous_day = previous.start.astimezone(zone).date()
        session.window_first = previous_day + timedelta(days=plan.min_interval_days)
        session.window_last = previous_day + timedelta(days=plan.max_interval_days)
        problem = _window_problem(session, plan) if session.start else "no time"
        if not problem:
            session.problem = ""
            session.save(update_fields=["window_first", "window_last", "problem"])
            continue
        _repropose(plan, sessions, index, by=by, now=now)
        changed.append(session)
    return changed


def _repropose(
    plan: TreatmentPlan, sessions: list[Session], index: int, *, by: User, now: datetime
) -> None:
    session = sessions[index]
    fixed = [_as_slot(s) for s in sessions[:index]]
    first_day = fixed[-1].start.astimezone(plan.location.zone).date()
    appointment = session.appointment
    wishes = _wishes(plan)
    practitioner_ids = None
    if appointment is not None:
        practitioner_ids = [appointment.practitioner_id]
        wishes = replace(wishes, practitioner_id=appointment.practitioner_id)
    later_ids = [s.appointment_id for s in sessions[index:] if s.appointment_id is not None]
    slots = _slots(plan, first_day, 1, now=now, practitioner_ids=practitioner_ids, ignore=later_ids)
    wishes = replace(wishes, sessions=session.number)
    proposals = propose_sessions(wishes, slots, booked=fixed)
    if appointment is None:
        _store([session], proposals)
        return
    if not proposals:
        session.problem = "No free time was found to keep the window: move it by hand."
        session.save(update_fields=["window_first", "window_last", "problem"])
        return
    proposal = proposals[0]
    try:
        moved = booking.appointment_move(
            appointment=appointment,
            start=proposal.start,
            room=Room.objects.get(pk=proposal.room_id),
            by=by,
            by_plan=True,
        )
    except (booking.SlotTaken, ValidationError) as exc:
        message = exc.message if isinstance(exc, booking.SlotTaken) else " ".join(exc.messages)
        session.problem = f"Could not be moved to keep the window: {message}"
    else:
        session.appointment = moved
        session.problem = proposal.problem
    session.save(update_fields=["window_first", "window_last", "problem"])


def _followed(appointment: Appointment) -> tuple[Session, TreatmentPlan] | None:
    """The plan session an appointment belongs to, with its plan locked; None when no
    open plan owns it."""
    session = Session.objects.select_related("plan").filter(appointment=appointment).first()
    if session is None or not session.plan.is_open:
        return None
    return session, _require_plan(session.plan, TreatmentPlan.CHANGEABLE, "changed")


def plan_follow_move(*, appointment: Appointment, by: User, now: datetime) -> list[Session]:
    """After a plan session's appointment moved: keep the later sessions in window."""
    followed = _followed(appointment)
    if followed is None:
        return []
    session, plan = followed
    session.appointment = appointment
    session.problem = _window_problem(session, plan)  # moved by hand: say if out of window
    session.save(update_fields=["problem"])
    return _follow(plan, session.number, by=by, now=now)


def plan_follow_cancel(*, appointment: Appointment, by: User, now: datetime) -> list[Session]:
    """After a plan session's appointment was cancelled: the session needs a new time.

    It goes back to proposed with the best time in its window, and the later sessions
    follow as after a move.
    """
    followed = _followed(appointment)
    if followed is None:
        return []
    session, plan = followed
    session.appointment = None
    session.status = ST.PROPOSED
    session.save(update_fields=["appointment", "status"])
    if session.number == 1:
        _repropose_first(plan, now)
        return _follow(plan, 1, by=by, now=now)
    return _follow(plan, session.number - 1, by=by, now=now)


def _repropose_first(plan: TreatmentPlan, now: datetime) -> None:
    sessions = _sessions(plan)
    slots = _slots(plan, plan.earliest_start, 1, now=now)
    wishes = replace(_wishes(plan), sessions=1)
    _store(sessions[:1], propose_sessions(wishes, slots))


def on_appointment_moved(
    sender: Any, appointment: Appointment, by: User, by_plan: bool = False, **kwargs: Any
) -> None:
    if by_plan:
        return  # the plan moved its own session: it is following already
    plan_follow_move(appointment=appointment, by=by, now=timezone.now())


def on_appointment_cancelled(
    sender: Any, appointment: Appointment, by: User, by_plan: bool = False, **kwargs: Any
) -> None:
    if by_plan:
        return  # the plan cancelled its own session: nothing to re-propose
    plan_follow_cancel(appointment=appointment, by=by, now=timezone.now())


@transaction.atomic
def plan_pause(*, plan: TreatmentPlan) -> TreatmentPlan:
    """Pause an active plan: its booked sessions stay; nothing new is proposed or booked."""
    current = _require_plan(plan, TreatmentPlan.PAUSABLE, "paused")
    current.status = P.PAUSED
    current.save(update_fields=["status", "updated_at"])
    _stop_nudges(current, "The treatment plan was paused.")
    sessions_leave_waitlist(
        session_ids=[s.pk for s in _sessions(current)],
        reason="The treatment plan was paused.",
        now=timezone.now(),
    )
    return current


@transaction.atomic
def plan_resume(*, plan: TreatmentPlan, now: datetime) -> TreatmentPlan:
    """Resume a paused plan; sessions without a booking are proposed afresh from today."""
    current = _require_plan(plan, TreatmentPlan.RESUMABLE, "resumed")
    current.status = P.ACTIVE
    current.save(update_fields=["status", "updated_at"])
    sessions = _sessions(current)
    unbooked = [s for s in sessions if s.is_proposed]
    if unbooked:
        _propose_from(current, unbooked[0].number, now=now)
    return current


@transaction.atomic
def plan_cancel(*, plan: TreatmentPlan, reason: str, by: User, now: datetime) -> TreatmentPlan:
    """Cancel the plan: its sessions still to come are cancelled, bookings included."""
    current = _require_plan(plan, TreatmentPlan.CANCELLABLE, "cancelled")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the plan is cancelled."]})
    for session in _sessions(current):
        if session.status not in Session.CANCELLABLE:
            continue
        if session.appointment is not None:
            booking.appointment_cancel(
                appointment=session.appointment,
                reason=f"Treatment plan cancelled: {reason.strip()}",
                by=by,
                now=now,
                by_plan=True,  # the plan's own cancellations need no re-proposal
            )
        session.status = ST.CANCELLED
        session.save(update_fields=["status"])
    current.status = P.CANCELLED
    current.cancellation_reason = reason.strip()
    current.save(update_fields=["status", "cancellation_reason", "updated_at"])
    _stop_nudges(current, "The treatment plan was cancelled.")
    sessions_leave_waitlist(
        session_ids=[s.pk for s in _sessions(current)],
        reason="The treatment plan was cancelled.",
        now=now,
    )
    return current
