"""The grants of the app's runtime database role, for a PostgreSQL deployment.

The tables belong to the role that runs the migrations; the web and worker processes
connect as another role that may read and write the clinic's data but may only *add to*
and read the audit log. Not owning the tables, it cannot TRUNCATE them, nor disable or drop
the append-only triggers, and without UPDATE and DELETE it cannot touch a written entry.

``manage.py audit_database_grants RUNTIME_ROLE`` prints these statements; run them as the
owner after every migration (they are idempotent). tests/clinic/staff/test_audit_roles.py
runs them.
"""

from django.db import connection

# Written once, then only read.
APPEND_ONLY_TABLES = ("auditlog_logentry", "staff_auditseal")
# The one row that says where the chain ends: moved on each append, never added or removed.
CHAIN_HEAD_TABLE = "staff_auditchainhead"


def runtime_role_grants(role: str, *, owner: str = "") -> list[str]:
    """SQL that gives ``role`` what the app needs and no more over the audit log."""
    quote = connection.ops.quote_name
    who = quote(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {who}",
        f"REVOKE UPDATE, DELETE ON {', '.join(APPEND_ONLY_TABLES)} FROM {who}",
        f"REVOKE INSERT, DELETE ON {CHAIN_HEAD_TABLE} FROM {who}",
    ]
    if owner:
        # Tables the owner's later migrations create are the runtime role's to use too;
        # run this command again after migrating so new audit tables are narrowed.
        by = quote(owner)
        statements += [
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {by} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {by} IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        ]
    return statements
