"""The day of a session: check-in screening, the session page, start and sign."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.staff.access import has_role_permission, permission_required, require_permission
from clinic.staff.audit import audit_view
from clinic.staff.web import add_service_errors, perform, signed_in_staff
from patients.access import patient_for_user
from treatments.access import (
    CHANGE_CONSULTATION,
    CHANGE_SESSION,
    VIEW_CONSULTATION,
    VIEW_SESSION,
    session_for_user,
)
from treatments.aftercare.services import steps_of
from treatments.consultations.forms import (
    OverrideForm,
)
from treatments.consultations.selectors import (
    clearing_consultation,
)
from treatments.models import (
    CheckInScreening,
)
from treatments.sessions import services as sessions
from treatments.sessions.check_in import (
    carried_conditions,
    check_in_override,
    check_in_screen,
    session_may_start,
)
from treatments.sessions.forms import CheckInForm, SessionRecordForm


@login_required
@permission_required(CHANGE_CONSULTATION)
def check_in_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Screen again on the day of a session: what changed since the last visit."""
    patient = patient_for_user(request.user, patient_pk)
    try:
        consultation = clearing_consultation(patient)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("patients:detail", pk=patient_pk)
    audit_view(consultation.history)
    data = request.POST if request.method == "POST" else None
    form = CheckInForm(data, carried=carried_conditions(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            check_in = check_in_screen(
                patient=patient,
                by=signed_in_staff(request),
                conditions=form.conditions(),
                new_medications=form.cleaned_data["new_medications"],
                dates=form.dates(),
                other_changes=form.cleaned_data["other_changes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("treatments:check_in", pk=check_in.pk)
    return render(request, "treatments/check_in_form.html", {"patient": patient, "form": form})


def _check_in_for_user(request: HttpRequest, pk: int) -> CheckInScreening:
    require_permission(request.user, VIEW_CONSULTATION)
    return get_object_or_404(
        CheckInScreening.objects.select_related("patient", "by", "consultation"), pk=pk
    )


@login_required
@permission_required(VIEW_CONSULTATION)
@require_GET
def check_in_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check_in = _check_in_for_user(request, pk)
    audit_view(check_in)
    today = timezone.localdate()
    latest_today = (
        CheckInScreening.objects.filter(patient=check_in.patient, screened_on=today)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    is_current = latest_today == check_in.pk
    may_start, reasons = (
        session_may_start(patient=check_in.patient, on=today) if is_current else (False, [])
    )
    context = {
        "check_in": check_in,
        "patient": check_in.patient,
        "is_current": is_current,
        "may_start": may_start,
        "reasons": reasons,
        "override_form": OverrideForm(),
        "can_override": is_current and has_role_permission(request.user, CHANGE_CONSULTATION),
    }
    return render(request, "treatments/check_in_detail.html", context)


@login_required
@permission_required(CHANGE_CONSULTATION)
@require_POST
def check_in_override_view(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    check_in = _check_in_for_user(request, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write why treatment may go ahead.")
        return redirect("treatments:check_in", pk=pk)
    return perform(
        request,
        lambda: check_in_override(
            check_in=check_in, code=code, by=signed_in_staff(request), **form.cleaned_data
        ),
        "Override recorded.",
        "treatments:check_in",
        pk=pk,
    )


@login_required
@permission_required(VIEW_SESSION)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session record: written during the session, read-only once signed."""
    session = session_for_user(request.user, pk)
    audit_view(session)
    zones = sessions.zones_for(session.plan)
    saved = {d.zone: d for d in session.depths.all()}
    editable = session.can_record and has_role_permission(request.user, CHANGE_SESSION)
    data = request.POST if request.method == "POST" else None
    form = SessionRecordForm(data, instance=session, zones=zones, depths=saved)
    if request.method == "POST":
        require_permission(request.user, CHANGE_SESSION)
        if not editable:
            messages.error(request, "This session record cannot be changed now.")
            return redirect("treatments:session", pk=pk)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in sessions.RECORD_FIELDS}
            try:
                sessions.session_record_save(session=session, fields=fields, depths=form.depths())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Record saved.")
                return redirect("treatments:session", pk=pk)
    may_start, reasons = False, list[str]()
    aftercare = getattr(session, "aftercare", None)
    appointment = session.appointment
    if appointment is not None and session.can_start:
        day = timezone.now().astimezone(appointment.location.zone).date()
        may_start, reasons = session_may_start(patient=session.plan.patient, on=day)
    context = {
        "session": session,
        "plan": session.plan,
        "patient": session.plan.patient,
        "form": form,
        "editable": editable,
        "depths": list(saved.values()),
        "zones": zones,
        "may_start": may_start,
        "start_reasons": reasons,
        "aftercare": aftercare,
        "aftercare_steps": steps_of(aftercare.steps) if aftercare else [],
    }
    return render(request, "treatments/session_detail.html", context)


@login_required
@permission_required(CHANGE_SESSION)
@require_POST
def session_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for_user(request.user, pk)
    now = timezone.now()
    return perform(
        request,
        lambda: sessions.session_start(session=session, now=now),
        "Session started: record it as you go.",
        "treatments:session",
        pk=pk,
    )


@login_required
@permission_required(CHANGE_SESSION)
@require_POST
def session_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for_user(request.user, pk)
    by, now = signed_in_staff(request), timezone.now()
    return perform(
        request,
        lambda: sessions.session_sign(session=session, by=by, now=now),
        "Session signed and completed. The record can no longer change.",
        "treatments:session",
        pk=pk,
    )
