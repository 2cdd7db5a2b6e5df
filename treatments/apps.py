from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    """Treatment catalog, consultations and screening, plans, sessions and aftercare."""

    name = "treatments"
