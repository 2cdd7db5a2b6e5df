"""Practitioners record consultations; nobody else sees them (front desk sees a badge)."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Practitioner": [
        "treatments.view_consultation",
        "treatments.add_consultation",
        "treatments.change_consultation",
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0001_consultation"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
