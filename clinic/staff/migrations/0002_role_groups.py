"""Create the three role groups and grant each its permissions.

Later apps grant their own model permissions to these groups in their own migrations,
through ``clinic.staff.role_grants``, so one place defines how a grant is done.
"""

from django.db import migrations

from clinic.staff.role_grants import grant_role_permissions

ROLE_PERMISSIONS = {
    "Front desk": ["staff.front_desk_work"],
    "Practitioner": ["staff.clinical_work"],
    "Clinic manager": ["staff.manage_clinic", "staff.view_reports", "staff.view_audit_log"],
}


def create_role_groups(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
