"""Booking: the one way an appointment is made, safe against two people at once."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic.scheduling.models import (
    LONGEST_APPOINTMENT_MINUTES,
    SHORTEST_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentType,
    Closure,
    FreedSlot,
    Leave,
    Location,
    OpeningHours,
    Room,
    WaitlistOffer,
    WorkingHours,
    in_force_on,
    outside_horizon,
)
from clinic.scheduling.signals import (
    appointment_booked,
    appointment_cancelled,
    appointment_moved,
    appointment_no_show,
)
from clinic.staff.models import PractitionerProfile
from patients.models import Patient

# PostgreSQL's codes for a violated exclusion constraint and for a deadlock: both mean
# another booking won the race.
EXCLUSION_VIOLATION = "23P01"
DEADLOCK_DETECTED = "40P01"


class SlotTaken(Exception):
    """Someone else booked that practitioner or room for that time a moment ago."""

    message = "That slot was just taken. Choose another time."


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


@contextmanager
def _lost_race_is_slot_taken() -> Iterator[None]:
    """Answer SlotTaken when the database refuses a write because another booking won:
    the exclusion constraint caught a clash the check missed, or two lockers deadlocked.
    Enter it outside the transaction, so that the transaction is rolled back first."""
    try:
        yield
    except DatabaseError as exc:
        if _sqlstate(exc) in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED):
            raise SlotTaken from exc
        raise


def _check_hours(
    *, location_id: int, practitioner: PractitionerProfile, start: datetime, end: datetime
) -> None:
    """Inside the location's opening hours and the practitioner's, not on a closure or leave."""
    location = Location.objects.get(pk=location_id)
    zone = location.zone
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.date()
    if local_end.date() != day:
        raise ValidationError("An appointment must start and end on the same day.")
    weekday = day.weekday()
    if Closure.objects.filter(location=location, first_day__lte=day, last_day__gte=day).exists():
        raise ValidationError(f"The clinic is closed on {day:%A %d %B}.")
    inside = OpeningHours.objects.filter(
        in_force_on(day),
        location=location,
        weekday=weekday,
        opens__lte=local_start.time(),
        closes__gte=local_end.time(),
    ).exists()
    if not inside:
        raise ValidationError("That time is outside the clinic's opening hours.")
    working = WorkingHours.objects.filter(
        in_force_on(day),
        practitioner=practitioner,
        location=location,
        weekday=weekday,
        starts__lte=local_start.time(),
        ends__gte=local_end.time(),
    ).exists()
    if not working:
        raise ValidationError(f"{practitioner} does not work at that time.")
    if Leave.objects.filter(
        practitioner=practitioner, starts_at__lt=end, ends_at__gt=start
    ).exists():
        raise ValidationError(f"{practitioner} is away at that time.")


def _blocked(
    appointment_type: AppointmentType, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    return (
        start - timedelta(minutes=appointment_type.buffer_before_minutes),
        end + timedelta(minutes=appointment_type.buffer_after_minutes),
    )


def _clashes(
    *, practitioner: PractitionerProfile, room: Room, start: datetime, end: datetime,
    appointment_type: AppointmentType, exclude_pk: int | None = None,
) -> bool:  # fmt: skip
    """An active appointment of the practitioner or room whose blocked time, buffers
    included, overlaps this one's."""
    blocked_from, blocked_until = _blocked(appointment_type, start, end)
    clashes = Appointment.objects.filter(
        Q(practitioner=practitioner) | Q(room=room),
        status__in=Appointment.ACTIVE,
        blocked_from__lt=blocked_until,
        blocked_until__gt=blocked_from,
    )
    if exclude_pk is not None:
        clashes = clashes.exclude(pk=exclude_pk)
    return clashes.exists()


def _check_not_held(
    *, practitioner: PractitionerProfile, room: Room, start: datetime, end: datetime,
    now: datetime | None, held_slot_id: int | None,
) -> None:  # fmt: skip
    """Refuse a time the waitlist holds for a patient (an offer's hold still running),
    unless this booking is that patient's taking it (``held_slot_id``)."""
    overlapping = FreedSlot.held(now or timezone.now()).filter(
        Q(practitioner=practitioner) | Q(room=room), starts_at__lt=end, ends_at__gt=start
    )
    if held_slot_id is not None:
        overlapping = overlapping.exclude(pk=held_slot_id)
    held = overlapping.select_related("location").order_by("ends_at").last()
    if held is not None:
        pending = held.offers.filter(status=WaitlistOffer.Status.PENDING)
        offer = pending.order_by("expires_at").last()
        until = f" until {offer.expires_at.astimezone(held.location.zone):%H:%M}" if offer else ""
        raise ValidationError(
            f"That time is held for a patient on the waitlist{until}. Please choose another "
            "time, or take the patient off the waitlist first."
        )


def _check_free(
    *, practitioner: PractitionerProfile, room: Room, start: datetime, end: datetime,
    appointment_type: AppointmentType, exclude_pk: int | None = None,
    now: datetime | None = None, held_slot_id: int | None = None,
) -> None:  # fmt: skip
    """Inside the hours, free of clashes and not held for a waiting patient, or
    ValidationError / SlotTaken. Called under the practitioner's and the room's locks, so
    that the answer still holds at the write."""
    _check_hours(location_id=room.location_id, practitioner=practitioner, start=start, end=end)
    if _clashes(
        practitioner=practitioner, room=room, start=start, end=end,
        appointment_type=appointment_type, exclude_pk=exclude_pk,
    ):  # fmt: skip
        raise SlotTaken
    _check_not_held(
        practitioner=practitioner, room=room, start=start, end=end, now=now,
        held_slot_id=held_slot_id,
    )  # fmt: skip


def _check_not_past(start: datetime, now: datetime | None) -> None:
    """Refuse a start that has gone (beyond a walk-in's grace) or is past the horizon.
    ``now`` is the caller's clock; the pages always give it, and a plan gives the time
    it books at. Without it (the demo's history) the time is not judged."""
    if now is None:
        return
    if start < Appointment.earliest_start(now):
        raise ValidationError("That time has passed: choose a time from now on.")
    problem = outside_horizon(start.date(), now.date())
    if problem is not None:
        raise ValidationError(problem)


def _booking_minutes(
    *, appointment_type: AppointmentType, start: datetime, duration_minutes: int | None
) -> int:
    """How long the new appointment lasts, once the request itself makes sense."""
    if start.tzinfo is None:
        raise ValidationError("The start time must carry its time zone.")
    if not appointment_type.is_active:
        raise ValidationError("That appointment type is no longer offered.")
    minutes = duration_minutes or appointment_type.duration_minutes
    if not SHORTEST_APPOINTMENT_MINUTES <= minutes <= LONGEST_APPOINTMENT_MINUTES:
        raise ValidationError(
            f"An appointment lasts between {SHORTEST_APPOINTMENT_MINUTES} minutes and "
            f"{LONGEST_APPOINTMENT_MINUTES // 60} hours."
        )
    return minutes


def appointment_book(
    *,
    patient: Patient,
    practitioner: PractitionerProfile,
    room: Room,
    appointment_type: AppointmentType,
    start: datetime,
    by: User,
    duration_minutes: int | None = None,
    now: datetime | None = None,
    confirm_alone: bool = True,
    held_slot_id: int | None = None,
) -> Appointment:
    """Book an appointment, or raise SlotTaken (someone was faster) or ValidationError.

    The length is the type's unless ``duration_minutes`` is given (a treatment plan's
    sessions take as long as the plan's areas need).

    1. Check the request itself: an aware start, a type still offered, a length allowed.
    2. Lock the practitioner's and the room's rows, in a fixed order, so two bookings for
       either wait for each other instead of both passing the check.
    3. Check the hours, closures and leave, then any clash (buffers included).
    4. Insert. On PostgreSQL the exclusion constraint refuses a clash that got past the
       check; that, and a deadlock between two lockers, also mean "just taken".
    With ``now``, a start that has passed (a walk-in's grace aside) is refused.
    ``confirm_alone=False`` (a course booked at once) tells the listeners that the caller
    confirms this booking together with others. A time the waitlist holds for a patient
    is refused, but for that patient taking it (``held_slot_id``, the freed time).
    """
    minutes = _booking_minutes(
        appointment_type=appointment_type, start=start, duration_minutes=duration_minutes
    )
    _check_not_past(start, now)
    end = start + timedelta(minutes=minutes)
    blocked_from, blocked_until = _blocked(appointment_type, start, end)
    with _lost_race_is_slot_taken(), transaction.atomic():
        PractitionerProfile.objects.select_for_update().get(pk=practitioner.pk)
        # Judge the room as it is now, under the lock, not as the caller last saw it.
        locked_room = Room.objects.select_for_update().get(pk=room.pk)
        if not locked_room.is_active:
            raise ValidationError(f"{locked_room.name} is not in use.")
        _check_free(
            practitioner=practitioner, room=room, start=start, end=end,
            appointment_type=appointment_type, now=now, held_slot_id=held_slot_id,
        )  # fmt: skip
        appointment = Appointment(
            patient=patient,
            practitioner=practitioner,
            room=room,
            location_id=room.location_id,
            appointment_type=appointment_type,
            starts_at=start,
            ends_at=end,
            blocked_from=blocked_from,
            blocked_until=blocked_until,
            booked_by=by,
        )
        appointment.full_clean()
        appointment.save()
        appointment_booked.send(
            sender=Appointment, appointment=appointment, by=by, confirm_alone=confirm_alone
        )
        return appointment


# --- Changes to an appointment: one service per transition, each checking the state ----

S = Appointment.Status


def _locked(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().get(pk=appointment.pk)


def _require(appointment: Appointment, allowed: tuple[str, ...], action: str) -> None:
    if appointment.status not in allowed:
        state = appointment.get_status_display().lower()
        raise ValidationError(f"This appointment is {state}: it cannot be {action}.")


def appointment_move(
    *,
    appointment: Appointment,
    start: datetime,
    by: User,
    room: Room | None = None,
    by_plan: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Move to a new start, keeping the practitioner, type and length (and the room
    unless another one at the same location is given); the version goes up, so anything
    scheduled for the old time (reminders) knows it is stale.

    ``by_plan`` says a treatment plan is moving its own session: the signal carries it,
    so that the plan does not follow its own move (signals.py). With ``now``, a move
    to a time that has passed is refused."""
    if start.tzinfo is None:
        raise ValidationError("The start time must carry its time zone.")
    _check_not_past(start, now)
    end = start + (appointment.ends_at - appointment.starts_at)
    blocked_from, blocked_until = _blocked(appointment.appointment_type, start, end)
    room_ids = sorted({appointment.room_id, room.pk if room else appointment.room_id})
    with _lost_race_is_slot_taken(), transaction.atomic():
        PractitionerProfile.objects.select_for_update().get(pk=appointment.practitioner_id)
        rooms = {r.pk: r for r in Room.objects.select_for_update().filter(pk__in=room_ids)}
        current = _locked(appointment)
        _require(current, Appointment.MOVABLE, "moved")
        new_room = rooms[room.pk] if room else current.room
        if new_room.location_id != current.location_id or not new_room.is_active:
            raise ValidationError(f"{new_room.name} cannot be used for this appointment.")
        _check_free(
            practitioner=current.practitioner, room=new_room, start=start, end=end,
            appointment_type=current.appointment_type, exclude_pk=current.pk, now=now,
        )  # fmt: skip
        previous_start, previous_room_id = current.starts_at, current.room_id
        current.starts_at, current.ends_at = start, end
        current.blocked_from, current.blocked_until = blocked_from, blocked_until
        current.room = new_room
        current.status = S.BOOKED  # a moved appointment needs confirming again
        current.version += 1
        current.save()
        appointment_moved.send(
            sender=Appointment,
            appointment=current,
            previous_start=previous_start,
            previous_room_id=previous_room_id,
            by=by,
            by_plan=by_plan,
        )
        return current


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, reason: str, by: User, now: datetime, by_plan: bool = False
) -> Appointment:
    """Cancel with a reason; inside the late-cancellation window it is flagged late.
    ``by_plan``: as for ``appointment_move``."""
    current = _locked(appointment)
    _require(current, Appointment.CANCELLABLE, "cancelled")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the appointment is cancelled."]})
    current.status = S.CANCELLED
    current.cancellation_reason = reason.strip()
    current.late_cancel = current.is_late_to_change(now)
    current.version += 1
    current.save()
    appointment_cancelled.send(sender=Appointment, appointment=current, by=by, by_plan=by_plan)
    return current


def _set_status(
    appointment: Appointment,
    allowed: tuple[str, ...],
    status: str,
    verb: str,
    also: Callable[[Appointment], None] | None = None,
) -> Appointment:
    """Lock, check the current state (and ``also``, if given), then change the status."""
    current = _locked(appointment)
    _require(current, allowed, verb)
    if also is not None:
        also(current)
    current.status = status
    current.save(update_fields=["status", "updated_at"])
    return current


@transaction.atomic
def appointment_confirm(*, appointment: Appointment) -> Appointment:
    return _set_status(appointment, Appointment.CONFIRMABLE, S.CONFIRMED, "confirmed")


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, now: datetime) -> Appointment:
    """Only on the appointment's own day at its location; what it was before (booked or
    confirmed) is kept, so that an undo restores it."""
    current = _locked(appointment)
    _require(current, Appointment.CHECK_IN_FROM, "checked in")
    if not current.can_check_in(now):
        raise ValidationError(
            f"This appointment is on {current.local_day:%A %-d %B}: "
            "check the patient in on the day."
        )
    current.checked_in_from, current.status = current.status, S.CHECKED_IN
    current.save(update_fields=["checked_in_from", "status", "updated_at"])
    return current


@transaction.atomic
def appointment_check_in_undo(*, appointment: Appointment, now: datetime) -> Appointment:
    """Take back a check-in made by mistake, until the session starts: the appointment
    is as it was (booked or confirmed), so its reminders still go."""
    current = _locked(appointment)
    _require(current, Appointment.CHECK_IN_UNDOABLE, "taken back to before check-in")
    if not current.can_undo_check_in(now):
        raise ValidationError("This check-in can no longer be undone.")
    current.status = current.checked_in_from or S.BOOKED
    current.checked_in_from = ""
    current.save(update_fields=["checked_in_from", "status", "updated_at"])
    return current


@transaction.atomic
def appointment_mark_no_show(*, appointment: Appointment, now: datetime) -> Appointment:
    """Only once the start time has passed: before it, the patient may still come."""

    def started(current: Appointment) -> None:
        if not current.has_started(now):
            raise ValidationError("The appointment has not started yet: it cannot be a no-show.")

    current = _set_status(
        appointment, Appointment.NO_SHOW_FROM, S.NO_SHOW, "marked as a no-show", started
    )
    appointment_no_show.send(sender=Appointment, appointment=current)
    return current


@transaction.atomic
def appointment_start(*, appointment: Appointment) -> Appointment:
    return _set_status(appointment, Appointment.STARTABLE, S.IN_PROGRESS, "started")


@transaction.atomic
def appointment_complete(*, appointment: Appointment) -> Appointment:
    return _set_status(appointment, Appointment.COMPLETABLE, S.COMPLETED, "completed")
