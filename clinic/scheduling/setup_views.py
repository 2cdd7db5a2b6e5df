"""The clinic manager's setup pages: locations, rooms, hours, closures, leave, types.

Only the clinic manager's role (MANAGE_CLINIC) opens them. A change that leaves booked
appointments out of hours is saved, and the manager is told how many to move.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.scheduling import setup_services
from clinic.scheduling.hours import WEEKDAY_NAMES, Interval
from clinic.scheduling.models import AppointmentType, Closure, Leave, Location, Room
from clinic.scheduling.setup_forms import (
    AppointmentTypeForm,
    ClosureForm,
    LeaveForm,
    LocationForm,
    OpeningHoursForm,
    RoomForm,
    WorkingHoursForm,
    time_zone_names,
)
from clinic.scheduling.setup_selectors import (
    appointment_types_for_setup,
    locations_for_setup,
    opening_week,
    practitioners_for_setup,
    working_week,
)
from clinic.staff.access import AnyUser, permission_required, require_permission
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import MANAGE_CLINIC

M = TypeVar("M", bound=Model)
T = TypeVar("T")
GET_OR_POST = require_http_methods(["GET", "POST"])


# --- Access: every object the pages touch is looked up through here --------------------


def _for_manager(user: AnyUser, queryset: QuerySet[M], pk: int) -> M:
    """The object, for a user whose role may set the clinic up; 404 if there is none."""
    require_permission(user, MANAGE_CLINIC)
    return get_object_or_404(queryset, pk=pk)


def location_for_manager(user: AnyUser, pk: int) -> Location:
    return _for_manager(user, Location.objects.all(), pk)


def room_for_manager(user: AnyUser, pk: int) -> Room:
    return _for_manager(user, Room.objects.select_related("location"), pk)


def closure_for_manager(user: AnyUser, pk: int) -> Closure:
    return _for_manager(user, Closure.objects.select_related("location"), pk)


def practitioner_for_manager(user: AnyUser, pk: int) -> PractitionerProfile:
    return _for_manager(user, PractitionerProfile.objects.select_related("user"), pk)


def leave_for_manager(user: AnyUser, pk: int) -> Leave:
    return _for_manager(user, Leave.objects.select_related("practitioner__user"), pk)


def appointment_type_for_manager(user: AnyUser, pk: int) -> AppointmentType:
    return _for_manager(user, AppointmentType.objects.all(), pk)


# --- Shared steps ----------------------------------------------------------------------


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _apply(
    form: forms.Form, save: Callable[[], T], renamed: dict[str, str] | None = None
) -> T | None:
    """Run the service for a valid form; what it refuses becomes the form's messages.

    ``renamed`` maps a model field the service names to the form field that holds it.
    """
    try:
        return save()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return None
        for field, errors in exc.error_dict.items():
            name = (renamed or {}).get(field, field)
            form.add_error(
                name if name in form.fields and name != NON_FIELD_ERRORS else None, errors
            )
        return None


def _warn(request: HttpRequest, affected: int, where: str) -> None:
    """Tell the manager plainly how many booked appointments the change leaves out."""
    if not affected:
        return
    one = affected == 1
    messages.warning(
        request,
        f"{affected} booked appointment{'' if one else 's'} {'is' if one else 'are'} now "
        f"{where}. Nothing was moved or cancelled: the front desk should move "
        f"{'it' if one else 'them'} to another time.",
    )


def _overview(anchor: str) -> HttpResponse:
    return redirect(f"{reverse('setup:overview')}#{anchor}")


# --- The overview ----------------------------------------------------------------------


@dataclass(frozen=True)
class DayHours:
    name: str
    intervals: list[Interval]


def _week_rows(rows: Iterable[tuple[int, time, time]]) -> list[DayHours]:
    """Monday to Sunday, each with its intervals in order; none means closed."""
    days: list[list[Interval]] = [[] for _ in WEEKDAY_NAMES]
    for weekday, starts, ends in rows:
        days[weekday].append((starts, ends))
    return [DayHours(name, sorted(days[n])) for n, name in enumerate(WEEKDAY_NAMES)]


@login_required
@permission_required(MANAGE_CLINIC)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Everything the clinic is set up with, on one page, with a way to change each."""
    locations = list(locations_for_setup(today=timezone.localdate()))
    location_cards = [
        (location, _week_rows((h.weekday, h.opens, h.closes) for h in location.opening_hours.all()))
        for location in locations
    ]
    practitioner_cards = []
    for practitioner in practitioners_for_setup(now=timezone.now(), today=timezone.localdate()):
        hours = list(practitioner.working_hours.all())
        weeks = [
            (
                location,
                _week_rows(
                    (h.weekday, h.starts, h.ends) for h in hours if h.location_id == location.pk
                ),
                any(h.location_id == location.pk for h in hours),
            )
            for location in locations
        ]
        practitioner_cards.append((practitioner, weeks))
    context = {
        "location_cards": location_cards,
        "practitioner_cards": practitioner_cards,
        "appointment_types": list(appointment_types_for_setup()),
    }
    return render(request, "scheduling/setup/overview.html", context)


# --- Locations and rooms ---------------------------------------------------------------


def _location_page(request: HttpRequest, location: Location | None) -> HttpResponse:
    initial = {}
    if location is not None:
        initial = {n: getattr(location, n) for n in ("name", "time_zone", "address")}
        initial["phone"] = location.phone_display
    form = LocationForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        change = _apply(
            form,
            lambda: setup_services.location_save(
                location=location, now=timezone.now(), **form.cleaned_data
            ),
        )
        if change is not None:
            messages.success(request, f"{change.saved.name} saved.")
            return _overview(f"location-{change.saved.pk}")
    context = {"form": form, "location": location, "time_zones": time_zone_names()}
    return render(request, "scheduling/setup/location_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def location_new(request: HttpRequest) -> HttpResponse:
    return _location_page(request, None)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _location_page(request, location_for_manager(request.user, pk))


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def room_new(request: HttpRequest, location_pk: int) -> HttpResponse:
    location = location_for_manager(request.user, location_pk)
    form = RoomForm(_data(request))
    if request.method == "POST" and form.is_valid():
        room = _apply(
            form, lambda: setup_services.room_add(location=location, name=form.cleaned_data["name"])
        )
        if room is not None:
            messages.success(request, f"{room.name} added to {location.name}.")
            return _overview(f"location-{location.pk}")
    context = {"form": form, "location": location, "room": None}
    return render(request, "scheduling/setup/room_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a room; the page also switches it off or on."""
    room = room_for_manager(request.user, pk)
    form = RoomForm(_data(request), initial={"name": room.name})
    if request.method == "POST" and form.is_valid():
        renamed = _apply(
            form, lambda: setup_services.room_rename(room=room, name=form.cleaned_data["name"])
        )
        if renamed is not None:
            messages.success(request, f"Room renamed to {renamed.name}.")
            return _overview(f"location-{room.location_id}")
    context = {"form": form, "location": room.location, "room": room}
    return render(request, "scheduling/setup/room_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def room_switch(request: HttpRequest, pk: int, is_active: bool) -> HttpResponse:
    room = room_for_manager(request.user, pk)
    change = setup_services.room_switch(room=room, is_active=is_active, now=timezone.now())
    if is_active:
        messages.success(request, f"{room.name} is in use again and can be booked.")
    else:
        messages.success(request, f"{room.name} is switched off: it takes no new bookings.")
        _warn(request, change.affected, f"in {room.name}")
    return _overview(f"location-{room.location_id}")


# --- Opening hours and closures --------------------------------------------------------


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def opening_hours(request: HttpRequest, location_pk: int) -> HttpResponse:
    """The whole week of a location on one page."""
    location = location_for_manager(request.user, location_pk)
    today = timezone.localdate(timezone=location.zone)
    form = OpeningHoursForm(_data(request), week=opening_week(location, on=today))
    if request.method == "POST" and form.is_valid():
        change = _apply(
            form,
            lambda: setup_services.opening_hours_set(
                location=location, week=form.week(), now=timezone.now(),
                from_day=form.cleaned_data["from_day"],
            ),
        )  # fmt: skip
        if change is not None:
            messages.success(request, f"Opening hours of {location.name} saved.")
            _warn(request, change.affected, "outside the opening hours")
            return _overview(f"location-{location.pk}")
    context = {
        "form": form,
        "title": f"Opening hours of {location.name}",
        "location": location,
        "explanation": "Leave a day blank when the clinic is closed. A day may have two "
        "intervals, such as a break at lunchtime.",
    }
    return render(request, "scheduling/setup/week_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def closures(request: HttpRequest, location_pk: int) -> HttpResponse:
    """The closures still to come, and a form to add one."""
    location = location_for_manager(request.user, location_pk)
    form = ClosureForm(_data(request))
    if request.method == "POST" and form.is_valid():
        change = _apply(
            form,
            lambda: setup_services.closure_add(
                location=location, now=timezone.now(), **form.cleaned_data
            ),
        )
        if change is not None:
            messages.success(request, f"{location.name} closure added.")
            _warn(request, change.affected, "on the closed days")
            return redirect("setup:closures", location_pk=location.pk)
    upcoming = Closure.objects.filter(location=location, last_day__gte=timezone.localdate())
    context = {"form": form, "location": location, "closures": list(upcoming)}
    return render(request, "scheduling/setup/closures.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def closure_remove(request: HttpRequest, pk: int) -> HttpResponse:
    closure = closure_for_manager(request.user, pk)
    setup_services.closure_remove(closure=closure)
    messages.success(request, f"Closure removed: {closure.location.name} opens as usual then.")
    return redirect("setup:closures", location_pk=closure.location_id)


# --- Practitioners' hours and leave ----------------------------------------------------


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def working_hours(request: HttpRequest, pk: int, location_pk: int) -> HttpResponse:
    """A practitioner's whole week at one location."""
    practitioner = practitioner_for_manager(request.user, pk)
    location = location_for_manager(request.user, location_pk)
    today = timezone.localdate(timezone=location.zone)
    form = WorkingHoursForm(_data(request), week=working_week(practitioner, location, on=today))
    if request.method == "POST" and form.is_valid():
        change = _apply(
            form,
            lambda: setup_services.working_hours_set(
                practitioner=practitioner, location=location, week=form.week(),
                now=timezone.now(), from_day=form.cleaned_data["from_day"],
            ),
        )  # fmt: skip
        if change is not None:
            messages.success(request, f"Hours of {practitioner} at {location.name} saved.")
            _warn(request, change.affected, f"outside {practitioner}'s hours")
            return _overview(f"practitioner-{practitioner.pk}")
    context = {
        "form": form,
        "title": f"Hours of {practitioner} at {location.name}",
        "location": location,
        "practitioner": practitioner,
        "explanation": "Leave a day blank when they do not work here. Their hours only "
        "count while the clinic is open.",
    }
    return render(request, "scheduling/setup/week_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    """A practitioner's leave still to come, and a form to add some."""
    practitioner = practitioner_for_manager(request.user, pk)
    usual = practitioner.working_hours.values_list("location_id", flat=True).first()
    form = LeaveForm(
        _data(request), locations=Location.objects.order_by("name"), initial={"location": usual}
    )
    if request.method == "POST" and form.is_valid():
        change = _apply(
            form,
            lambda: setup_services.leave_add(
                practitioner=practitioner,
                starts_at=form.starts_at(),
                ends_at=form.ends_at(),
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            ),
            renamed={"starts_at": "start_day", "ends_at": "end_day"},
        )
        if change is not None:
            messages.success(request, f"Leave added for {practitioner}.")
            _warn(request, change.affected, f"during {practitioner}'s leave")
            return redirect("setup:leave", pk=practitioner.pk)
    upcoming = Leave.objects.filter(practitioner=practitioner, ends_at__gt=timezone.now())
    context = {"form": form, "practitioner": practitioner, "leave": list(upcoming)}
    return render(request, "scheduling/setup/leave.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def leave_remove(request: HttpRequest, pk: int) -> HttpResponse:
    away = leave_for_manager(request.user, pk)
    setup_services.leave_remove(leave=away)
    messages.success(request, f"Leave removed: {away.practitioner} can be booked then.")
    return redirect("setup:leave", pk=away.practitioner_id)


# --- Appointment types -----------------------------------------------------------------

TYPE_FIELDS = (
    "name", "kind", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
    "is_active",
)  # fmt: skip


def _appointment_type_page(
    request: HttpRequest, appointment_type: AppointmentType | None
) -> HttpResponse:
    initial = {}
    if appointment_type is not None:
        initial = {name: getattr(appointment_type, name) for name in TYPE_FIELDS}
    form = AppointmentTypeForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: setup_services.appointment_type_save(
                appointment_type=appointment_type, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, f"{saved.name} saved. New bookings use it from now on.")
            return _overview("appointment-types")
    context = {"form": form, "appointment_type": appointment_type}
    return render(request, "scheduling/setup/appointment_type_form.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def appointment_type_new(request: HttpRequest) -> HttpResponse:
    return _appointment_type_page(request, None)


@login_required
@permission_required(MANAGE_CLINIC)
@GET_OR_POST
def appointment_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_type_page(request, appointment_type_for_manager(request.user, pk))
