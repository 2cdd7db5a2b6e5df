"""A deployment where the app connects as a role that does not own the tables.

The migrations run as the owner; the web and workers connect as a runtime role with the
grants of clinic/staff/database_roles.py. As that role the audit log can be read and added
to, and nothing else: no TRUNCATE, UPDATE, DELETE, DISABLE TRIGGER or DROP TRIGGER.
"""

import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from clinic.staff.audit_chain import chain_verify
from clinic.staff.database_roles import runtime_role_grants
from tests.factories import UserFactory, make_staff

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="database roles and grants are PostgreSQL's; SQLite has no roles",
    ),
]

AUDIT_TABLES = ("auditlog_logentry", "staff_auditseal")


@pytest.fixture
def runtime_role() -> Iterator[str]:
    """An owner role that holds the tables, and a runtime role granted as documented.

    All inside the test's transaction: roles, ownership and grants roll back with it.
    """
    suffix = uuid.uuid4().hex[:8]
    owner, runtime = f"clinic_owner_{suffix}", f"clinic_app_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"CREATE ROLE {runtime} NOLOGIN")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" OWNER TO {owner}')
        for statement in runtime_role_grants(runtime, owner=owner):
            cursor.execute(statement)
    yield runtime
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def _as(role: str, sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql)


@pytest.mark.parametrize(
    "attack",
    [
        "TRUNCATE {table}",
        "TRUNCATE {table} CASCADE",
        "UPDATE {table} SET id = id",
        "DELETE FROM {table}",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
        "DROP TRIGGER {table}_append_only ON {table}",
        "DROP TABLE {table}",
    ],
)
@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_runtime_role_cannot_empty_change_or_unguard_the_audit_log(runtime_role, table, attack):
    UserFactory()  # at least one entry and seal to aim at

    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        _as(runtime_role, attack.format(table=table))


def test_the_runtime_role_cannot_remove_or_add_a_chain_head(runtime_role):
    for sql in ("DELETE FROM staff_auditchainhead", "TRUNCATE staff_auditchainhead"):
        with pytest.raises(DatabaseError, match="permission denied"):
            _as(runtime_role, sql)
    with pytest.raises(DatabaseError, match="permission denied"):
        _as(
            runtime_role,
            "INSERT INTO staff_auditchainhead (id, sequence, digest) VALUES (2, 0, '')",
        )


def test_the_runtime_role_still_writes_sealed_entries_and_the_clinics_data(runtime_role):
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {runtime_role}")
    user = make_staff(username="runtime")  # the account, its audit entry, its seal, the head moved
    user.first_name = "Changed"
    user.save(update_fields=["first_name"])

    assert chain_verify().problem is None
    call_command("audit_verify")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (runtime_role,)
