"""Front desk registers, finds and edits patients; practitioners see and edit them too."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Front desk": ["patients.view_patient", "patients.add_patient", "patients.change_patient"],
    "Practitioner": ["patients.view_patient", "patients.change_patient"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_search_indexes"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
