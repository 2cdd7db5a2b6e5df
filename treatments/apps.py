from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Treatment catalog, consultations and screening, plans, sessions and aftercare."""

    name = "treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from treatments.models import (
            CheckInScreening,
            ConsentSignature,
            ConsentText,
            Consultation,
            ConsultationAddendum,
            MedicalHistory,
            ScreeningFinding,
            ScreeningRuleSetting,
        )

        # Clinical records: every create, change and delete, with who and when. Views
        # are recorded by the views that show them (clinic.staff.audit.audit_view).
        auditlog.register(Consultation)
        auditlog.register(MedicalHistory)
        auditlog.register(ScreeningFinding)
        auditlog.register(ConsultationAddendum)
        auditlog.register(ConsentText)
        auditlog.register(ConsentSignature)
        auditlog.register(CheckInScreening)
        # The clinic's changes to the screening rules: who switched what, and when.
        auditlog.register(ScreeningRuleSetting)
