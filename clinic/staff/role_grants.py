"""Granting permissions to the role groups, for data migrations.

Every app whose models carry permissions for a role grants them in a migration through
``grant_role_permissions(apps, {...})``, so a grant is done the same way everywhere. It
works on the historical ``apps`` a migration receives, and on the live registry.
"""

from typing import Any

from django.contrib.auth.management import create_permissions


def grant_role_permissions(apps: Any, grants: dict[str, list[str]]) -> None:
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
