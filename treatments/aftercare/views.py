"""Aftercare pages: the templates (practitioners read, the manager writes new versions)
and the printable copy a patient was given after a session."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clinic.staff.access import has_role_permission, permission_required
from clinic.staff.audit import audit_view
from clinic.staff.web import signed_in_staff
from treatments.access import VIEW_SESSION, session_for_user
from treatments.aftercare.defaults import DEFAULT_CALL_CLINIC, DEFAULT_FOLLOW_UP_DAYS, DEFAULT_STEPS
from treatments.aftercare.forms import (
    AftercareStepFormSet,
    AftercareTemplateForm,
    BaseStepFormSet,
    initial_from,
)
from treatments.aftercare.services import aftercare_template_revise, steps_of
from treatments.models import AftercareTemplate, Treatment

VIEW_AFTERCARE = "treatments.view_aftercaretemplate"


REVISE_AFTERCARE = "treatments.add_aftercaretemplate"


@login_required
@permission_required(VIEW_AFTERCARE)
def aftercare_templates(request: HttpRequest) -> HttpResponse:
    """Each treatment's aftercare in force, and the versions before it."""
    treatments = list(Treatment.objects.order_by("name"))
    versions: dict[int, list[AftercareTemplate]] = {}
    for template in AftercareTemplate.objects.select_related("created_by").order_by(
        "treatment", "-version"
    ):
        versions.setdefault(template.treatment_id, []).append(template)
    rows = []
    for treatment in treatments:
        history = versions.get(treatment.pk, [])
        current = history[0] if history else None
        rows.append(
            {
                "treatment": treatment,
                "current": current,
                "steps": steps_of(current.steps if current else DEFAULT_STEPS),
                "call_clinic": current.call_clinic if current else DEFAULT_CALL_CLINIC,
                "follow_up_days": (current.follow_up_days if current else DEFAULT_FOLLOW_UP_DAYS),
                "earlier": history[1:],
            }
        )
    context = {"rows": rows, "may_revise": has_role_permission(request.user, REVISE_AFTERCARE)}
    return render(request, "treatments/aftercare_templates.html", context)


@login_required
@permission_required(REVISE_AFTERCARE)
def aftercare_template_edit(request: HttpRequest, treatment_pk: int) -> HttpResponse:
    """Write the next version of a treatment's aftercare, starting from the current one."""
    treatment = get_object_or_404(Treatment, pk=treatment_pk)
    current = treatment.aftercare_templates.order_by("-version").first()
    if current is None:
        current = AftercareTemplate(
            treatment=treatment, version=0, steps=DEFAULT_STEPS,
            call_clinic=DEFAULT_CALL_CLINIC, follow_up_days=DEFAULT_FOLLOW_UP_DAYS,
        )  # fmt: skip
    initial, initial_steps = initial_from(current)
    steps: BaseStepFormSet
    if request.method == "POST":
        form = AftercareTemplateForm(request.POST)
        steps = cast(BaseStepFormSet, AftercareStepFormSet(request.POST, prefix="steps"))
    else:
        form = AftercareTemplateForm(initial=initial)
        steps = cast(BaseStepFormSet, AftercareStepFormSet(initial=initial_steps, prefix="steps"))
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        try:
            saved = aftercare_template_revise(
                treatment=treatment,
                steps=steps.steps(),
                call_clinic=form.cleaned_data["call_clinic"],
                follow_up_days=form.cleaned_data["follow_up_days"],
                by=signed_in_staff(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(None if field == "steps" else field, errors)
        else:
            messages.success(
                request,
                f"{treatment.name} aftercare saved as version {saved.version}. "
                "Patients already given aftercare keep the version they were given.",
            )
            return redirect("treatments:aftercare_templates")
    context = {"treatment": treatment, "current": current, "form": form, "steps": steps}
    return render(request, "treatments/aftercare_template_form.html", context)


@login_required
@permission_required(VIEW_SESSION)
def aftercare_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The aftercare a patient was given after a session, laid out to print."""
    session = session_for_user(request.user, pk)
    issued = getattr(session, "aftercare", None)
    if issued is None:
        raise Http404("This session has no aftercare yet: it is issued when the session is signed.")
    audit_view(issued, page="aftercare given", patient_id=session.plan.patient_id)
    context = {
        "session": session,
        "patient": session.plan.patient,
        "issued": issued,
        "steps": steps_of(issued.steps),
    }
    return render(request, "treatments/aftercare_print.html", context)
