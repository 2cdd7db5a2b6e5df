"""The front desk's waitlist: who waits for a time at a location, in the order they joined,
with any time they are being offered; add a patient, or take one off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.scheduling import waitlist
from clinic.scheduling.access import BOOK, VIEW
from clinic.scheduling.calendar_views import SESSION_KEY
from clinic.scheduling.models import Location, WaitlistEntry, WaitlistOffer
from clinic.scheduling.waitlist_forms import (
    WaitlistEntryForm,
    WaitlistFilterForm,
    WaitlistRemoveForm,
)
from clinic.staff.access import has_role_permission, permission_required, require_permission
from clinic.staff.web import add_service_errors, perform, signed_in_staff
from patients.access import VIEW_PATIENTS
from patients.forms import PatientSearchForm
from patients.models import Patient
from patients.selectors import patient_search

PER_PAGE = 50
PICK_LIMIT = 10


def _location(request: HttpRequest) -> Location | None:
    """The location asked for, else the one the book last showed this user, else the first."""
    form = WaitlistFilterForm(request.GET)
    if form.is_valid() and form.cleaned_data["location"] is not None:
        return form.cleaned_data["location"]
    remembered = request.session.get(SESSION_KEY, {}).get("location")
    locations = Location.objects.order_by("name")
    return (remembered and locations.filter(pk=remembered).first()) or locations.first()


@login_required
@permission_required(VIEW)
def waitlist_list(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    held = WaitlistOffer.objects.filter(status=WaitlistOffer.Status.PENDING).select_related(
        "slot__practitioner__user"
    )
    entries = (
        WaitlistEntry.objects.filter(location=location, status__in=WaitlistEntry.OPEN)
        .select_related("patient", "appointment_type", "practitioner__user")
        .prefetch_related(Prefetch("offers", queryset=held, to_attr="held_offers"))
        .order_by("created_at", "pk")
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    first_place = (page.number - 1) * PER_PAGE
    return render(
        request,
        "scheduling/waitlist.html",
        {
            "location": location,
            "locations": Location.objects.order_by("name"),
            "page": page,
            "rows": [(first_place + i + 1, entry) for i, entry in enumerate(page)],
            "can_change": has_role_permission(request.user, BOOK),
            "remove_form": WaitlistRemoveForm(),
            "hold": waitlist.hold_words(),
        },
    )


@login_required
@permission_required(BOOK)
def waitlist_add(request: HttpRequest) -> HttpResponse:
    """Put a patient on the list: the patient comes from their record (``?patient=``), or
    is found here first."""
    require_permission(request.user, VIEW_PATIENTS)
    patient_id = request.GET.get("patient", "")
    patient = Patient.objects.filter(pk=patient_id).first() if patient_id.isdigit() else None
    if patient is None:
        search = PatientSearchForm(request.GET)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        found = list(patient_search(query)[: PICK_LIMIT + 1]) if query.strip() else []
        return render(
            request,
            "scheduling/waitlist_pick.html",
            {
                "search_form": search,
                "query": query,
                "found": found[:PICK_LIMIT],
                "more_found": len(found) > PICK_LIMIT,
                "unknown_patient": bool(patient_id),
            },
            status=404 if patient_id else 200,
        )
    location = _location(request)
    today = timezone.now().astimezone(location.zone).date() if location else timezone.localdate()
    form = WaitlistEntryForm(
        request.POST or None,
        initial={"location": location, "earliest": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            waitlist.waitlist_add(
                patient=patient,
                location=data["location"],
                appointment_type=data["appointment_type"],
                practitioner=data["practitioner"],
                earliest=data["earliest"],
                latest=data["latest"],
                note=data["note"],
                today=timezone.now().astimezone(data["location"].zone).date(),
                by=signed_in_staff(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{patient.full_name} is on the waitlist.")
            return redirect(f"{_list_url()}?location={data['location'].pk}")
    return render(
        request,
        "scheduling/waitlist_form.html",
        {"form": form, "patient": patient},
        status=400 if request.method == "POST" else 200,
    )


def _list_url() -> str:
    return reverse("waitlist:list")


@require_POST
@login_required
@permission_required(BOOK)
def waitlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry, pk=pk)
    form = WaitlistRemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    response = perform(
        request,
        lambda: waitlist.waitlist_remove(entry=entry, reason=reason, now=timezone.now()),
        "Taken off the waitlist.",
        "waitlist:list",
    )
    response["Location"] = f"{_list_url()}?location={entry.location_id}"
    return response
