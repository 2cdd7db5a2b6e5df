"""A patient's data rights: the overview, the export (JSON and printable), restriction
and erasure. Export: practitioner or manager; restriction and erasure: manager only."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.data_rights.access import (
    may_manage_data_rights,
    may_open_record,
    patient_for_data_rights,
    patient_for_export,
)
from clinic.data_rights.audit import audit_data_rights
from clinic.data_rights.export import detail_rows, record_as_data, record_sections
from clinic.data_rights.forms import ErasureForm, RestrictionForm
from clinic.data_rights.selectors import patient_record, patients_with_data_requests
from clinic.data_rights.services import (
    patient_erase,
    patient_restrict,
    patient_restriction_lift,
    retention_end,
)
from clinic.staff.access import permission_required
from clinic.staff.roles import MANAGE_CLINIC
from clinic.staff.web import signed_in_staff
from patients.forms import PatientSearchForm
from patients.selectors import patient_search

PAGE_SIZE = 25


@login_required
@permission_required(MANAGE_CLINIC)
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    """The manager's way to a patient's data rights: find the patient, or see those whose
    data is restricted or erased."""
    form = PatientSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    patients = patient_search(query) if query else patients_with_data_requests()
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "data_rights/requests.html", {"form": form, "query": query, "page": page}
    )


@login_required
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_for_export(request.user, pk)
    manages = may_manage_data_rights(request.user)
    context = {
        "patient": patient,
        "can_open_record": may_open_record(request.user),
        "manages": manages,
        "restriction_form": RestrictionForm(lift=patient.is_restricted) if manages else None,
    }
    return render(request, "data_rights/overview.html", context)


@login_required
@require_GET
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole record as JSON, to download; the export is audited."""
    patient = patient_for_export(request.user, pk)
    data = record_as_data(patient_record(patient))
    audit_data_rights(patient, "export", "JSON download", viewed=True)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}-record.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole record as a page to read and print; the export is audited."""
    patient = patient_for_export(request.user, pk)
    data = record_as_data(patient_record(patient))
    audit_data_rights(patient, "export", "printable copy", viewed=True)
    context = {
        "patient": patient,
        "can_open_record": may_open_record(request.user),
        "data": data,
        "details": detail_rows(data),
        "sections": record_sections(data),
    }
    response = render(request, "data_rights/export.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def restriction(request: HttpRequest, pk: int) -> HttpResponse:
    """Restrict the patient's data, or lift the restriction, with a reason."""
    patient = patient_for_data_rights(request.user, pk)
    lifting = patient.is_restricted
    form = RestrictionForm(request.POST, lift=lifting)
    if not form.is_valid():
        messages.error(request, "Say why, in at most 500 characters.")
        return redirect("data_rights:overview", pk=patient.pk)
    reason = form.cleaned_data["reason"]
    try:
        if lifting:
            patient_restriction_lift(patient=patient, reason=reason)
        else:
            patient_restrict(patient=patient, reason=reason, now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = "lifted: messages may go to them again" if lifting else "set: nothing is sent"
        messages.success(request, f"{patient.full_name}'s restriction is {done}.")
    return redirect("data_rights:overview", pk=patient.pk)


@login_required
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then erase what may go now; the clinical record waits for retention."""
    patient = patient_for_data_rights(request.user, pk)
    if patient.erasure_requested:
        messages.info(request, "This patient's erasure is already recorded.")
        return redirect("data_rights:overview", pk=patient.pk)
    now = timezone.now()
    form = ErasureForm(request.POST if request.method == "POST" else None, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            patient_erase(
                patient=patient, reason=form.cleaned_data["reason"],
                by=signed_in_staff(request), now=now,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Contact details are erased; the clinical record waits.")
            return redirect("data_rights:overview", pk=patient.pk)
    context = {
        "patient": patient,
        "can_open_record": may_open_record(request.user),
        "form": form,
        "kept_until": retention_end(patient, now=now),
        "retention_years": settings.RECORD_RETENTION_YEARS,
    }
    return render(request, "data_rights/erase.html", context)
