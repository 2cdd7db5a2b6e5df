"""What a message says, rendered when it is sent (so it shows the time as it is then),
in the location's time zone with the zone named, as HTML and plain text."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.messaging.ics import CalendarEvent, calendar_ics
from clinic.messaging.links import (
    book_session_url,
    change_appointment_url,
    home_history_url,
    offer_url,
    reply_url,
)
from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Appointment, Location, WaitlistOffer

K = PatientMessage.Kind

SUBJECTS = {
    K.CONFIRMATION: "Your appointment on {day}",
    K.RESCHEDULED: "Your appointment has moved to {day}",
    K.CANCELLATION: "Your appointment on {day} is cancelled",
    K.REMINDER: "Reminder: your appointment on {day}",
    K.PREPARATION: "Getting ready for your treatment on {day}",
    K.AFTERCARE: "Caring for your skin after today's treatment",
    K.FOLLOW_UP: "How is your skin? Day {follow_up_day} after your treatment",
    K.NEXT_SESSION: "Time to book your next session",
    K.NO_SHOW: "We missed you on {day}",
    K.COURSE_CONFIRMATION: "Your {count} sessions from {day}",
    K.RECALL: "Important: about your treatment with us",
    K.WAITLIST_OFFER: "A time has come free on {day}",
    K.HISTORY_REMINDER: "Please tell us about your health before your visit on {day}",
}
# These carry links to confirm or ask to cancel, while the appointment is still to come.
WITH_REPLY_LINKS = (K.CONFIRMATION, K.RESCHEDULED, K.REMINDER)
WITH_CALENDAR_FILE = (K.CONFIRMATION, K.RESCHEDULED, K.CANCELLATION)
# These carry a link to book a plan's next session, when their payload names the session
# ("book_session"; a nudge's "session_id").
WITH_BOOKING_LINK = (K.NEXT_SESSION, K.AFTERCARE)
# These carry the link to the medical-history questionnaire, for a consultation still to
# come whose history has not been sent (``Appointment.wants_history``).
WITH_HISTORY_LINK = (K.CONFIRMATION, K.RESCHEDULED, K.REMINDER, K.HISTORY_REMINDER)
PREVIEW_LINK = "#the-patient-s-own-link"


def course_payload(appointments: Sequence[Appointment]) -> dict[str, Any]:
    """What a course confirmation keeps: which appointments, read afresh when it is sent."""
    return {"appointments": [appointment.pk for appointment in appointments]}


def _event(appointment: Appointment) -> CalendarEvent:
    location = appointment.location
    return CalendarEvent(
        uid=f"appointment-{appointment.pk}@{settings.SITE_URL.split('//')[-1]}",
        sequence=appointment.version,
        start=appointment.starts_at,
        end=appointment.ends_at,
        summary=f"{appointment.appointment_type.name} at {settings.CLINIC_NAME}",
        location=", ".join(filter(None, [location.name, location.address.replace("\n", ", ")])),
    )


def course_appointments(message: PatientMessage) -> list[Appointment]:
    """The course's appointments that are still to come, in order, as they are now."""
    ids = message.payload.get("appointments", [])
    booked = Appointment.objects.filter(pk__in=ids, status__in=Appointment.UPCOMING)
    return list(booked.select_related("location", "appointment_type").order_by("starts_at"))


def _course(message: PatientMessage, now: datetime) -> tuple[dict[str, Any], str | None]:
    """A course confirmation lists each session still to come and carries them all in one
    calendar file; each event is the one its own later emails (a move) update."""
    appointments = course_appointments(message)
    whens = [_when(a.starts_at, message.zone) for a in appointments]
    places = [a.location.name for a in appointments]
    sessions = [{"when": w, "place": p} for w, p in zip(whens, places, strict=True)]
    context: dict[str, Any] = {"sessions": sessions, "count": len(sessions)}
    if appointments:
        context["treatment"] = appointments[0].appointment_type.name
        context["first_day"] = whens[0]["day"]
    calendar = calendar_ics(
        events=[_event(a) for a in appointments],
        organizer_email=settings.DEFAULT_FROM_EMAIL,
        stamp=now,
    )
    return context, calendar if appointments else None


def _offer(message: PatientMessage, now: datetime, preview: bool) -> dict[str, Any]:
    """The freed time offered, as it is now, and the link to take it while it is held."""
    offer = (
        WaitlistOffer.objects.select_related(
            "slot__location", "entry__appointment_type", "slot__practitioner__user"
        )
        .filter(pk=message.payload.get("offer"))
        .first()
    )
    if offer is None:
        return {}
    slot, zone = offer.slot, message.zone
    held = offer.is_held(now)
    return {
        "when": _when(slot.starts_at, zone),
        "place": slot.location.name,
        "address": slot.location.address,
        "treatment": offer.entry.appointment_type.name,
        "with": slot.practitioner.user.get_full_name(),
        "held_until": _when(offer.expires_at, zone) if held else None,
        "offer_url": (PREVIEW_LINK if preview else offer_url(offer.pk)) if held else None,
    }


def _when(moment: datetime, zone: Any) -> dict[str, str]:
    local = moment.astimezone(zone)
    return {
        "day": f"{local:%A} {local.day} {local:%B %Y}",
        "time": f"{local:%H:%M}",
        "zone": f"{local:%Z} ({zone.key})",
    }


def _booking_link(message: PatientMessage, *, preview: bool) -> dict[str, str]:
    """The link to book the plan session the message names, and for a message about no
    appointment the number of the location it names."""
    if message.kind not in WITH_BOOKING_LINK:
        return {}
    context = {}
    session_id = message.payload.get("book_session", message.payload.get("session_id"))
    if isinstance(session_id, int):
        context["book_url"] = PREVIEW_LINK if preview else book_session_url(session_id)
    location_id = message.payload.get("location")
    if message.appointment is None and isinstance(location_id, int):
        location = Location.objects.filter(pk=location_id).first()
        if location is not None:
            context["phone"] = location.phone_display
    return context


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    calendar: str | None


def render(
    message: PatientMessage, *, now: datetime | None = None, preview: bool = False
) -> Rendered:
    """The message as the patient would read it now. A staff preview carries no working
    link: a click there would confirm in the patient's name."""
    now = now or timezone.now()
    appointment = message.appointment
    context: dict[str, Any] = {
        "clinic_name": settings.CLINIC_NAME,
        "late_hours": int(settings.LATE_CANCEL_WINDOW.total_seconds() // 3600),
        "first_name": message.patient.first_name,
        "message": message,
        "payload": message.payload,
        "kind": message.kind,
    }
    calendar = None
    if appointment is not None:
        location = appointment.location
        context.update(
            {
                "when": _when(appointment.starts_at, message.zone),
                "place": location.name,
                "address": location.address,
                "treatment": appointment.appointment_type.name,
                "minutes": int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
            }
        )
        context["phone"] = location.phone_display
        if message.kind in WITH_REPLY_LINKS and appointment.is_still_to_come(now):
            context["reply_url"] = PREVIEW_LINK if preview else reply_url(message.pk)
            context["change_url"] = (
                PREVIEW_LINK
                if preview
                else change_appointment_url(appointment.pk, appointment.version)
            )
        if message.kind in WITH_HISTORY_LINK and appointment.wants_history(now):
            context["history_url"] = PREVIEW_LINK if preview else home_history_url(appointment.pk)
        if message.kind in WITH_CALENDAR_FILE:
            calendar = calendar_ics(
                events=[_event(appointment)],
                organizer_email=settings.DEFAULT_FROM_EMAIL,
                stamp=now,
                cancelled=message.kind == K.CANCELLATION,
            )
    if message.kind == K.COURSE_CONFIRMATION:
        course, calendar = _course(message, now)
        context.update(course)
    context.update(_booking_link(message, preview=preview))
    if message.kind == K.WAITLIST_OFFER:
        context.update(_offer(message, now, preview))
    subject_values = {
        "day": context.get("when", {}).get("day", "") or context.get("first_day", ""),
        "follow_up_day": message.payload.get("day", ""),
        "count": context.get("count", ""),
    }
    subject = SUBJECTS[K(message.kind)].format(**subject_values)
    template = f"messaging/email/{message.kind}"
    return Rendered(
        subject=f"{subject} · {settings.CLINIC_NAME}",
        text=render_to_string(f"{template}.txt", context).strip() + "\n",
        html=render_to_string(f"{template}.html", context),
        calendar=calendar,
    )


def message_id(message: PatientMessage) -> str:
    """The same Message-ID every time the same message is handed over."""
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "clinic.localhost"
    return f"<{digest}@{domain}>"


def render_email(message: PatientMessage, *, connection: Any = None) -> EmailMultiAlternatives:
    rendered = render(message)
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.patient.email],
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
        connection=connection,
    )
    email.attach_alternative(rendered.html, "text/html")
    if rendered.calendar is not None:
        method = "CANCEL" if message.kind == K.CANCELLATION else "PUBLISH"
        email.attach("appointment.ics", rendered.calendar, f"text/calendar; method={method}")
    return email
