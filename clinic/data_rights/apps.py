from django.apps import AppConfig


class DataRightsConfig(AppConfig):
    """Patients' data rights: export, restriction, erasure and the retention of records.

    It reads and changes every app's rows about one patient, so it sits at the top with
    the reports; nothing imports it."""

    name = "clinic.data_rights"
    label = "data_rights"
    verbose_name = "Patients' data rights"
