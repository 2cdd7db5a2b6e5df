"""On PostgreSQL, make the audit log append-only in the database itself.

The app never edits or deletes audit entries; this trigger makes sure nothing else that
connects as the app's database user can either. A database administrator can still drop
the trigger for deliberate maintenance (for example an upgrade of django-auditlog that
rewrites its rows). SQLite, the local demo database, is left as it is.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clinic_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log entries cannot be changed or deleted'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER auditlog_logentry_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION clinic_audit_log_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS clinic_audit_log_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_role_groups"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
