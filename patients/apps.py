from django.apps import AppConfig


class PatientsConfig(AppConfig):
    """Patient records, contact preferences, medical history and consents."""

    name = "patients"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from patients.models import Patient

        # Every create, change and delete of a patient's record, with who and when.
        auditlog.register(Patient, exclude_fields=["search_name", "updated_at"])
