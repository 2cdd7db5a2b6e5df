from collections.abc import Callable
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.scheduling import services
from clinic.scheduling.forms import BookingForm, CalendarForm, CancelForm
from clinic.scheduling.models import Appointment, Room
from clinic.scheduling.selectors import appointments_between, appointments_on
from clinic.staff.access import (
    AnyUser,
    has_role_permission,
    permission_required,
    require_permission,
)
from clinic.staff.models import PractitionerProfile
from clinic.web import perform, signed_in_staff
from patients.access import VIEW_PATIENTS
from patients.models import Patient

VIEW = "scheduling.view_appointment"
BOOK = "scheduling.add_appointment"
CHANGE = "scheduling.change_appointment"


def appointment_for_user(user: AnyUser, pk: int) -> Appointment:
    require_permission(user, VIEW)
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner__user", "room", "location", "appointment_type"
        ),
        pk=pk,
    )


@login_required
@permission_required(BOOK)
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Book a patient in: type, practitioner, room, date and time."""
    require_permission(request.user, VIEW_PATIENTS)
    raw = request.POST.get("patient") or request.GET.get("patient") or ""
    patient = Patient.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if patient is None and request.method != "POST":
        messages.info(request, "Find the patient first, then book from their record.")
        return redirect("patients:list")
    data = request.POST if request.method == "POST" else None
    form = BookingForm(data, initial={"patient": patient.pk if patient else None})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_book(
                patient=form.cleaned_data["patient"],
                practitioner=form.cleaned_data["practitioner"],
                room=form.cleaned_data["room"],
                appointment_type=form.cleaned_data["appointment_type"],
                start=form.start(),
                by=signed_in_staff(request),
            )
        except services.SlotTaken:
            form.add_error(None, services.SlotTaken.message)
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Booked for {appointment.patient.full_name}.")
            return redirect("scheduling:appointment", pk=appointment.pk)
    return render(
        request,
        "scheduling/appointment_form.html",
        {"form": form, "patient": patient},
        status=status,
    )


@login_required
@permission_required(VIEW)
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_for_user(request.user, pk)
    context = {
        "appointment": appointment,
        "can_change": has_role_permission(request.user, CHANGE),
        "cancel_form": CancelForm(),
        "has_started": appointment.starts_at <= timezone.now(),
    }
    return render(request, "scheduling/appointment_detail.html", context)


@login_required
@permission_required(CHANGE)
@require_POST
def appointment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Check in, mark a no-show, confirm or cancel, from the appointment's page."""
    appointment = appointment_for_user(request.user, pk)
    by, now = signed_in_staff(request), timezone.now()
    simple: dict[str, tuple[Callable[[], object], str]] = {
        "check-in": (
            lambda: services.appointment_check_in(appointment=appointment, by=by),
            "Checked in.",
        ),
        "no-show": (
            lambda: services.appointment_mark_no_show(appointment=appointment, by=by, now=now),
            "Marked as a no-show.",
        ),
        "confirm": (
            lambda: services.appointment_confirm(appointment=appointment, by=by),
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


def _calendar_params(request: HttpRequest) -> tuple[CalendarForm, date, str]:
    form = CalendarForm(request.GET)
    day, by = timezone.localdate(), "practitioner"
    if form.is_valid():
        day = form.cleaned_data["date"] or day
        by = form.cleaned_data["by"] or by
    return form, day, by


def _columns(appointments: list[Appointment], by: str) -> list[tuple[str, list[Appointment]]]:
    """Group appointments into columns: every active practitioner or room, busy or not."""
    if by == "room":
        heads = [(r.pk, str(r.name)) for r in Room.objects.filter(is_active=True).order_by("name")]
        key = "room_id"
    else:
        profiles = PractitionerProfile.objects.filter(user__is_active=True).select_related("user")
        heads = [(p.pk, str(p)) for p in profiles]
        key = "practitioner_id"
    grouped: dict[int, list[Appointment]] = {pk: [] for pk, _ in heads}
    for appointment in appointments:
        pk = getattr(appointment, key)
        if pk not in grouped:
            # Booked with someone (or somewhere) since switched off: still shown.
            owner = appointment.room if by == "room" else appointment.practitioner
            heads.append((pk, str(getattr(owner, "name", owner))))
            grouped[pk] = []
        grouped[pk].append(appointment)
    return [(name, grouped[pk]) for pk, name in heads]


@login_required
@permission_required(VIEW)
@require_GET
def calendar_day(request: HttpRequest) -> HttpResponse:
    """The day by practitioner or by room; a bad date says so and shows today."""
    form, day, by = _calendar_params(request)
    appointments = list(appointments_on(day))
    context = {
        "form": form,
        "day": day,
        "by": by,
        "columns": _columns(appointments, by),
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
    }
    return render(request, "scheduling/calendar_day.html", context)


@login_required
@permission_required(VIEW)
@require_GET
def calendar_week(request: HttpRequest) -> HttpResponse:
    """Monday to Sunday of the week holding the date."""
    form, day, _ = _calendar_params(request)
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    zone = timezone.get_current_timezone()
    by_day: dict[date, list[Appointment]] = {d: [] for d in days}
    for appointment in appointments_between(days[0], days[-1]):
        by_day[appointment.starts_at.astimezone(zone).date()].append(appointment)
    context = {
        "form": form,
        "day": day,
        "week": [(d, by_day[d]) for d in days],
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
    }
    return render(request, "scheduling/calendar_week.html", context)
