"""``manage.py audit_verify``: check the audit log's chain of seals from end to end.

Exits 0 when every entry fits, 1 naming the first one that does not (a forged, changed or
removed entry). Schedule it, and keep its output outside the database.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinic.staff.audit_chain import chain_verify


class Command(BaseCommand):
    help = "Verify the audit log's chain of keyed hashes; name the first entry that does not fit."

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if report.problem is not None:
            raise CommandError(
                f"The audit log does not verify after {report.checked} good entries. "
                f"First entry that does not fit: {report.problem}"
            )
        self.stdout.write(f"The audit log verifies: {report.checked} entries, chain unbroken.")
