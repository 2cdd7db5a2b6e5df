"""The patient's page to book the next session of a course, from a link in an email.

No sign-in: the signed link names one session and can only book it. A bad or tampered
link answers 404, an expired or spent one (the session booked already) 410, too many
tries 429. The page shows the patient's first name and that session, nothing else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clinic.messaging import self_service
from clinic.messaging.links import BOOK_SESSION
from clinic.messaging.patient_views import chosen, link_trouble, patient_plain
from clinic.scheduling.services import SlotTaken
from clinic.staff.client_ip import client_ip
from treatments.models import TreatmentSession as Session
from treatments.plans import patient_booking


def book_session(request: HttpRequest, token: str) -> HttpResponse:
    """The free times inside the session's window, by day; one press books it."""
    found = link_trouble(request, token, BOOK_SESSION)
    if isinstance(found, HttpResponse):
        return found
    session = (
        Session.objects.select_related(
            "plan__patient", "plan__location", "plan__treatment__appointment_type"
        )
        .filter(pk=found[0])
        .first()
    )
    if session is None:
        return patient_plain(request, "This link does not work", "Please call the clinic.", 404)
    plan, address, now = session.plan, client_ip(request), timezone.now()
    phone = plan.location.phone_display
    refusal = patient_booking.booking_refusal(session)
    if refusal is not None:
        return patient_plain(request, "This link can no longer be used", refusal, 410, phone)
    error, status = "", 200
    if request.method == "POST":
        choice = chosen(request)
        try:
            if choice is None:
                raise ValidationError("Choose one of the times shown.")
            appointment = patient_booking.plan_session_book_by_patient(
                session=session, start=choice[0], practitioner_id=choice[1], now=now,
                address=address,
            )  # fmt: skip
        except SlotTaken:
            error, status = self_service.JUST_TAKEN, 409
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            booked = {
                "local": appointment.starts_at.astimezone(plan.location.zone),
                "practitioner": str(appointment.practitioner),
            }
            context = {**_context(session, phone), **booked}
            return render(request, "treatments/patient/booked.html", context)
    else:
        self_service.audit_patient_action(
            session, patient=plan.patient, action="viewed the page to book", address=address
        )
    window = patient_booking.booking_window(session)
    return render(
        request,
        "treatments/patient/book.html",
        {
            **_context(session, phone),
            "window": window,
            "days": patient_booking.booking_offers(session, now),
            "error": error,
        },
        status=status,
    )


def _context(session: Session, phone: str) -> dict[str, object]:
    plan = session.plan
    return {
        "first_name": plan.patient.first_name,
        "session": session,
        "of": plan.sessions_planned,
        "treatment": plan.treatment.name,
        "place": plan.location.name,
        "zone_name": plan.location.time_zone,
        "phone": phone,
        "late_hours": int(settings.LATE_CANCEL_WINDOW.total_seconds() // 3600),
    }
