"""On PostgreSQL, trigram indexes so that partial-name and email search stay fast.

Name search matches words anywhere in the name (LIKE '%word%'), which an ordinary b-tree
index cannot serve; pg_trgm's GIN index can. SQLite, the local demo database, scans.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS patient_search_name_trgm
    ON patients_patient USING gin (search_name gin_trgm_ops);
CREATE INDEX IF NOT EXISTS patient_email_trgm
    ON patients_patient USING gin (email gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS patient_search_name_trgm;
DROP INDEX IF EXISTS patient_email_trgm;
"""


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_patient")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
