from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package is also an app: it owns clinic-wide operations (health, demo)."""

    name = "clinic"
    label = "clinic"
    verbose_name = "Clinic operations"
