from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Locations, rooms, hours, closures, appointment types and appointments."""

    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Appointment book"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.scheduling.models import (
            Appointment,
            AppointmentType,
            Closure,
            Leave,
            Location,
            OpeningHours,
            Room,
            WorkingHours,
        )

        auditlog.register(Appointment)
        # The clinic's setup: who changed the hours, closures, leave or types, and when.
        for model in (Location, Room, OpeningHours, Closure, WorkingHours, Leave, AppointmentType):
            auditlog.register(model)
