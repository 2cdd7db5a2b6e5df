"""The front desk books and manages appointments; practitioners see them."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Front desk": [
        "scheduling.view_appointment",
        "scheduling.add_appointment",
        "scheduling.change_appointment",
    ],
    "Practitioner": ["scheduling.view_appointment"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_no_double_booking"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
