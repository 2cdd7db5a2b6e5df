"""The front desk sees and resends patients' messages; practitioners and the manager see
them (the manager also sets when they go, through the clinic permission)."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Front desk": ["messaging.view_patientmessage", "messaging.change_patientmessage"],
    "Practitioner": ["messaging.view_patientmessage"],
    "Clinic manager": ["messaging.view_patientmessage"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_outbox"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
