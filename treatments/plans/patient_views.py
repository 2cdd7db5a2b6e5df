"""The patient's page to book the next session of a course, from a link in an email.

No sign-in: the signed link names one session and can only book it. A bad or tampered
link answers 404, an expired or spent one (the session booked already) 410, too many
tries 429. The page shows the patient's first name and that session, nothing else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.messaging import self_service
from clinic.messaging.links import BOOK_SESSION
from clinic.messaging.patient_views import chosen, link_trouble, patient_plain
from clinic.messaging.selectors import phone_by
from clinic.scheduling.services import SlotTaken
from clinic.scheduling.waitlist import hold_words
from clinic.staff.client_ip import client_ip
from clinic.staff.web import TRY_AGAIN, is_lock_conflict
from treatments.models import TreatmentSession as Session
from treatments.plans import patient_booking, patient_waitlist, waiting
from treatments.plans.forms import SessionWaitlistForm

SESSION_PHONE = phone_by(Session, "plan__location__phone")


def _session(request: HttpRequest, token: str) -> Session | HttpResponse:
    """The session the link names, if it may still be booked, or the page that says why
    not (404 for a bad link, 410 for one that has done its work)."""
    found = link_trouble(request, token, BOOK_SESSION, phone_of=SESSION_PHONE)
    if isinstance(found, HttpResponse):
        return found
    session = (
        Session.objects.select_related(
            "plan__patient", "plan__location", "plan__treatment__appointment_type",
            "plan__preferred_practitioner__user",
        )
        .filter(pk=found[0])
        .first()
    )  # fmt: skip
    if session is None:
        return patient_plain(request, "This link does not work", "Please call the clinic.", 404)
    refusal = patient_booking.booking_refusal(session)
    if refusal is not None:
        phone = session.plan.location.phone_display
        return patient_plain(request, "This link can no longer be used", refusal, 410, phone)
    return session


def book_session(request: HttpRequest, token: str) -> HttpResponse:
    """The free times inside the session's window, by day; one press books it. When none
    suits, the patient joins the waitlist from here (``book_session_waitlist``)."""
    session = _session(request, token)
    if isinstance(session, HttpResponse):
        return session
    plan, address, now = session.plan, client_ip(request), timezone.now()
    phone = plan.location.phone_display
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
        except DatabaseError as exc:
            if not is_lock_conflict(exc):
                raise
            error, status = TRY_AGAIN, 409
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
    return _book_page(request, session, token, error=error, status=status)


def book_session_waitlist(request: HttpRequest, token: str) -> HttpResponse:
    """Join or leave the waitlist for the session the link names (a POST from the page
    to book it; anything else goes back to that page)."""
    session = _session(request, token)
    if isinstance(session, HttpResponse):
        return session
    page = reverse("treatments:book_session", args=[token])
    if request.method != "POST":
        return redirect(page)
    form = SessionWaitlistForm(request.POST)
    if not form.is_valid():
        problems = [str(m) for messages in form.errors.values() for m in messages]
        return _book_page(request, session, token, error=" ".join(problems), status=400)
    now, address = timezone.now(), client_ip(request)
    action = form.cleaned_data["action"]
    try:
        if action == "join":
            patient_waitlist.session_waitlist_join(
                session=session, any_practitioner=form.cleaned_data["with_whom"] == "any",
                now=now, address=address,
            )  # fmt: skip
        else:
            patient_waitlist.session_waitlist_leave(session=session, now=now, address=address)
    except ValidationError as exc:
        return _book_page(request, session, token, error=" ".join(exc.messages), status=400)
    except DatabaseError as exc:
        if not is_lock_conflict(exc):
            raise
        return _book_page(request, session, token, error=TRY_AGAIN, status=409)
    # Back to where the patient pressed, under the times, where the page says it is done.
    return redirect(f"{page}?waitlist={'joined' if action == 'join' else 'left'}#waitlist")


def _book_page(
    request: HttpRequest, session: Session, token: str, *, error: str, status: int
) -> HttpResponse:
    plan, now = session.plan, timezone.now()
    waiting_entry = waiting.waiting_for(session.pk)
    return render(
        request,
        "treatments/patient/book.html",
        {
            **_context(session, plan.location.phone_display),
            "window": patient_booking.booking_window(session),
            "days": patient_booking.booking_offers(session, now),
            "error": error,
            "token": token,
            "waiting": waiting_entry,
            "may_join": waiting_entry is None and patient_waitlist.may_join(session),
            "own_practitioner": plan.preferred_practitioner,
            "hold": hold_words(),
            "waitlist_news": request.GET.get("waitlist", "") if not error else "",
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
