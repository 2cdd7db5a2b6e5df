from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """The manager's reports: figures aggregated in SQL, as tables, charts and CSV.

    Reporting reads every app and nothing imports it."""

    name = "clinic.reporting"
    label = "reporting"
    verbose_name = "Reports"
