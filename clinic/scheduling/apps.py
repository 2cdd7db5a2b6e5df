from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Locations, rooms, hours, closures, appointment types and appointments."""

    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Appointment book"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.scheduling.models import Appointment

        auditlog.register(Appointment)
