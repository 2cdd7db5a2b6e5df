from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ClinicConfig(AppConfig):
    """The project package is also an app: it owns clinic-wide operations (health, demo)."""

    name = "clinic"
    label = "clinic"
    verbose_name = "Clinic operations"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_migrate, post_save

        from clinic.shared_cache import everything_changed, to_do_changed

        # What the front desk's to-do list shows (clinic/today.py): a save of any of these
        # lists it afresh.
        shown = [
            "scheduling.Appointment", "scheduling.Leave", "scheduling.Closure",
            "scheduling.Location", "messaging.PatientMessage", "treatments.TreatmentPlan",
            "treatments.TreatmentSession", "patients.Patient", "staff.PractitionerProfile",
            "auth.User",
        ]  # fmt: skip
        for label in shown:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(to_do_changed, sender=model, dispatch_uid=f"to-do-{label}")
        post_migrate.connect(everything_changed, dispatch_uid="kept-migrate")


class ClinicAdminConfig(AdminConfig):
    """Django's admin, on a site that lets only the clinic manager (and a superuser) in."""

    default_site = "clinic.staff.admin_tools.ClinicAdminSite"
