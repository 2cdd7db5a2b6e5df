"""The patient's medical-history questionnaire before a consultation, from a link in the
booking's emails.

No sign-in: the signed link names one consultation appointment and serves only its
history. A bad or tampered link answers 404, an expired one or that of a cancelled or
past appointment 410 (with the clinic's number), too many tries 429. Each page shows the
patient's first name and the appointment, nothing else of the record.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clinic.messaging.links import HOME_HISTORY
from clinic.messaging.patient_views import APPOINTMENT_PHONE, link_trouble, patient_plain
from clinic.messaging.self_service import audit_patient_action
from clinic.scheduling.models import Appointment
from clinic.staff.client_ip import client_ip
from treatments.consultations import home_history as service
from treatments.consultations.home_forms import (
    MEDICINE_FIELDS,
    MEDICINE_PREFIX,
    Checked,
    check_answers,
    medicine_prefixes,
)
from treatments.consultations.home_questions import (
    HOME_QUESTIONS,
    LINE_MAX,
    SECTIONS,
    TEXT_MAX,
    Asked,
    questions_in,
)
from treatments.consultations.services import consent_text_current
from treatments.models import HomeHistory
from treatments.screening import medicines as vocabulary

# A questionnaire is saved answer by answer: its link may be used this many times more
# often than a link that does one thing.
THROTTLE_SCALE = 10


def _appointment(request: HttpRequest, token: str) -> Appointment | HttpResponse:
    """The consultation the link names, if its questionnaire is open, or the page that
    says why not."""
    found = link_trouble(
        request, token, HOME_HISTORY, scale=THROTTLE_SCALE, phone_of=APPOINTMENT_PHONE
    )
    if isinstance(found, HttpResponse):
        return found
    appointment = (
        Appointment.objects.select_related("patient", "location", "appointment_type")
        .filter(pk=found[0])
        .first()
    )
    if appointment is None:
        return patient_plain(request, "This link does not work", "Please call the clinic.", 404)
    if not appointment.is_consultation:
        return patient_plain(
            request, "This link does not work", "Please call the clinic.", 404,
            phone=appointment.location.phone_display,
        )  # fmt: skip
    if not appointment.is_still_to_come(timezone.now()):
        text = (
            "This appointment is cancelled."
            if appointment.is_cancelled
            else "This appointment has passed."
        )
        return patient_plain(
            request, "This link can no longer be used", text, 410,
            phone=appointment.location.phone_display,
        )  # fmt: skip
    return appointment


def _history(appointment: Appointment) -> HomeHistory | None:
    return HomeHistory.objects.filter(appointment=appointment).first()


def _today(appointment: Appointment) -> date:
    return timezone.now().astimezone(appointment.location.zone).date()


def _context(appointment: Appointment, token: str) -> dict[str, Any]:
    location = appointment.location
    return {
        "first_name": appointment.patient.first_name,
        "local": appointment.starts_at.astimezone(location.zone),
        "zone_name": location.time_zone,
        "place": location.name,
        "treatment": appointment.appointment_type.name,
        "phone": location.phone_display,
        "token": token,
    }


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


# --- What the form shows -----------------------------------------------------------------


def _stored_values(history: HomeHistory | None) -> dict[str, str]:
    """The saved answers as the form's fields hold them."""
    values: dict[str, str] = {}
    answers = history.answers if history else {}
    for name, question in HOME_QUESTIONS.items():
        if name not in answers:
            continue
        answer = answers[name]
        if question.asked is Asked.YES_NO:
            values[name] = "yes" if answer else "no"
        elif question.asked is Asked.WHEN and answer is None:
            values[f"{name}-unsure"] = "on"
        else:
            values[name] = str(answer)
    for i, row in enumerate(history.medicines if history else []):
        prefix = f"{MEDICINE_PREFIX}-{i}"
        values[f"{prefix}-text"] = row.get("text", "")
        values[f"{prefix}-dose"] = row.get("dose", "")
        values[f"{prefix}-status"] = "now" if row.get("current", True) else "stopped"
        values[f"{prefix}-stopped"] = row.get("stopped_on") or ""
    return values


def _sections(values: dict[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "key": section.key,
            "title": section.title,
            "intro": section.intro,
            "questions": [
                {
                    "name": name,
                    "text": question.text,
                    "help": question.help,
                    "asked": str(question.asked),
                    "value": values.get(name, ""),
                    "unsure": bool(values.get(f"{name}-unsure")),
                    "error": errors.get(name, ""),
                }
                for name, question in questions_in(section.key)
            ],
        }
        for section in SECTIONS
    ]


def _medicine_rows(values: dict[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The lines typed so far, numbered afresh, and one empty line to add another."""
    rows: list[dict[str, Any]] = []
    for prefix in [*medicine_prefixes(values), ""]:
        text = values.get(f"{prefix}-text", "")
        wrong = next((name for name in MEDICINE_FIELDS if f"{prefix}-{name}" in errors), "")
        if prefix and not text.strip() and not wrong:
            continue
        rows.append(
            {
                "prefix": f"{MEDICINE_PREFIX}-{len(rows)}",
                "text": text,
                "dose": values.get(f"{prefix}-dose", ""),
                "stopped": values.get(f"{prefix}-status") == "stopped",
                "stopped_on": values.get(f"{prefix}-stopped", ""),
                "error": errors.get(f"{prefix}-{wrong}", "") if wrong else "",
                "wrong": wrong,  # the field the message is about: text, dose or stopped
            }
        )
    return rows


def _questionnaire(
    request: HttpRequest, appointment: Appointment, token: str, history: HomeHistory | None,
    *, values: dict[str, str], errors: dict[str, str], status: int = 200,
) -> HttpResponse:  # fmt: skip
    today = _today(appointment)
    context = {
        **_context(appointment, token),
        "sections": _sections(values, errors),
        "medicines": _medicine_rows(values, errors),
        "errors": errors,
        "saved": request.GET.get("saved") == "1" and not errors,
        "today": today.isoformat(),
        "text_max": TEXT_MAX,
        "line_max": LINE_MAX,
        "started": history is not None,
    }
    return render(request, "treatments/home_history/questionnaire.html", context, status=status)


# --- What was answered, to review and once sent ------------------------------------------------


def _shown(question_asked: Asked, present: bool, answer: Any) -> str:
    if question_asked is Asked.YES_NO:
        return ("Yes" if answer else "No") if present else "Not answered"
    if question_asked is Asked.WHEN:
        if not present:
            return "Never"
        return date.fromisoformat(answer).strftime("%-d %B %Y") if answer else "Yes, not sure when"
    return str(answer) if present else "Nothing"


def answers_shown(history: HomeHistory | None) -> list[dict[str, Any]]:
    """Each section's questions with the answer in words."""
    answers = history.answers if history else {}
    return [
        {
            "key": section.key,
            "title": section.title,
            "answers": [
                (q.text, _shown(q.asked, name in answers, answers.get(name)))
                for name, q in questions_in(section.key)
            ],
        }
        for section in SECTIONS
    ]


def _medicines_shown(history: HomeHistory | None) -> list[dict[str, str]]:
    shown = []
    for row in history.medicines if history else []:
        if row.get("current", True):
            status = "Taking now"
        elif row.get("stopped_on"):
            status = f"Stopped {date.fromisoformat(row['stopped_on']):%-d %B %Y}"
        else:
            status = "Stopped"
        shown.append({"text": row["text"], "status": status, "dose": row.get("dose", "")})
    return shown


def _answers_page(
    request: HttpRequest, appointment: Appointment, token: str, history: HomeHistory | None,
    *, template: str, status: int = 200, error: str = "",
) -> HttpResponse:  # fmt: skip
    context = {
        **_context(appointment, token),
        "history": history,
        "shown": answers_shown(history),
        "medicines": _medicines_shown(history),
        "error": error,
    }
    return render(request, f"treatments/home_history/{template}.html", context, status=status)


# --- The pages ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def home_history(request: HttpRequest, token: str) -> HttpResponse:
    """The questionnaire: saved as the patient goes (by script, or with a Save button),
    and once sent, what was sent, read only."""
    found = _appointment(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment, address = found, client_ip(request)
    history = _history(appointment)
    if history is not None and history.is_submitted:
        if request.method == "POST":
            if _wants_json(request):
                return JsonResponse({"error": service.ALREADY_SENT}, status=409)
            return _answers_page(
                request, appointment, token, history, template="received", status=409,
                error=service.ALREADY_SENT,
            )  # fmt: skip
        audit_patient_action(
            history, patient=appointment.patient, action="viewed the medical history sent",
            address=address,
        )  # fmt: skip
        return _answers_page(request, appointment, token, history, template="received")
    if request.method == "GET":
        audit_patient_action(
            history or appointment, patient=appointment.patient,
            action="viewed the medical history questionnaire", address=address,
        )  # fmt: skip
        return _questionnaire(
            request, appointment, token, history, values=_stored_values(history), errors={}
        )
    return _save(request, appointment, token, address)


def _save(
    request: HttpRequest, appointment: Appointment, token: str, address: str | None
) -> HttpResponse:
    checked: Checked = check_answers(request.POST, today=_today(appointment))
    try:
        history = service.home_history_save(
            appointment=appointment, answers=checked.answers, medicines=checked.medicines,
            keep=checked.invalid, now=timezone.now(), address=address,
        )  # fmt: skip
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if _wants_json(request):
            return JsonResponse({"error": message}, status=409)
        return patient_plain(request, "Your answers were not saved", message, 409)
    if _wants_json(request):
        if checked.errors:
            return JsonResponse(
                {"saved": True, "errors": checked.errors, "error": "Some answers need checking."},
                status=400,
            )
        return JsonResponse({"saved": True, "errors": {}})
    if checked.errors:
        values = {key: str(value) for key, value in request.POST.items()}
        return _questionnaire(
            request, appointment, token, history, values=values, errors=checked.errors,
            status=400,
        )  # fmt: skip
    at = request.POST.get("at", "")
    if at == "send":
        return redirect(reverse("treatments:home_history_send", args=[token]))
    anchor = at if at in {f"section-{s.key}" for s in SECTIONS} else "questions"
    return redirect(f"{request.path}?saved=1#{anchor}")


@require_http_methods(["GET", "POST"])
def home_history_send(request: HttpRequest, token: str) -> HttpResponse:
    """The answers to check before sending; sending fixes them (once)."""
    found = _appointment(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment, address = found, client_ip(request)
    history = _history(appointment)
    if request.method == "POST":
        try:
            service.home_history_send(appointment=appointment, now=timezone.now(), address=address)
        except ValidationError as exc:
            return _answers_page(
                request, appointment, token, history, template="review", status=409,
                error=" ".join(exc.messages),
            )  # fmt: skip
        return redirect(reverse("treatments:home_history", args=[token]))
    if history is not None and history.is_submitted:
        return redirect(reverse("treatments:home_history", args=[token]))
    audit_patient_action(
        history or appointment, patient=appointment.patient,
        action="viewed the medical history to send", address=address,
    )  # fmt: skip
    return _answers_page(request, appointment, token, history, template="review")


@require_GET
def home_history_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The consent text in force, to read at home; reading it is not signing it."""
    found = _appointment(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment = found
    try:
        consent = consent_text_current()
    except ValidationError:
        consent = None
    if consent is not None:
        service.home_history_consent_shown(
            appointment=appointment, consent_text=consent, now=timezone.now(),
            address=client_ip(request),
        )  # fmt: skip
    context = {**_context(appointment, token), "consent": consent}
    return render(request, "treatments/home_history/consent.html", context)


@require_GET
def home_history_medicines(request: HttpRequest, token: str) -> HttpResponse:
    """The type-ahead of a medicine's name, for this link only."""
    found = _appointment(request, token)
    if isinstance(found, HttpResponse):
        return JsonResponse({"error": "This link cannot be used."}, status=found.status_code)
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
