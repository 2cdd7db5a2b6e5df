"""Plan and session pages: the practitioner plans and records, the front desk books."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.scheduling import services as booking
from clinic.scheduling.access import BOOK
from clinic.scheduling.access import CHANGE as MOVE
from clinic.scheduling.models import Location
from clinic.staff.access import has_role_permission, permission_required
from clinic.staff.audit import audit_view
from clinic.staff.web import add_service_errors, perform, signed_in_staff
from treatments.access import (
    ADD_PLAN,
    CHANGE_PLAN,
    VIEW_PLAN,
    VIEW_SESSION,
    consultation_for_user,
    plan_for_user,
)
from treatments.models import TreatmentSession
from treatments.plans import services as plans
from treatments.plans.forms import PlanCancelForm, PlanForm, SessionTimeForm


@login_required
@permission_required(ADD_PLAN)
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan from a signed consultation; the reasons it cannot be made, if any."""
    consultation = consultation_for_user(request.user, pk)
    blockers = plans.plan_blockers(consultation)
    location = Location.objects.order_by("name").first()
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        initial={"location": location, "treatment": plans.Treatment.objects.first()},
    )
    if request.method == "POST" and not blockers and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plans.plan_create(
                consultation=consultation,
                treatment=data["treatment"],
                areas=list(data["areas"]),
                location=data["location"],
                by=signed_in_staff(request),
                now=timezone.now(),
                sessions_planned=data["sessions_planned"],
                min_interval_days=data["min_interval_days"],
                max_interval_days=data["max_interval_days"],
                session_minutes=data["session_minutes"],
                preferred_practitioner=data["preferred_practitioner"],
                preferred_weekdays=data["preferred_weekdays"],
                preferred_time=data["preferred_time"],
                earliest_start=data["earliest_start"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Plan made: every session is proposed below.")
            return redirect("treatments:plan", pk=plan.pk)
    context = {"consultation": consultation, "patient": consultation.patient, "form": form,
               "blockers": blockers}  # fmt: skip
    return render(request, "treatments/plan_form.html", context)


@login_required
@permission_required(VIEW_PLAN)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_user(request.user, pk)
    clinical = has_role_permission(request.user, VIEW_SESSION)
    if clinical:
        audit_view(plan, page="treatment plan", patient_id=plan.patient_id)
    session_list = list(
        plan.sessions.select_related(
            "appointment__practitioner__user", "appointment__room",
            "proposed_practitioner__user", "proposed_room",
        ).order_by("number")
    )  # fmt: skip
    done = sum(s.is_completed for s in session_list)
    context = {
        "plan": plan,
        "patient": plan.patient,
        "areas": list(plan.areas.order_by("position")),
        "sessions": session_list,
        "done": done,
        "progress": round(100 * done / len(session_list)) if session_list else 0,
        "clinical": clinical,
        "can_book": has_role_permission(request.user, BOOK),
        "can_move": has_role_permission(request.user, MOVE),
        "can_change_plan": has_role_permission(request.user, CHANGE_PLAN),
        "has_proposals": any(s.is_proposed for s in session_list),
        "time_form": SessionTimeForm(),
    }
    return render(request, "treatments/plan_detail.html", context)


@login_required
@permission_required(BOOK)
@require_POST
def plan_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_for_user(request.user, pk)
    by, now = signed_in_staff(request), timezone.now()
    return perform(
        request,
        lambda: plans.plan_book(plan=plan, by=by, now=now),
        "Every session is booked.",
        "treatments:plan",
        pk=pk,
    )


def _plan_session(request: HttpRequest, pk: int, number: int) -> TreatmentSession:
    plan = plan_for_user(request.user, pk)
    session = get_object_or_404(plan.sessions.select_related("appointment"), number=number)
    session.plan = plan
    return session


@login_required
@permission_required(BOOK)
@require_POST
def plan_session_adjust_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A new time for a proposed session; the later proposals follow."""
    session = _plan_session(request, pk, number)
    form = SessionTimeForm(request.POST, location=session.plan.location)
    if not form.is_valid():
        messages.error(request, _form_message(form))
        return redirect("treatments:plan", pk=pk)
    start = form.start(session.plan.location)
    by, now = signed_in_staff(request), timezone.now()
    return perform(
        request,
        lambda: plans.plan_session_adjust(session=session, start=start, by=by, now=now),
        f"Session {number} proposed for {start:%d %b %Y %H:%M}; the later ones follow.",
        "treatments:plan",
        pk=pk,
    )


def _form_message(form: SessionTimeForm) -> str:
    return " ".join(
        f"{form.fields[field].label}: {' '.join(str(e) for e in errors)}"
        for field, errors in form.errors.items()
    )


@login_required
@permission_required(MOVE)
@require_POST
def plan_session_move_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Move a booked session; the later sessions keep their window (treatments.plans)."""
    session = _plan_session(request, pk, number)
    form = SessionTimeForm(request.POST, location=session.plan.location)
    if not form.is_valid():
        messages.error(request, _form_message(form))
        return redirect("treatments:plan", pk=pk)
    if session.appointment is None:
        messages.error(request, "This session is not booked yet: change its proposal instead.")
        return redirect("treatments:plan", pk=pk)
    start = form.start(session.plan.location)
    try:
        booking.appointment_move(
            appointment=session.appointment,
            start=start,
            by=signed_in_staff(request),
            now=timezone.now(),
        )
    except booking.SlotTaken:
        messages.error(request, booking.SlotTaken.message)
        response = render_plan_again(request, pk)
        response.status_code = 409
        return response
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Session {number} moved to {start:%d %b %Y %H:%M}.")
    return redirect("treatments:plan", pk=pk)


def render_plan_again(request: HttpRequest, pk: int) -> HttpResponse:
    request.method = "GET"
    return plan_detail(request, pk)


@login_required
@permission_required(CHANGE_PLAN)
@require_POST
def plan_status_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Pause, resume or cancel a plan (the practitioner's decision)."""
    plan = plan_for_user(request.user, pk)
    by, now = signed_in_staff(request), timezone.now()
    if action == "pause":
        run, done = (lambda: plans.plan_pause(plan=plan)), "Plan paused."
    elif action == "resume":
        run, done = (lambda: plans.plan_resume(plan=plan, now=now)), "Plan resumed."
    elif action == "cancel":
        form = PlanCancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for e in form.errors["reason"]))
            return redirect("treatments:plan", pk=pk)
        reason = form.cleaned_data["reason"]
        run = lambda: plans.plan_cancel(plan=plan, reason=reason, by=by, now=now)  # noqa: E731
        done = "Plan cancelled; its sessions still to come are cancelled too."
    else:
        return HttpResponse("Unknown action.", status=404)
    return perform(request, run, done, "treatments:plan", pk=pk)
