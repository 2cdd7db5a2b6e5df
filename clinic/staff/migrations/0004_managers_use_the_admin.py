"""Clinic managers may sign in to the admin (is_staff); nobody else is given it. What
they see there is what their role's permissions allow."""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Clinic manager": ["staff.view_practitionerprofile", "staff.change_practitionerprofile"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    User = apps.get_model("auth", "User")
    User.objects.filter(groups__name="Clinic manager").update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_audit_log_append_only"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
