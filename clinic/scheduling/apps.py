from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Locations, rooms, hours, closures, appointment types and appointments."""

    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Appointment book"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.scheduling import signals, waitlist
        from clinic.scheduling.models import (
            Appointment,
            AppointmentType,
            Closure,
            FreedSlot,
            Leave,
            Location,
            OpeningHours,
            Room,
            WaitlistEntry,
            WaitlistOffer,
            WorkingHours,
        )

        signals.appointment_cancelled.connect(waitlist.on_cancelled, dispatch_uid="wait_cancel")
        signals.appointment_moved.connect(waitlist.on_moved, dispatch_uid="wait_moved")

        auditlog.register(Appointment)
        # Who put a patient on the waitlist or took them off, and each offer's answer.
        for waitlist_model in (WaitlistEntry, FreedSlot, WaitlistOffer):
            auditlog.register(waitlist_model)
        # The clinic's setup: who changed the hours, closures, leave or types, and when.
        for model in (Location, Room, OpeningHours, Closure, WorkingHours, Leave, AppointmentType):
            auditlog.register(model)
