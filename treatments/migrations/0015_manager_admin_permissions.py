"""The clinic manager keeps the treatment catalog in the admin as on the catalog pages,
and reads the screening rule settings, consent texts and aftercare versions there. No
clinical record: those are for practitioners."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

CATALOG = ["treatment", "treatmentarea", "depthguidance"]
ROLE_PERMISSIONS = {
    "Clinic manager": [
        *(f"treatments.{action}_{model}" for model in CATALOG for action in ("view", "change")),
        "treatments.add_depthguidance",
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
