"""The history from home on the consultation: reviewed answer by answer beside what the
consultation records, and taken in by the consultation's practitioner while it is a
draft; read only once signed, and for colleagues."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from clinic.staff.access import permission_required
from clinic.staff.audit import audit_view
from clinic.staff.web import signed_in_staff
from treatments.access import CHANGE_CONSULTATION, VIEW_CONSULTATION, consultation_for_user
from treatments.consultations.forms import TakeInAllForm, TakeInForm
from treatments.consultations.home_history_review import (
    history_answer_take_in,
    history_take_in_all,
    question,
)
from treatments.consultations.selectors import home_history_review
from treatments.models import Consultation, HomeHistory

REVIEW = "treatments:home_history_review"


@login_required
@permission_required(VIEW_CONSULTATION)
@require_GET
def home_history_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for_user(request.user, pk)
    review = home_history_review(consultation)
    home = review.home_history
    if home is None:
        messages.info(request, "There is no history from home for this consultation.")
        return redirect("treatments:consultation", pk=pk)
    audit_view(home, page="history from home", patient_id=consultation.patient_id)
    audit_view(consultation.history, page="history from home", patient_id=consultation.patient_id)
    context = {
        "consultation": consultation,
        "patient": consultation.patient,
        "review": review,
        "home": home,
        "findings": list(consultation.findings.all()),
        "can_change": consultation.may_be_changed_by(request.user),
    }
    return render(request, "treatments/home_history_review.html", context)


def _under_review(consultation: Consultation, home_history_pk: int) -> HomeHistory:
    """The history the page showed, if it is still the one this consultation reviews."""
    home = home_history_review(consultation, now=False).home_history
    if home is None or home.pk != home_history_pk:
        raise ValidationError(
            "The history from home for this consultation is not the one on the page. "
            "Look at it again."
        )
    return home


def _form_errors(form: TakeInForm | TakeInAllForm) -> str:
    if "value" in form.errors:
        return " ".join(str(error) for error in form.errors["value"])
    return "That answer could not be taken in. Reload the page and try again."


@login_required
@permission_required(CHANGE_CONSULTATION)
@require_POST
def home_history_take_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one answer in, as given or recorded differently."""
    consultation = consultation_for_user(request.user, pk)
    form = TakeInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(REVIEW, pk=pk)
    name = form.cleaned_data["field"]
    try:
        history_answer_take_in(
            consultation=consultation,
            home_history=_under_review(consultation, form.cleaned_data["home_history"]),
            field=name,
            by=signed_in_staff(request),
            recorded=form.recorded(),
        )
    except ValidationError as exc:
        messages.error(request, f"“{question(name)}”: {' '.join(exc.messages)}")
    else:
        given = form.cleaned_data["how"] == TakeInForm.AS_GIVEN
        how = "taken in as given" if given else "recorded differently"
        messages.success(request, f"“{question(name)}”: {how}.")
    return redirect(REVIEW, pk=pk)


@login_required
@permission_required(CHANGE_CONSULTATION)
@require_POST
def home_history_take_in_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Take in, as given, every answer not yet taken in that the draft does not record
    differently; the ones it does are left, and the message says how many."""
    consultation = consultation_for_user(request.user, pk)
    form = TakeInAllForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(REVIEW, pk=pk)
    try:
        result = history_take_in_all(
            consultation=consultation,
            home_history=_under_review(consultation, form.cleaned_data["home_history"]),
            by=signed_in_staff(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(REVIEW, pk=pk)
    taken = len(result.taken)
    if taken:
        messages.success(request, f"{taken} answer{'s'[: taken != 1]} taken in as given.")
    elif not result.refused and not result.differing:
        messages.info(request, "Every answer is already taken in.")
    if result.differing:
        left = len(result.differing)
        messages.warning(
            request,
            f"{left} answer{'s'[: left != 1]} {'differ' if left != 1 else 'differs'} from "
            "what is recorded: review them one by one.",
        )
    for name, why in result.refused.items():
        messages.warning(request, f"Not taken in: “{question(name)}”. {why}")
    return redirect(REVIEW, pk=pk)
