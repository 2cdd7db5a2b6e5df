"""Clinic setup: the manager's locations, rooms, weekly hours, closures, leave and
appointment types.

A change that leaves booked appointments outside the new hours, inside a new closure or
during new leave is not refused: the clinic's hours are the manager's to set. It says
how many appointments it leaves out (``SetupChange.affected``), so that the front desk
can move them. Every model here is registered with the audit log (apps.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from clinic.scheduling.hours import Week, week_problems
from clinic.scheduling.models import (
    SHORTEST_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentType,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.scheduling.selectors import day_bounds
from clinic.scheduling.setup_selectors import (
    count_during,
    count_on_days,
    count_outside_week,
    upcoming_appointments,
)
from clinic.staff.models import PractitionerProfile

T = TypeVar("T")


@dataclass(frozen=True)
class SetupChange(Generic[T]):
    saved: T
    # Upcoming appointments that the change leaves out of hours, closed or on leave.
    affected: int = 0


@transaction.atomic
def location_save(
    *,
    location: Location | None = None,
    name: str,
    time_zone: str,
    address: str,
    phone: str,
    now: datetime,
) -> SetupChange[Location]:
    """Add a location, or change one.

    A new time zone is refused while the location has appointments still to come: their
    patients were told a wall-clock time, and their reminders are due at wall-clock times
    ("the day before at 18:00"), in the old zone. Move or cancel them first, or correct
    the zone before booking. With none to come, nothing else needs to follow.
    """
    if location is None:
        location, old_zone = Location(), None
    else:
        location = Location.objects.select_for_update().get(pk=location.pk)
        old_zone = location.time_zone
    location.name, location.time_zone = name.strip(), time_zone.strip()
    location.address = address.strip()
    location.phone = phone.strip()
    location.full_clean()
    if old_zone is None:
        location.save()
        return SetupChange(location)
    if location.time_zone != old_zone:
        _refuse_zone_change_with_appointments_to_come(location, now)
    location.save(update_fields=["name", "time_zone", "address", "phone"])
    return SetupChange(location)


def _refuse_zone_change_with_appointments_to_come(location: Location, now: datetime) -> None:
    to_come = upcoming_appointments(now=now).filter(location=location).count()
    if to_come:
        plural = "appointment" if to_come == 1 else "appointments"
        raise ValidationError(
            {
                "time_zone": [
                    f"{location.name} has {to_come} {plural} to come, told to patients and "
                    "reminded in its current time zone. Move or cancel them before changing "
                    "the time zone."
                ]
            }
        )


def _refuse_duplicate_room(room: Room) -> None:
    same_name = Room.objects.filter(location_id=room.location_id, name__iexact=room.name)
    if room.pk is not None:
        same_name = same_name.exclude(pk=room.pk)
    if room.name and same_name.exists():
        raise ValidationError({"name": f"{room.location} already has a room called “{room.name}”."})


@transaction.atomic
def room_add(*, location: Location, name: str) -> Room:
    room = Room(location=location, name=name.strip())
    _refuse_duplicate_room(room)
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_rename(*, room: Room, name: str) -> Room:
    current = Room.objects.select_for_update().select_related("location").get(pk=room.pk)
    current.name = name.strip()
    _refuse_duplicate_room(current)
    current.full_clean()
    current.save(update_fields=["name"])
    return current


@transaction.atomic
def room_switch(*, room: Room, is_active: bool, now: datetime) -> SetupChange[Room]:
    """Take a room out of use, or back into it. A room is never deleted: past (and
    perhaps future) appointments point at it. Switched off, it takes no new bookings;
    the ones it already has are counted."""
    # The booking service locks the room too, so a booking waits for this and then
    # sees the room as it is now.
    current = Room.objects.select_for_update().get(pk=room.pk)
    current.is_active = is_active
    current.save(update_fields=["is_active"])
    affected = 0
    if not is_active:
        affected = upcoming_appointments(now=now).filter(room=current).count()
    return SetupChange(current, affected)


def _check_week(week: Week) -> None:
    problems = week_problems(week)
    if problems:
        raise ValidationError(problems)


def _first_day(from_day: date | None, location: Location, now: datetime) -> date:
    """The day new hours apply from: today at the location unless a later day is given.
    Past days keep the hours they had, so what was counted against them stays."""
    today = now.astimezone(location.zone).date()
    if from_day is None:
        return today
    if from_day < today:
        raise ValidationError(
            {"from_day": ["Hours apply from today or a later day: past days keep theirs."]}
        )
    return from_day


def _replace_week_from(
    existing: QuerySet[Any],
    week: Week,
    fields: tuple[str, str],
    make: Callable[[int, time, time], OpeningHours | WorkingHours],
    first_day: date,
) -> None:
    """Make the rows say ``week`` from ``first_day`` on, keeping what applied before.

    1. A row still in force on ``first_day`` that the new week keeps goes on unchanged;
       one it drops ends the day before (its past stays as it was).
    2. A row that would only have applied from ``first_day`` or later (a change planned
       earlier) gives way to this one.
    3. What the week adds applies from ``first_day``.
    Only the rows that change are touched, so the audit log shows what changed.
    """
    wanted = {(day, starts, ends) for day, intervals in week.items() for starts, ends in intervals}
    for row in existing.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first_day)):
        key = (row.weekday, getattr(row, fields[0]), getattr(row, fields[1]))
        if row.valid_from is not None and row.valid_from >= first_day:
            row.delete()
        elif key in wanted:
            wanted.discard(key)
            if row.valid_until is not None:
                row.valid_until = None
                row.save(update_fields=["valid_until"])
        else:
            row.valid_until = first_day - timedelta(days=1)
            row.save(update_fields=["valid_until"])
    for day, starts, ends in sorted(wanted):
        row = make(day, starts, ends)
        row.valid_from = first_day
        row.full_clean()
        row.save()


@transaction.atomic
def opening_hours_set(
    *, location: Location, week: Week, now: datetime, from_day: date | None = None
) -> SetupChange[Location]:
    """Set the whole week's opening hours of a location from ``from_day`` (today if not
    given); a day with no intervals is closed. The hours before it are kept."""
    _check_week(week)
    location = Location.objects.select_for_update().get(pk=location.pk)
    first_day = _first_day(from_day, location, now)
    _replace_week_from(
        OpeningHours.objects.filter(location=location),
        week,
        ("opens", "closes"),
        lambda day, opens, closes: OpeningHours(
            location=location, weekday=day, opens=opens, closes=closes
        ),
        first_day,
    )
    affected = count_outside_week(
        _from(upcoming_appointments(now=now).filter(location=location), first_day, location),
        week=week,
        zone=location.zone,
    )
    return SetupChange(location, affected)


@transaction.atomic
def working_hours_set(
    *,
    practitioner: PractitionerProfile,
    location: Location,
    week: Week,
    now: datetime,
    from_day: date | None = None,
) -> SetupChange[PractitionerProfile]:
    """Set a practitioner's whole week at a location from ``from_day`` (today if not
    given); a day with no intervals is off. The hours before it are kept."""
    _check_week(week)
    # The booking service locks the practitioner: a booking waits for the new hours.
    practitioner = PractitionerProfile.objects.select_for_update().get(pk=practitioner.pk)
    first_day = _first_day(from_day, location, now)
    _replace_week_from(
        WorkingHours.objects.filter(practitioner=practitioner, location=location),
        week,
        ("starts", "ends"),
        lambda day, starts, ends: WorkingHours(
            practitioner=practitioner, location=location, weekday=day, starts=starts, ends=ends
        ),
        first_day,
    )
    appointments = upcoming_appointments(now=now).filter(
        practitioner=practitioner, location=location
    )
    affected = count_outside_week(
        _from(appointments, first_day, location), week=week, zone=location.zone
    )
    return SetupChange(practitioner, affected)


def _from(
    appointments: QuerySet[Appointment], first_day: date, location: Location
) -> QuerySet[Appointment]:
    return appointments.filter(starts_at__gte=day_bounds(first_day, location.zone)[0])


@transaction.atomic
def closure_add(
    *, location: Location, first_day: date, last_day: date, reason: str, now: datetime
) -> SetupChange[Closure]:
    """Close a location from ``first_day`` to ``last_day``, both included."""
    if last_day < first_day:
        raise ValidationError({"last_day": ["The last day cannot be before the first day."]})
    closure = Closure(
        location=location, first_day=first_day, last_day=last_day, reason=reason.strip()
    )
    closure.full_clean()
    closure.save()
    affected = count_on_days(
        upcoming_appointments(now=now).filter(location=location),
        first_day=first_day,
        last_day=last_day,
        zone=location.zone,
    )
    return SetupChange(closure, affected)


@transaction.atomic
def closure_remove(*, closure: Closure) -> None:
    closure.delete()


@transaction.atomic
def leave_add(
    *,
    practitioner: PractitionerProfile,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime,
) -> SetupChange[Leave]:
    """Record time a practitioner is away: no bookings for them from start to end."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValidationError("The start and end must carry their time zone.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": ["The leave must end after it starts."]})
    leave = Leave(practitioner=practitioner, starts_at=starts_at, ends_at=ends_at)
    leave.reason = reason.strip()
    leave.full_clean()
    leave.save()
    affected = count_during(
        upcoming_appointments(now=now).filter(practitioner=practitioner),
        start=starts_at,
        end=ends_at,
    )
    return SetupChange(leave, affected)


@transaction.atomic
def leave_remove(*, leave: Leave) -> None:
    leave.delete()


@transaction.atomic
def appointment_type_save(
    *,
    appointment_type: AppointmentType | None = None,
    name: str,
    kind: str,
    duration_minutes: int,
    buffer_before_minutes: int,
    buffer_after_minutes: int,
    is_active: bool,
) -> AppointmentType:
    """Add an appointment type, or change one. Appointments already booked keep the
    times they were booked with; the change applies to new bookings."""
    if duration_minutes < SHORTEST_APPOINTMENT_MINUTES:
        raise ValidationError(
            {"duration_minutes": [f"An appointment lasts at least {SHORTEST_APPOINTMENT_MINUTES} "
                                  "minutes."]}
        )  # fmt: skip
    current = (
        AppointmentType()
        if appointment_type is None
        else AppointmentType.objects.select_for_update().get(pk=appointment_type.pk)
    )
    current.name, current.kind = name.strip(), kind
    current.duration_minutes = duration_minutes
    current.buffer_before_minutes = buffer_before_minutes
    current.buffer_after_minutes = buffer_after_minutes
    current.is_active = is_active
    current.full_clean()
    if appointment_type is None:
        current.save()
    else:
        current.save(
            update_fields=[
                "name", "kind", "duration_minutes", "buffer_before_minutes",
                "buffer_after_minutes", "is_active",
            ]
        )  # fmt: skip
    return current
