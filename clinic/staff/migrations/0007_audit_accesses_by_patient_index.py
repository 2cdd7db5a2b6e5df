"""On PostgreSQL, find a patient's access entries without reading the whole audit log.

"Who accessed this record" asks for the access entries whose additional_data names the
patient (clinic/staff/selectors.py, record_accesses); the index holds exactly that key of
exactly those entries. SQLite, the local demo database, reads the table.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS staff_audit_access_by_patient
    ON auditlog_logentry ((additional_data -> 'patient'), "timestamp" DESC)
    WHERE action = 3;
"""
DROP = "DROP INDEX IF EXISTS staff_audit_access_by_patient;"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("staff", "0006_seal_existing_audit_entries")]

    operations = [migrations.RunPython(create_index, drop_index)]
