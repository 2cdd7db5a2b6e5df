from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ClinicConfig(AppConfig):
    """The project package is also an app: it owns clinic-wide operations (health, demo)."""

    name = "clinic"
    label = "clinic"
    verbose_name = "Clinic operations"


class ClinicAdminConfig(AdminConfig):
    """Django's admin, on a site that lets only the clinic manager (and a superuser) in."""

    default_site = "clinic.staff.admin_tools.ClinicAdminSite"
