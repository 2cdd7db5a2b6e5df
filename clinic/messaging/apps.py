from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """The patient message outbox: every email is a row first, sent by Celery."""

    name = "clinic.messaging"
    label = "messaging"
    verbose_name = "Patient messages"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.core.checks import register

        from clinic.messaging import appointments, checks, waitlist
        from clinic.messaging.models import MessageSettings
        from clinic.scheduling import signals

        register(checks.email_timeout_within_claim)
        # Who changed when patients are written to.
        auditlog.register(MessageSettings)
        # Messages are written in the transaction that booked, moved or cancelled.
        signals.appointment_booked.connect(appointments.on_booked, dispatch_uid="msg_booked")
        signals.appointment_moved.connect(appointments.on_moved, dispatch_uid="msg_moved")
        signals.appointment_cancelled.connect(
            appointments.on_cancelled, dispatch_uid="msg_cancelled"
        )
        signals.appointment_no_show.connect(appointments.on_no_show, dispatch_uid="msg_no_show")
        signals.waitlist_offered.connect(waitlist.on_offered, dispatch_uid="msg_waitlist_offer")
        # The book's cards show a patient's open request to cancel.
        signals.appointment_badges.connect(appointments.on_badges, dispatch_uid="msg_badges")
