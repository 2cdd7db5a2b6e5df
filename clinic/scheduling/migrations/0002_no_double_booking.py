"""On PostgreSQL, the database itself refuses a double booking.

A practitioner, and a room, may each be in at most one active appointment at any moment:
an exclusion constraint over the half-open range each appointment blocks (itself and its
buffers, [blocked_from, blocked_until)), for the active
statuses only (a cancelled or no-show appointment frees its time). The booking service
checks first and locks the practitioner and room rows, so people see "that slot was just
taken"; this constraint is the last word if two bookings race past the check. SQLite, the
local demo database, serialises writes instead.
"""

from django.db import migrations

ACTIVE = "('booked', 'confirmed', 'checked_in', 'in_progress', 'completed')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_practitioner_not_double_booked
    EXCLUDE USING gist (practitioner_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
    WHERE (status IN {ACTIVE});
ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_room_not_double_booked
    EXCLUDE USING gist (room_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
    WHERE (status IN {ACTIVE});
"""

DROP = """
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_practitioner_not_double_booked;
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_room_not_double_booked;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_appointment_book")]

    operations = [migrations.RunPython(create, drop)]
