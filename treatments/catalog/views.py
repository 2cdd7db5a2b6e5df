"""The catalog pages: treatment areas, their defaults and depth guidance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinic.staff.access import permission_required
from clinic.staff.roles import MANAGE_CLINIC
from clinic.staff.web import add_service_errors
from treatments.catalog.forms import DepthGuidanceFormSet, TreatmentAreaForm
from treatments.catalog.services import treatment_area_update
from treatments.models import TreatmentArea


@login_required
@permission_required(MANAGE_CLINIC)
def catalog(request: HttpRequest) -> HttpResponse:
    """The treatment catalog: each area's course defaults and depth guidance."""
    areas = list(
        TreatmentArea.objects.select_related("treatment")
        .prefetch_related("depths")
        .order_by("treatment__name", "position")
    )
    return render(request, "treatments/catalog.html", {"areas": areas})


@login_required
@permission_required(MANAGE_CLINIC)
def catalog_area(request: HttpRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(TreatmentArea.objects.select_related("treatment"), pk=pk)
    data = request.POST if request.method == "POST" else None
    form = TreatmentAreaForm(data, instance=area)
    formset = DepthGuidanceFormSet(data, instance=area, prefix="depths")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("zone")
        ]
        try:
            treatment_area_update(area=area, fields=form.cleaned_data, guidance=rows)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{area.name} saved. Plans already made keep their numbers.")
            return redirect("treatments:catalog")
    context = {"area": area, "form": form, "formset": formset}
    return render(request, "treatments/catalog_area.html", context)
