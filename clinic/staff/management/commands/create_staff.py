import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create


class Command(BaseCommand):
    help = (
        "Create a staff account with its roles, for example the first clinic manager. "
        "The password is asked for, or read from STAFF_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            choices=[role.value for role in Role],
            help="May be given more than once.",
        )
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--email", required=True)

    def _password(self) -> str:
        from_env = os.environ.get("STAFF_PASSWORD")
        if from_env:
            return from_env
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask for a password: set STAFF_PASSWORD.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = staff_member_create(
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                roles=[Role(value) for value in options["roles"]],
                password=self._password(),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        roles = ", ".join(Role(value).label for value in options["roles"])
        self.stdout.write(self.style.SUCCESS(f"Created {user.get_username()} ({roles})."))
