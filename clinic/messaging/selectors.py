"""Reads for the outbox: the clinic's message settings and what patients were sent."""

from django.db.models import QuerySet

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.scheduling.models import Appointment


def message_settings() -> MessageSettings:
    """The clinic's one row of message settings, made with the defaults on first use."""
    found, _ = MessageSettings.objects.get_or_create(pk=1)
    return found


def messages_listed() -> QuerySet[PatientMessage]:
    return PatientMessage.objects.select_related("patient", "appointment__location")


def messages_for_appointment(appointment_id: int) -> QuerySet[PatientMessage]:
    return PatientMessage.objects.filter(appointment_id=appointment_id).order_by("-due_at", "-pk")


def messages_for_patient(patient_id: int) -> QuerySet[PatientMessage]:
    return PatientMessage.objects.filter(patient_id=patient_id).order_by("-due_at", "-pk")


def cancel_requests() -> QuerySet[PatientMessage]:
    """Patients who asked to cancel from an email and whose appointment still stands."""
    return (
        messages_listed()
        .filter(
            reply=PatientMessage.Reply.CANCEL_REQUESTED,
            appointment__status__in=Appointment.UPCOMING,
        )
        .order_by("appointment__starts_at")
    )
