"""The patient's pages to move or cancel an appointment, from a link in an email.

No sign-in: the signed link is the key, for one appointment at one version. A bad or
tampered link answers 404, an expired or spent one 410, too many tries 429; each page
shows the first name and that appointment, nothing else.
"""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clinic.messaging import self_service
from clinic.messaging.links import (
    CHANGE_APPOINTMENT,
    LinkExpired,
    LinkInvalid,
    change_appointment_path,
    purpose_object,
)
from clinic.messaging.selectors import phone_by
from clinic.scheduling.models import Appointment
from clinic.scheduling.services import SlotTaken
from clinic.staff.client_ip import client_ip


def patient_plain(
    request: HttpRequest, heading: str, text: str, status: int, phone: str = ""
) -> HttpResponse:
    """A page that only says something (a link that does not work, a refusal)."""
    return render(
        request,
        "messaging/patient/plain.html",
        {"heading": heading, "text": text, "phone": phone},
        status=status,
    )


def link_trouble(
    request: HttpRequest,
    token: str,
    purpose: str,
    *,
    phone_of: Callable[[int | None], str],
    scale: int = 1,
) -> tuple[int, int] | HttpResponse:
    """(object id, version) for a link that may be used now, or the page that says why not
    (``scale``: see ``self_service.throttled``). ``phone_of`` gives the number of the
    location an object belongs to, for the expired link's page."""
    if self_service.throttled(token=token, address=client_ip(request), scale=scale):
        return patient_plain(
            request, "Please wait a moment",
            "This link has been used many times in a short while. Try again in a few minutes.",
            429,
        )  # fmt: skip
    try:
        return purpose_object(purpose, token)
    except LinkExpired as expired:
        return patient_plain(
            request, "This link has expired",
            "Please call the clinic, or use the link in a newer email.", 410,
            phone_of(expired.object_id),
        )  # fmt: skip
    except LinkInvalid:
        return patient_plain(
            request, "This link does not work",
            "Please check that the whole link was copied, or call the clinic.", 404,
        )  # fmt: skip


APPOINTMENT_PHONE = phone_by(Appointment, "location__phone")


def _appointment(request: HttpRequest, token: str) -> tuple[Appointment, int] | HttpResponse:
    found = link_trouble(request, token, CHANGE_APPOINTMENT, phone_of=APPOINTMENT_PHONE)
    if isinstance(found, HttpResponse):
        return found
    appointment_id, version = found
    appointment = (
        Appointment.objects.select_related(
            "patient", "location", "appointment_type", "practitioner__user"
        )
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return patient_plain(
            request, "This link does not work", "Please call the clinic.", 404
        )  # fmt: skip
    refusal = self_service.change_refusal(appointment, version, timezone.now())
    if refusal is not None:
        return patient_plain(
            request, "This link can no longer be used", refusal, 410,
            phone=appointment.location.phone_display,
        )  # fmt: skip
    return appointment, version


def _context(appointment: Appointment) -> dict[str, object]:
    location = appointment.location
    return {
        "first_name": appointment.patient.first_name,
        "local": appointment.starts_at.astimezone(location.zone),
        "zone_name": location.time_zone,
        "place": location.name,
        "treatment": appointment.appointment_type.name,
        "phone": location.phone_display,
        "practitioner": str(appointment.practitioner),
        "late_hours": int(settings.LATE_CANCEL_WINDOW.total_seconds() // 3600),
    }


def chosen(request: HttpRequest) -> tuple[datetime, int] | None:
    """The time and practitioner of the button pressed ("start@practitioner"), or None
    for anything else."""
    start_text, _, practitioner = request.POST.get("choice", "").partition("@")
    try:
        start = parse_datetime(start_text)
    except ValueError:
        return None
    if start is None or start.tzinfo is None or not practitioner.isdigit():
        return None
    return start, int(practitioner)


def appointment_change(request: HttpRequest, token: str) -> HttpResponse:
    """Pick another time (the same practitioner, inside a plan session's window) or go on
    to cancel; inside the late-cancellation limit, the clinic's number instead."""
    found = _appointment(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment, version = found
    patient, address, now = appointment.patient, client_ip(request), timezone.now()
    error, status = "", 200
    if request.method == "POST" and appointment.patient_may_change(now):
        choice = chosen(request)
        try:
            if choice is None or choice[1] != appointment.practitioner_id:
                raise ValidationError("Choose one of the times shown.")
            moved = self_service.appointment_move_by_patient(
                appointment=appointment,
                version=version,
                start=choice[0],
                now=now,
                address=address,
            )
        except SlotTaken:
            error, status = self_service.JUST_TAKEN, 409
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            return redirect(change_appointment_path(moved.pk, moved.version) + "?moved=1")
    elif request.method == "GET":
        self_service.audit_patient_action(
            appointment, patient=patient, action="viewed the page to change", address=address
        )
    late = not appointment.patient_may_change(now)
    return render(
        request,
        "messaging/patient/change.html",
        {
            **_context(appointment),
            "late": late,
            "days": [] if late else self_service.change_offers(appointment, now),
            "moved": request.GET.get("moved") == "1" and not error,
            "error": error,
            "token": token,
        },
        status=status,
    )


def appointment_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel, after a second step that says what cancelling means; not inside the
    late-cancellation limit (then the clinic's number)."""
    found = _appointment(request, token)
    if isinstance(found, HttpResponse):
        return found
    appointment, version = found
    now, address = timezone.now(), client_ip(request)
    context = {**_context(appointment), "token": token, "error": ""}
    if not appointment.patient_may_change(now):
        return render(request, "messaging/patient/change.html", {**context, "late": True})
    if request.method == "POST":
        try:
            self_service.appointment_cancel_by_patient(
                appointment=appointment, version=version, now=now, address=address
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "messaging/patient/cancel.html", context, status=400)
        return render(request, "messaging/patient/cancelled.html", context)
    self_service.audit_patient_action(
        appointment, patient=appointment.patient, action="viewed the page to cancel",
        address=address,
    )  # fmt: skip
    return render(request, "messaging/patient/cancel.html", context)
