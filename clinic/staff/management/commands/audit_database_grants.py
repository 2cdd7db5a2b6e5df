"""``manage.py audit_database_grants RUNTIME_ROLE [--owner OWNER]``: print the runtime
role's grants (clinic/staff/database_roles.py) for the owner to run after migrating."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clinic.staff.database_roles import runtime_role_grants


class Command(BaseCommand):
    help = "Print the SQL that lets the runtime database role only add to the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the web and worker processes connect as")
        parser.add_argument("--owner", default="", help="the role that runs the migrations")

    def handle(self, *args: Any, role: str, owner: str, **options: Any) -> None:
        for statement in runtime_role_grants(role, owner=owner):
            self.stdout.write(f"{statement};")
