"""The day of a session: check-in screening, the session page, start and sign."""

import csv
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from clinic.staff.access import has_role_permission, permission_required, require_permission
from clinic.staff.audit import audit_list, audit_view
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
    TreatmentSession,
)
from treatments.sessions import recall
from treatments.sessions import selectors as session_selectors
from treatments.sessions import services as sessions
from treatments.sessions.check_in import (
    carried_conditions,
    check_in_override,
    check_in_screen,
    screening_day,
    session_may_start,
)
from treatments.sessions.forms import (
    CheckInForm,
    LotRecallForm,
    LotSearchForm,
    SessionRecordForm,
)


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
    audit_view(consultation.history, page="check-in", patient_id=patient.pk)
    data = request.POST if request.method == "POST" else None
    form = CheckInForm(data, carried=carried_conditions(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            check_in = check_in_screen(
                patient=patient,
                by=signed_in_staff(request),
                conditions=form.conditions(),
                new_medications=form.cleaned_data["new_medications"],
                confirm_unrecognised=form.cleaned_data["confirm_unrecognised"],
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
    audit_view(check_in, page="check-in", patient_id=check_in.patient_id)
    today = screening_day(check_in.patient, timezone.now())
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


def _briefing(session: TreatmentSession, day: date) -> dict[str, Any]:
    """What the practitioner reads before treating: the screening and overrides that
    apply today, and the last session's record (the plan's notes come with the plan)."""
    screening = session_selectors.screening_today(session, day)
    if screening.consultation is not None:
        consultation = screening.consultation
        audit_view(consultation, page="session briefing", patient_id=consultation.patient_id)
    previous = session_selectors.previous_session(session)
    return {
        "screening": screening,
        "previous": previous,
        "previous_aftercare": getattr(previous, "aftercare", None) if previous else None,
    }


@login_required
@permission_required(VIEW_SESSION)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session record: written during the session, read-only once signed."""
    session = session_for_user(request.user, pk)
    audit_view(session, page="treatment session", patient_id=session.plan.patient_id)
    zones = sessions.zones_for(session.plan)
    saved = {d.zone: d for d in session.depths.all()}
    editable = session.can_record and has_role_permission(request.user, CHANGE_SESSION)
    data = request.POST if request.method == "POST" else None
    form = SessionRecordForm(
        data,
        instance=session,
        zones=zones,
        depths=saved,
        consultation_skin=session.plan.consultation.skin_thickness,
    )
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
    zone = appointment.location.zone if appointment is not None else session.plan.location.zone
    day = timezone.now().astimezone(zone).date()
    if appointment is not None and session.can_start:
        may_start, reasons = session_may_start(patient=session.plan.patient, on=day)
    context = {
        **(_briefing(session, day) if not session.is_signed else {}),
        "guidance": session_selectors.skin_guidance(session, zones),
        "perms_search_lot": has_role_permission(request.user, recall.SEARCH_LOT),
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


# --- Cartridge-lot recall ---------------------------------------------------------------


def _lot_search(request: HttpRequest) -> LotSearchForm:
    return LotSearchForm(request.GET if request.GET else None)


@login_required
@permission_required(recall.SEARCH_LOT)
@require_GET
def lot_recall(request: HttpRequest) -> HttpResponse:
    """Every session that used a lot (or device model): when, who treated, whom."""
    form = _lot_search(request)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["query"]
        found = list(recall.sessions_using(query))
        # The results name patients and their sessions: that the search happened, by whom.
        audit_list(TreatmentSession, page="lot recall", searched=True)
        context.update(
            searched=True,
            query=query,
            found=[(session, recall.treated_by(session)) for session in found],
            patients=recall.recall_patients(found),
            csv_query=request.GET.urlencode(),
            can_send=has_role_permission(request.user, recall.SEND_RECALL),
            recall_form=LotRecallForm(
                initial={
                    "needle_lot": query.needle_lot,
                    "device_model": query.device_model,
                    "text": recall.draft_text(query),
                }
            ),
        )
    return render(request, "treatments/lot_recall.html", context)


@login_required
@permission_required(recall.SEARCH_LOT)
@require_GET
def lot_recall_csv(request: HttpRequest) -> HttpResponse:
    form = _lot_search(request)
    if not (form.is_bound and form.is_valid()):
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(
            f"Say which lot or device: {problems or 'nothing was asked for.'}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    query = form.cleaned_data["query"]
    audit_list(TreatmentSession, page="lot recall (CSV)", searched=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # The byte-order mark tells spreadsheet programs the file is UTF-8 (names with accents).
    response.write("\ufeff")
    name = slugify(query.in_words) or "recall"
    response["Content-Disposition"] = f'attachment; filename="sessions-{name}.csv"'
    writer = csv.writer(response)
    for row in recall.csv_rows(recall.sessions_using(query)):
        writer.writerow(row)
    return response


@login_required
@permission_required(recall.SEND_RECALL)
@require_POST
def lot_recall_send_view(request: HttpRequest) -> HttpResponse:
    """Write to every patient the search finds, through the outbox."""
    form = LotRecallForm(request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
        search = {k: request.POST.get(k, "") for k in ("needle_lot", "device_model")}
        return redirect(f"{reverse('treatments:lot_recall')}?{urlencode(search)}")
    query = form.cleaned_data["query"]
    try:
        sent = recall.lot_recall_send(
            query=query,
            text=form.cleaned_data["text"],
            by=signed_in_staff(request),
            now=timezone.now(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        count = sent.patients.count()
        messages.success(
            request,
            f"The recall message is on its way to {count} patient{pluralize(count)} "
            "(see Messages for each one).",
        )
    search = {"needle_lot": query.needle_lot, "device_model": query.device_model}
    return redirect(f"{reverse('treatments:lot_recall')}?{urlencode(search)}")
