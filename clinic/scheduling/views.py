from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from clinic.scheduling import services
from clinic.scheduling.access import BOOK, CHANGE, VIEW
from clinic.scheduling.forms import (
    SLOT_FIELDS,
    BookingForm,
    CancelForm,
    MoveForm,
)
from clinic.scheduling.models import Appointment
from clinic.scheduling.selectors import (
    nearby_free_starts,
)
from clinic.staff.access import (
    AnyUser,
    has_role_permission,
    permission_required,
    require_permission,
)
from clinic.staff.web import perform, signed_in_staff, wants_partial
from patients.access import REGISTER_PATIENTS, VIEW_PATIENTS
from patients.forms import PatientForm, PatientSearchForm
from patients.models import Patient
from patients.selectors import patient_search
from patients.services import patient_register
from patients.views import save_with_duplicate_check

PICK_LIMIT = 10  # patients listed to pick from; more means "type more of the name"


def appointment_for_user(user: AnyUser, pk: int) -> Appointment:
    require_permission(user, VIEW)
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner__user", "room", "location", "appointment_type"
        ),
        pk=pk,
    )


def _run_on_form(
    form: forms.Form, run: Callable[[], Appointment]
) -> tuple[Appointment | None, int]:
    """Run a booking service for a posted form: the appointment and 200, or None with the
    refusal said on the form, and 409 when the slot was taken a moment ago (a lost race
    the page shows as such, never a 500)."""
    try:
        return run(), 200
    except services.SlotTaken:
        form.add_error(None, services.SlotTaken.message)
        return None, 409
    except ValidationError as exc:
        form.add_error(None, exc)
        return None, 200


# --- Booking: from a patient's record, or from a free slot with the patient found or
# registered on the way ---------------------------------------------------------------


def _slot_params(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The slot's part of an address (as given), so that it survives every step."""
    return [(name, str(data[name])) for name in SLOT_FIELDS if data.get(name)]


def _slot_query(data: Mapping[str, Any]) -> str:
    return urlencode(_slot_params(data))


def _slot_summary(form: BookingForm) -> list[tuple[str, str]]:
    """The slot's values that are right, in words, for the page that finds the patient."""
    shown: dict[str, Callable[[Any], str]] = {
        "appointment_type": str,
        "practitioner": str,
        "room": lambda room: room.name,
        "day": lambda day: date_format(day, "l j F Y"),
        "start_time": lambda at: at.strftime("%H:%M"),
    }
    cleaned = form.cleaned_data
    return [
        (str(form[name].label), shown[name](cleaned[name]))
        for name in SLOT_FIELDS
        if name in cleaned
    ]


def _pick_context(request: HttpRequest, form: BookingForm) -> dict[str, object]:
    """Patients matching the search, to pick from; the slot goes along with each."""
    search = PatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    found = list(patient_search(query)[: PICK_LIMIT + 1]) if query.strip() else []
    return {
        "search_form": search,
        "query": query,
        "found": found[:PICK_LIMIT],
        "more_found": len(found) > PICK_LIMIT,
        "slot_params": _slot_params(form.data),
        "slot_query": _slot_query(form.data),
    }


def _render_booking(
    request: HttpRequest,
    form: BookingForm,
    *,
    status: int = 200,
    patient_form: PatientForm | None = None,
    duplicates: list[Patient] | None = None,
) -> HttpResponse:
    """The booking form for a known patient; without one, find or register them first."""
    patient = form.cleaned_data.get("patient")
    context: dict[str, object] = {
        "form": form,
        "patient": patient,
        "slot_query": _slot_query(form.data),
    }
    if patient is None:
        can_register = has_role_permission(request.user, REGISTER_PATIENTS)
        context |= _pick_context(request, form) | {
            "slot_summary": _slot_summary(form),
            "slot_errors": [
                (form[name].label, form.errors[name]) for name in SLOT_FIELDS if name in form.errors
            ],
            "can_register": can_register,
            "patient_form": patient_form or (PatientForm() if can_register else None),
            "duplicates": duplicates or [],
            "register_open": patient_form is not None,
        }
    return render(request, "scheduling/appointment_form.html", context, status=status)


def _book(request: HttpRequest) -> HttpResponse:
    form = BookingForm(request.POST)
    status = 200
    if form.is_valid():
        appointment, status = _run_on_form(
            form,
            lambda: services.appointment_book(
                patient=form.cleaned_data["patient"],
                practitioner=form.cleaned_data["practitioner"],
                room=form.cleaned_data["room"],
                appointment_type=form.cleaned_data["appointment_type"],
                start=form.start(),
                by=signed_in_staff(request),
                now=timezone.now(),
            ),
        )
        if appointment is not None:
            messages.success(request, f"Booked for {appointment.patient.full_name}.")
            return redirect("scheduling:appointment", pk=appointment.pk)
    return _render_booking(request, form, status=status)


def _register_then_book(request: HttpRequest) -> HttpResponse:
    """Register the patient (a near-match asks first), then back to the slot with them."""
    require_permission(request.user, REGISTER_PATIENTS)
    patient_form = PatientForm(request.POST)
    patient, duplicates = save_with_duplicate_check(request, patient_form, patient_register)
    if patient is None:
        form = BookingForm.from_address(request.GET)
        return _render_booking(request, form, patient_form=patient_form, duplicates=duplicates)
    messages.success(request, f"{patient.full_name} is registered.")
    query = "&".join(filter(None, [urlencode({"patient": patient.pk}), _slot_query(request.GET)]))
    return redirect(f"{reverse('scheduling:new')}?{query}")


@login_required
@permission_required(BOOK)
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book a patient in: type, practitioner, room, date and time.

    1. A GET fills the form from the address (a patient's record, a free slot), with a
       message on each value that is wrong. Without a patient, the page finds one (htmx
       asks for the matches alone as the name is typed) or registers one.
    2. A POST with ``step=register`` registers the patient and comes back with them.
    3. Any other POST books; a slot taken a moment ago answers 409.
    The slot travels in the address through every step.
    """
    require_permission(request.user, VIEW_PATIENTS)
    if request.method == "POST" and request.POST.get("step") == "register":
        return _register_then_book(request)
    if request.method == "POST":
        return _book(request)
    form = BookingForm.from_address(request.GET)
    if wants_partial(request):
        response = render(request, "scheduling/_patient_pick.html", _pick_context(request, form))
    else:
        response = _render_booking(request, form)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- The appointment's page: confirm, check in, no-show, move, cancel -------------------


def _nearby_choices(appointment: Appointment, now: datetime) -> list[dict[str, str]]:
    zone = appointment.location.zone
    own_day = appointment.starts_at.astimezone(zone).date()
    choices = []
    for start in nearby_free_starts(appointment, now=now):
        local = start.astimezone(zone)
        label = f"{local:%H:%M}" if local.date() == own_day else f"{local:%a %-d %b, %H:%M}"
        choices.append({"day": local.date().isoformat(), "time": f"{local:%H:%M}", "label": label})
    return choices


def _render_detail(
    request: HttpRequest,
    appointment: Appointment,
    *,
    move_form: MoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    can_change = has_role_permission(request.user, CHANGE)
    movable = can_change and appointment.can_move
    if move_form is None and movable:
        local = appointment.starts_at.astimezone(appointment.location.zone)
        move_form = MoveForm(initial={"day": local.date(), "start_time": local.strftime("%H:%M")})
    context = {
        "appointment": appointment,
        "can_change": can_change,
        "movable": movable,
        "cancel_form": CancelForm(),
        "move_form": move_form,
        "nearby": _nearby_choices(appointment, now) if movable else [],
        # What the front desk may do now: the model's rules, asked with the time.
        "may_confirm": can_change and appointment.can_confirm,
        "may_check_in": can_change and appointment.can_check_in(now),
        "may_undo_check_in": can_change and appointment.can_undo_check_in(now),
        "may_mark_no_show": can_change and appointment.can_mark_no_show(now),
        "cancellable": can_change and appointment.can_cancel,
    }
    return render(request, "scheduling/appointment_detail.html", context, status=status)


@login_required
@permission_required(VIEW)
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, appointment_for_user(request.user, pk))


@login_required
@permission_required(CHANGE)
@require_POST
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move to a new date and time with the same practitioner, room and type. A time
    taken a moment ago answers 409; any other refusal is said on the form."""
    appointment = appointment_for_user(request.user, pk)
    form = MoveForm(request.POST, zone=appointment.location.zone)
    status = 200
    if form.is_valid():
        moved, status = _run_on_form(
            form,
            lambda: services.appointment_move(
                appointment=appointment,
                start=form.start(appointment.location.zone),
                by=signed_in_staff(request),
                now=timezone.now(),
            ),
        )
        if moved is not None:
            local = moved.starts_at.astimezone(moved.location.zone)
            messages.success(request, f"Moved to {date_format(local, 'l j F')} at {local:%H:%M}.")
            return redirect("scheduling:appointment", pk=pk)
    return _render_detail(request, appointment, move_form=form, status=status)


@login_required
@permission_required(CHANGE)
@require_POST
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Check in (or undo it), mark a no-show, confirm or cancel, from the appointment's
    page or the book's panel; each comes back to the appointment's page saying what
    happened."""
    appointment = appointment_for_user(request.user, pk)
    by, now = signed_in_staff(request), timezone.now()
    simple: dict[str, tuple[Callable[[], object], str]] = {
        "check-in": (
            lambda: services.appointment_check_in(appointment=appointment, now=now),
            "Checked in.",
        ),
        "undo-check-in": (
            lambda: services.appointment_check_in_undo(appointment=appointment, now=now),
            "Check-in undone.",
        ),
        "no-show": (
            lambda: services.appointment_mark_no_show(appointment=appointment, now=now),
            "Marked as a no-show.",
        ),
        "confirm": (
            lambda: services.appointment_confirm(appointment=appointment),
            "Confirmed.",
        ),
    }
    if action in simple:
        run, done = simple[action]
        return perform(request, run, done, "scheduling:appointment", pk=pk)
    if action == "cancel":
        form = CancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why the appointment is cancelled.")
            return redirect("scheduling:appointment", pk=pk)
        reason = form.cleaned_data["reason"]
        return perform(
            request,
            lambda: services.appointment_cancel(
                appointment=appointment, reason=reason, by=by, now=now
            ),
            "Cancelled.",
            "scheduling:appointment",
            pk=pk,
        )
    return HttpResponse("Unknown action.", status=404)
