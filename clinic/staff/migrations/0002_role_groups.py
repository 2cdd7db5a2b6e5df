"""Create the three role groups and grant each its permissions.

Later apps grant their own model permissions to these groups in their own migrations,
through ``grant_role_permissions`` below, so one place defines how a grant is done.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Front desk": ["staff.front_desk_work"],
    "Practitioner": ["staff.clinical_work"],
    "Clinic manager": ["staff.manage_clinic", "staff.view_reports", "staff.view_audit_log"],
}


def grant_role_permissions(apps, grants):
    """Give each named group the permissions listed ("app_label.codename")."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; make sure they exist now.
    for app_label in {name.split(".")[0] for names in grants.values() for name in names}:
        app_config = apps.get_app_config(app_label)
        if getattr(app_config, "models_module", None) is None:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    for group_name, names in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


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
