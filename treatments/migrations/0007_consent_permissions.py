"""Front desk and practitioners hand the tablet over for the patient's consent."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Front desk": ["treatments.add_consentsignature", "treatments.view_consentsignature"],
    "Practitioner": ["treatments.add_consentsignature", "treatments.view_consentsignature"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0006_consent_text"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
