"""The clinic manager looks the treatment catalog, the screening rule settings and the
consent texts up in the admin too (read-only there). No clinical record: those are for
practitioners."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

CATALOG = ["treatment", "treatmentarea", "depthguidance"]
ROLE_PERMISSIONS = {
    "Clinic manager": [
        *(f"treatments.view_{model}" for model in CATALOG),
        "treatments.view_screeningrulesetting",
        "treatments.view_consenttext",
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0014_aftercare_default_and_permissions"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
