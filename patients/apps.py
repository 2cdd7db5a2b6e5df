from django.apps import AppConfig


class PatientsConfig(AppConfig):
    """Patient records, contact preferences, medical history and consents."""

    name = "patients"
