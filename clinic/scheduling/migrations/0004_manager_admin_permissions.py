"""The clinic manager looks the clinic's setup up in the admin too (read-only there: the
setup pages change it). Appointments stay with the front desk and practitioners."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

SETUP = ["location", "room", "openinghours", "workinghours", "closure", "leave",
         "appointmenttype"]  # fmt: skip
ROLE_PERMISSIONS = {
    "Clinic manager": [
        *(
            f"scheduling.{action}_{model}"
            for model in SETUP
            for action in ("view", "add", "change")
        ),
    ],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_role_permissions"),
        ("staff", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
