from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Locations, rooms, hours, closures, appointment types and appointments."""

    name = "clinic.scheduling"
    label = "scheduling"
    verbose_name = "Appointment book"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.models import User
        from django.db.models.signals import post_delete, post_save

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
        from clinic.shared_cache import book_setting_changed
        from clinic.staff.models import PractitionerProfile

        signals.appointment_cancelled.connect(waitlist.on_cancelled, dispatch_uid="wait_cancel")
        signals.appointment_moved.connect(waitlist.on_moved, dispatch_uid="wait_moved")

        # What the book's grid is drawn around (calendar_views.book_setting) and offers to
        # choose from (selectors.locations_and_types): a save of any of it, or of a
        # practitioner or their account (a name, switched off), reads it afresh.
        setting = (
            Location, Room, AppointmentType, OpeningHours, Closure, WorkingHours, Leave,
            PractitionerProfile, User,
        )  # fmt: skip
        for source in setting:
            for signal in (post_save, post_delete):
                uid = f"book-setting-{source.__name__}"
                signal.connect(book_setting_changed, sender=source, dispatch_uid=uid)

        auditlog.register(Appointment)
        # Who put a patient on the waitlist or took them off, and each offer's answer.
        for waitlist_model in (WaitlistEntry, FreedSlot, WaitlistOffer):
            auditlog.register(waitlist_model)
        # The clinic's setup: who changed the hours, closures, leave or types, and when.
        for model in (Location, Room, OpeningHours, Closure, WorkingHours, Leave, AppointmentType):
            auditlog.register(model)
