from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Treatment catalog, consultations and screening, plans, sessions and aftercare."""

    name = "treatments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from clinic.messaging.self_service import change_window
        from clinic.scheduling.signals import (
            appointment_badges,
            appointment_cancelled,
            appointment_moved,
            waitlist_accepting,
            waitlist_booking,
        )
        from treatments.consultations import badges
        from treatments.models import (
            AftercareTemplate,
            CheckInScreening,
            ConsentSignature,
            ConsentText,
            Consultation,
            ConsultationAddendum,
            DepthGuidance,
            HistoryTakeIn,
            HomeHistory,
            IssuedAftercare,
            LotRecall,
            MedicalHistory,
            MedicineLine,
            ScreeningFinding,
            ScreeningRuleChange,
            ScreeningRuleSetting,
            SessionDepth,
            Treatment,
            TreatmentArea,
            TreatmentPlan,
            TreatmentSession,
        )
        from treatments.plans import patient_booking, patient_waitlist, preparation
        from treatments.plans import services as plans

        # Clinical records: every create, change and delete, with who and when. Views
        # are recorded by the views that show them (clinic.staff.audit.audit_view).
        auditlog.register(Consultation)
        auditlog.register(MedicalHistory)
        auditlog.register(MedicineLine)
        # The history a patient gives at home: each save and the send, the patient as actor.
        auditlog.register(HomeHistory)
        auditlog.register(ScreeningFinding)
        auditlog.register(ConsultationAddendum)
        auditlog.register(ConsentText)
        auditlog.register(ConsentSignature)
        auditlog.register(CheckInScreening)
        # The history a patient gave at home, and each answer taken from it.
        auditlog.register(HomeHistory)
        auditlog.register(HistoryTakeIn)
        # The clinic's changes to the screening rules: who switched what, and when.
        auditlog.register(ScreeningRuleSetting)
        auditlog.register(ScreeningRuleChange)
        # Plans, sessions and their records; the catalog the manager edits.
        auditlog.register(TreatmentPlan, m2m_fields={"areas"})
        auditlog.register(TreatmentSession)
        auditlog.register(SessionDepth)
        auditlog.register(Treatment)
        auditlog.register(TreatmentArea)
        auditlog.register(DepthGuidance)
        # Aftercare versions the manager writes, and what each patient was given.
        auditlog.register(AftercareTemplate)
        auditlog.register(IssuedAftercare)
        # A letter to the patients treated with a recalled lot, and whom it went to.
        auditlog.register(LotRecall, m2m_fields={"patients"})
        # A plan keeps its later sessions in window when one of its appointments moves.
        appointment_moved.connect(plans.on_appointment_moved, dispatch_uid="plan_follow_move")
        appointment_cancelled.connect(
            plans.on_appointment_cancelled, dispatch_uid="plan_follow_cancel"
        )
        # The preparation email follows the first session's appointment when it moves.
        # Messaging's own receiver leaves preparation alone on a move (it knows nothing of
        # plans) and cancels it with everything else on a cancellation, so the order in
        # which the receivers run does not matter.
        appointment_moved.connect(
            preparation.on_appointment_moved, dispatch_uid="preparation_follow_move"
        )
        # A patient moving a plan session from a link stays inside its window.
        change_window.connect(patient_booking.change_window, dispatch_uid="plan_change_window")
        # An offer from the waitlist, accepted for a plan session, books that session.
        waitlist_booking.connect(
            patient_waitlist.on_waitlist_booking, dispatch_uid="plan_session_waitlist_booking"
        )
        # ...after the plan is locked, before the freed time: the plan's own lock order.
        waitlist_accepting.connect(
            patient_waitlist.on_waitlist_accepting, dispatch_uid="plan_session_waitlist_accepting"
        )
        # The book's cards show whether each patient is cleared for treatment.
        appointment_badges.connect(badges.on_badges, dispatch_uid="clearance_badges")
