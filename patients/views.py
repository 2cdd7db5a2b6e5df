from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from clinic.staff.access import has_role_permission, permission_required
from clinic.staff.audit import audit_list, audit_view
from clinic.staff.roles import CLINICAL_WORK, MANAGE_CLINIC, VIEW_AUDIT_LOG
from clinic.staff.selectors import record_accesses
from patients.access import CHANGE_PATIENTS, REGISTER_PATIENTS, VIEW_PATIENTS, patient_for_user
from patients.forms import PatientForm, PatientSearchForm
from patients.models import Patient
from patients.selectors import patient_possible_duplicates, patient_search
from patients.services import patient_register, patient_update

PAGE_SIZE = 25
ACCESSES_PAGE_SIZE = 50


@login_required
@permission_required(VIEW_PATIENTS)
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    """Find a patient by name, phone, email or date of birth; htmx refreshes the results."""
    form = PatientSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(patient_search(query), PAGE_SIZE).get_page(request.GET.get("page"))
    # That a search happened and by whom; not what was typed (clinic/staff/audit.py).
    audit_list(Patient, page="patient list", searched=bool(query))
    context = {
        "form": form,
        "query": query,
        "page": page,
        "can_register": has_role_permission(request.user, REGISTER_PATIENTS),
    }
    if request.headers.get("HX-Request"):
        return render(request, "patients/_patient_results.html", context)
    return render(request, "patients/patient_list.html", context)


def save_with_duplicate_check(
    request: HttpRequest,
    form: PatientForm,
    save: Callable[..., Patient],
    exclude_pk: int | None = None,
) -> tuple[Patient | None, list[Patient]]:
    """Validate, warn about near-matches until confirmed, then save through the service."""
    if not form.is_valid():
        return None, []
    fields = form.patient_fields()
    duplicates = patient_possible_duplicates(
        first_name=fields["first_name"],
        last_name=fields["last_name"],
        date_of_birth=fields["date_of_birth"],
        email=fields["email"],
        mobile=fields["mobile"],
        exclude_pk=exclude_pk,
    )
    if duplicates and not form.cleaned_data.get("confirm_not_duplicate"):
        form.show_duplicate_confirmation()
        return None, duplicates
    try:
        return save(by=request.user, **fields), []
    except ValidationError as exc:
        form.add_error(None, exc)
        return None, []


@login_required
@permission_required(REGISTER_PATIENTS)
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST if request.method == "POST" else None)
    duplicates: list[Patient] = []
    if request.method == "POST":
        patient, duplicates = save_with_duplicate_check(request, form, patient_register)
        if patient is not None:
            messages.success(request, f"{patient.full_name} is registered.")
            return redirect("patients:detail", pk=patient.pk)
    context = {"form": form, "duplicates": duplicates, "title": "Register a patient"}
    return render(request, "patients/patient_form.html", context)


@login_required
@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_for_user(request.user, pk)
    audit_view(patient, page="patient record", patient_id=patient.pk)
    context = {
        "patient": patient,
        "can_edit": has_role_permission(request.user, CHANGE_PATIENTS),
        "can_book": has_role_permission(request.user, "scheduling.add_appointment"),
        "can_see_accesses": has_role_permission(request.user, VIEW_AUDIT_LOG),
        # Export, restriction and erasure (clinic.data_rights): practitioners and the
        # manager; the record shows a restriction or an erasure to everyone.
        "can_see_data_rights": has_role_permission(request.user, CLINICAL_WORK)
        or has_role_permission(request.user, MANAGE_CLINIC),
    }
    return render(request, "patients/patient_detail.html", context)


@login_required
@require_GET
def patient_accesses(request: HttpRequest, pk: int) -> HttpResponse:
    """Who looked at this patient's record: who, when, which page; never what it showed.

    For whoever reads the audit log (the clinic manager), who need not see the record.
    """
    patient = patient_for_user(request.user, pk, permission=VIEW_AUDIT_LOG)
    page = Paginator(record_accesses(patient.pk), ACCESSES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "patients/patient_accesses.html", {"patient": patient, "page": page})


@login_required
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_for_user(request.user, pk, permission=CHANGE_PATIENTS)
    audit_view(patient, page="patient details (edit)", patient_id=patient.pk)
    form = PatientForm(request.POST if request.method == "POST" else None, instance=patient)
    duplicates: list[Patient] = []
    if request.method == "POST":

        def update(*, by: object, **fields: object) -> Patient:
            # Who changed the details is in the audit log; the record keeps who created it.
            return patient_update(patient=patient, **fields)

        saved, duplicates = save_with_duplicate_check(request, form, update, patient.pk)
        if saved is not None:
            messages.success(request, f"{saved.full_name}'s details are saved.")
            return redirect("patients:detail", pk=saved.pk)
    context = {
        "form": form,
        "duplicates": duplicates,
        "patient": patient,
        "title": f"Edit {patient.full_name}",
    }
    return render(request, "patients/patient_form.html", context)
