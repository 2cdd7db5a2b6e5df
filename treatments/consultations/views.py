"""Consultation pages: the record with live screening, overrides, signing, addenda,
consent, and the manager's screening rules and consent texts."""

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.staff.access import has_role_permission, permission_required
from clinic.staff.audit import audit_view
from clinic.staff.roles import MANAGE_CLINIC
from clinic.staff.web import perform, signed_in_staff
from patients.access import patient_for_user
from treatments.access import (
    ADD_CONSENT,
    ADD_CONSULTATION,
    ADD_PLAN,
    CHANGE_CONSULTATION,
    VIEW_CONSULTATION,
    consultation_for_user,
)
from treatments.consultations.forms import (
    AddendumForm,
    BaseMedicineFormSet,
    ConsentForm,
    ConsentTextForm,
    ConsultationForm,
    HistoryForm,
    MedicineFormSet,
    OverrideForm,
    RuleSettingForm,
    SignForm,
    medicine_initial,
)
from treatments.consultations.medicines import (
    MedicineEntry,
    entries_of,
    screened_lines,
    unresolved_message,
)
from treatments.consultations.selectors import (
    clinic_rule_changes,
    clinic_rule_settings,
    home_history_review,
    latest_history,
    rule_adjustments,
)
from treatments.consultations.services import (
    HISTORY_FIELDS,
    allowed_decisions,
    consent_sign,
    consent_text_current,
    consent_text_publish,
    consultation_addendum_add,
    consultation_sign,
    consultation_start,
    consultation_update,
    finding_override,
    screening_answers,
    screening_rule_configure,
)
from treatments.models import (
    ConsentText,
    Consultation,
    MedicalHistory,
    ScreeningFinding,
    ScreeningRuleSetting,
    history_label,
    rule_change_refused,
)
from treatments.screening import medicines as vocabulary
from treatments.screening.engine import ruleset_version, screen
from treatments.screening.rules import DEFAULT_RULES, Level


def _forms(
    request: HttpRequest, consultation: Consultation | None, history: MedicalHistory | None
) -> tuple[ConsultationForm, HistoryForm, BaseMedicineFormSet]:
    """The forms of the page: the record, the history, and its medicines. A new
    consultation's history starts from ``history`` (the last one's answers) without ever
    binding to that earlier record."""
    data = request.POST if request.method == "POST" else None
    today = timezone.localdate()
    initial = {"consulted_on": today, "intended_treatment_date": today}
    lines = medicine_initial(entries_of(history)) if history is not None else []
    if consultation is not None:
        history_form = HistoryForm(data, instance=history, prefix="h")
    else:
        start = {name: getattr(history, name) for name in HISTORY_FIELDS} if history else {}
        history_form = HistoryForm(data, initial=start, prefix="h")
    return (
        ConsultationForm(data, instance=consultation, initial=initial, prefix="c"),
        history_form,
        MedicineFormSet(data, initial=lines, prefix="m"),
    )


def _offer_matches(medicines: BaseMedicineFormSet) -> None:
    """Give each line what the page shows about its match: the medicine it is, or the
    near matches to accept or reject (never applied without the practitioner)."""
    for form in medicines.forms:
        values = form.cleaned_data if form.is_bound and form.is_valid() else form.initial
        key, text = values.get("medicine_key") or "", (values.get("text") or "").strip()
        form.match, form.offers = None, ()
        if key:
            form.match = vocabulary.find(key)
        elif text:
            recognition = vocabulary.recognise(text)
            form.match, form.offers = recognition.medicine, recognition.suggestions[:3]


def _save(
    request: HttpRequest,
    consultation: Consultation,
    form: ConsultationForm,
    history: HistoryForm,
    medicines: BaseMedicineFormSet,
) -> bool:
    try:
        consultation_update(
            consultation=consultation,
            by=signed_in_staff(request),
            fields={name: form.cleaned_data[name] for name in form.Meta.fields},
            history=history.cleaned_data,
            medicines=medicines.entries(),
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return False
        for field, errors in exc.message_dict.items():
            if field == "medicines":
                medicines.non_form_errors().extend(errors)
                continue
            target = form if field in form.fields else history
            target.add_error(field if field in target.fields else None, errors)
        return False
    return True


def _valid(form: ConsultationForm, history: HistoryForm, medicines: BaseMedicineFormSet) -> bool:
    return all([form.is_valid(), history.is_valid(), medicines.is_valid()])


@login_required
@permission_required(ADD_CONSULTATION)
def consultation_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """Start a consultation; the history begins as the last consultation's answers."""
    patient = patient_for_user(request.user, patient_pk)
    previous = latest_history(patient)
    if previous is not None:
        # The form starts from the last history: that is a view of a clinical record.
        audit_view(previous, page="new consultation", patient_id=patient.pk)
    form, history, medicines = _forms(request, None, previous)
    if request.method == "POST" and _valid(form, history, medicines):
        with transaction.atomic():
            consultation = consultation_start(
                patient=patient, practitioner=signed_in_staff(request)
            )
            saved = _save(request, consultation, form, history, medicines)
            if not saved:
                transaction.set_rollback(True)
        if saved:
            messages.success(request, "Consultation saved as a draft. Review and sign it.")
            return redirect("treatments:consultation", pk=consultation.pk)
    context = {
        "patient": patient,
        "form": form,
        "history": history,
        "medicines": medicines,
        **_preview(form, history, medicines),
    }
    return render(request, "treatments/consultation_form.html", context)


@login_required
@permission_required(CHANGE_CONSULTATION)
def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for_user(request.user, pk)
    if consultation.is_signed:
        messages.info(request, "This consultation is signed and cannot change.")
        return redirect("treatments:consultation", pk=pk)
    if not consultation.may_be_changed_by(request.user):
        holder = consultation.practitioner.get_full_name() or consultation.practitioner
        messages.info(request, f"This draft is {holder}'s: only they may change or sign it.")
        return redirect("treatments:consultation", pk=pk)
    form, history, medicines = _forms(request, consultation, consultation.history)
    valid = request.method == "POST" and _valid(form, history, medicines)
    if valid and _save(request, consultation, form, history, medicines):
        messages.success(request, "Consultation saved.")
        return redirect("treatments:consultation", pk=pk)
    audit_view(consultation.history, page="consultation (edit)", patient_id=consultation.patient_id)
    context = {
        "patient": consultation.patient,
        "consultation": consultation,
        "home_review": home_history_review(consultation, now=False),
        "form": form,
        "history": history,
        "medicines": medicines,
        **_preview(form, history, medicines),
    }
    return render(request, "treatments/consultation_form.html", context)


def _preview(
    form: ConsultationForm, history: HistoryForm, medicines: BaseMedicineFormSet
) -> dict[str, Any]:
    """Screen what the form holds right now, without saving (the live panel), with the
    clinic's changes to the rules that the practitioner should know of.

    A bound form gives what validates so far; an unbound one its starting values, such
    as a history carried over from the last consultation.
    """
    if form.is_bound:
        form.is_valid()
        history.is_valid()
        medicines.is_valid()
        answers, history_answers = form.cleaned_data, history.cleaned_data
        entries = medicines.entries()
    else:
        answers, history_answers = dict(form.initial), dict(history.initial)
        entries = [MedicineEntry(**_entry_values(line)) for line in medicines.initial or []]
    _offer_matches(medicines)
    lines = screened_lines(entries)
    settings = clinic_rule_settings()
    result = screen(
        screening_answers(
            history=history_answers,
            fitzpatrick_type=answers.get("fitzpatrick_type"),
            treatment_date=answers.get("intended_treatment_date") or timezone.localdate(),
            medicines=lines,
        ),
        adjustments=rule_adjustments(settings),
    )
    return {
        "preview": result,
        "rule_changes": clinic_rule_changes(settings),
        "unresolved": unresolved_message(lines),
    }


def _entry_values(initial: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "text": initial["text"], "medicine_key": initial["medicine_key"],
        "route": initial["route"], "current": initial["status"] == "current",
        "stopped_on": initial["stopped_on"], "dose": initial["dose"],
        "confirmed": initial["confirmed"],
    }  # fmt: skip


@login_required
@permission_required(ADD_CONSULTATION)
@require_POST
def screening_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the findings for the form as it is being filled in."""
    form, history, medicines = _forms(request, None, None)
    if not (form.is_bound and history.is_bound):
        return HttpResponse(status=400)
    if not medicines.management_form.is_valid():
        # A form from before the medicine rows, or a tampered one: screen without them.
        medicines = MedicineFormSet(prefix="m")
    return render(request, "treatments/_screening_panel.html", _preview(form, history, medicines))


@login_required
@permission_required(ADD_CONSULTATION)
@require_GET
def medicine_suggest(request: HttpRequest) -> JsonResponse:
    """The type-ahead of the medicine name: the medicines that fit what is typed."""
    typed = request.GET.get("q", "").strip()
    if len(typed) < 2 or len(typed) > 100:
        return JsonResponse(
            {"error": "Type between 2 and 100 letters of the medicine's name."}, status=400
        )
    return JsonResponse(
        {
            "results": [
                {"key": medicine.key, "label": medicine.label}
                for medicine in vocabulary.suggest(typed, limit=8)
            ]
        }
    )


@login_required
@permission_required(VIEW_CONSULTATION)
@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for_user(request.user, pk)
    audit_view(consultation, page="consultation", patient_id=consultation.patient_id)
    audit_view(consultation.history, page="consultation", patient_id=consultation.patient_id)
    findings = list(consultation.findings.select_related("overridden_by"))
    allowed = allowed_decisions(findings) if not consultation.is_signed else []
    history = consultation.history
    medicine_lines = list(history.medicine_lines.select_related("confirmed_by"))
    concerns = dict(Consultation.Concern.choices)
    areas = dict(Consultation.Area.choices)
    context = {
        "consultation": consultation,
        "patient": consultation.patient,
        "history": history,
        "concern_labels": [concerns.get(c, c) for c in consultation.concerns],
        "area_labels": [areas.get(a, a) for a in consultation.areas],
        "history_yes": [
            history_label(MedicalHistory.CONDITION_FIELDS[c]) for c in history.conditions()
        ],
        "history_dates": [
            (history_label(MedicalHistory.DATE_FIELDS[event]), day)
            for event, day in history.event_dates().items()
        ],
        "findings": findings,
        "medicine_lines": medicine_lines,
        "unchecked_medicines": [line for line in medicine_lines if not line.is_resolved],
        "override_form": OverrideForm(),
        "addenda": list(consultation.addenda.select_related("author")),
        "addendum_form": AddendumForm(),
        "can_add_addendum": consultation.is_signed
        and has_role_permission(request.user, CHANGE_CONSULTATION),
        "sign_form": SignForm(allowed=allowed),
        "can_change": consultation.may_be_changed_by(request.user),
        "can_plan": consultation.clears_for_treatment
        and has_role_permission(request.user, ADD_PLAN),
        "home_review": home_history_review(consultation, now=False),
    }
    return render(request, "treatments/consultation_detail.html", context)


@login_required
@permission_required(CHANGE_CONSULTATION)
@require_POST
def finding_override_view(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    consultation = consultation_for_user(request.user, pk)
    finding = get_object_or_404(ScreeningFinding, pk=finding_pk, consultation=consultation)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            if request.user != consultation.practitioner:
                raise ValidationError("Only the consultation's practitioner may record this.")
            finding_override(finding=finding, by=signed_in_staff(request), **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Override recorded for “{finding.title}”.")
    else:
        messages.error(request, "Write why treatment may go ahead.")
    return redirect("treatments:consultation", pk=pk)


@login_required
@permission_required(CHANGE_CONSULTATION)
@require_POST
def consultation_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for_user(request.user, pk)
    form = SignForm(request.POST, allowed=allowed_decisions(consultation.findings.all()))
    if not form.is_valid():
        messages.error(request, "Choose one of the decisions the findings allow.")
        return redirect("treatments:consultation", pk=pk)
    return perform(
        request,
        lambda: consultation_sign(
            consultation=consultation,
            by=signed_in_staff(request),
            decision=form.cleaned_data["decision"],
        ),
        "Consultation signed. It can no longer be changed.",
        "treatments:consultation",
        pk=pk,
    )


@login_required
@permission_required(MANAGE_CLINIC)
def screening_rules(request: HttpRequest) -> HttpResponse:
    """The manager's view of every default rule and the clinic's changes to it."""
    settings_by_code = {
        s.code: s for s in ScreeningRuleSetting.objects.select_related("changed_by")
    }
    rows = []
    for rule in DEFAULT_RULES:
        setting = settings_by_code.get(rule.code)
        initial = {
            "enabled": "1" if setting is None or setting.enabled else "0",
            "level": setting.level if setting else "",
        }
        form = RuleSettingForm(initial=initial, rule=rule)
        rows.append({"rule": rule, "setting": setting, "form": form})
    context = {"rows": rows, "version": ruleset_version(rule_adjustments())}
    return render(request, "treatments/screening_rules.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
@require_POST
def screening_rule_update(request: HttpRequest, code: str) -> HttpResponse:
    rule = next((rule for rule in DEFAULT_RULES if rule.code == code), None)
    if rule is None:
        messages.error(request, f"There is no screening rule “{code}”.")
        return redirect("treatments:screening_rules")
    form = RuleSettingForm(request.POST, rule=rule)
    if not form.is_valid():
        if "reason" in form.errors and len(form.errors) == 1:
            messages.error(request, "Give the reason for the change.")
        elif rule_change_refused(rule.level, False, None):
            messages.error(
                request, "A contraindication cannot be switched off or given a lower level."
            )
        else:
            messages.error(request, "Choose on or off, and a level from the list.")
        return redirect("treatments:screening_rules")
    level = form.cleaned_data["level"]
    try:
        screening_rule_configure(
            code=code,
            by=signed_in_staff(request),
            enabled=form.cleaned_data["enabled"],
            level=Level.from_code(level) if level else None,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except IntegrityError:
        messages.error(request, "Someone changed this rule at the same moment. Try again.")
    else:
        messages.success(
            request, "Rule updated. New screenings use it; past results stay as they were."
        )
    return redirect("treatments:screening_rules")


@login_required
@permission_required(CHANGE_CONSULTATION)
@require_POST
def consultation_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = consultation_for_user(request.user, pk)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("treatments:consultation", pk=pk)
    return perform(
        request,
        lambda: consultation_addendum_add(
            consultation=consultation, by=signed_in_staff(request), text=form.cleaned_data["text"]
        ),
        "Addendum added.",
        "treatments:consultation",
        pk=pk,
    )


@login_required
@permission_required(ADD_CONSENT)
def consent_sign_view(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The page handed to the patient on the tablet: the current text, name, tick, sign."""
    patient = patient_for_user(request.user, patient_pk)
    try:
        text = consent_text_current()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("patients:detail", pk=patient_pk)
    data = request.POST if request.method == "POST" else None
    form = ConsentForm(data, initial={"consent_text": text.pk})
    if request.method == "POST" and form.is_valid():
        signed_text = ConsentText.objects.filter(pk=form.cleaned_data["consent_text"]).first()
        try:
            if signed_text is None:
                raise ValidationError("That consent text does not exist. Reload the page.")
            consent_sign(
                patient=patient,
                consent_text=signed_text,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                by=signed_in_staff(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Consent signed (version {text.version}). Thank you.")
            return redirect("patients:detail", pk=patient_pk)
    context = {"patient": patient, "text": text, "form": form}
    return render(request, "treatments/consent_sign.html", context)


@login_required
@permission_required(MANAGE_CLINIC)
def consent_texts(request: HttpRequest) -> HttpResponse:
    """The manager publishes a new version of the consent; older versions stay as signed."""
    versions = list(
        ConsentText.objects.filter(treatment="microneedling")
        .select_related("published_by")
        .order_by("-version")
    )
    current = versions[0] if versions else None
    initial = {"title": current.title, "body": current.body} if current else {}
    form = ConsentTextForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            text = consent_text_publish(by=signed_in_staff(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"Version {text.version} published. Patients sign it from now on."
            )
            return redirect("treatments:consent_texts")
    return render(request, "treatments/consent_texts.html", {"versions": versions, "form": form})
