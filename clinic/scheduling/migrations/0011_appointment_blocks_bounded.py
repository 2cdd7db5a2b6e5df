"""An appointment type keeps at most two hours free before and after; on PostgreSQL the
database also refuses an appointment that blocks more than twelve hours, buffers
included (models.LONGEST_BLOCK: eight hours at most, and two hours either side).

A search for busy time over a range then knows where a block that reaches into the range
may begin, and reads the indexes on (practitioner, blocked_from) and (room,
blocked_from) over that span only, instead of every appointment the practitioner or the
room ever had. SQLite, the local demo database, keeps the bound in the booking service:
its constraint would need one of Django's own functions.
"""

from django.db import migrations, models

CREATE = """
ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_blocks_at_most_twelve_hours
    CHECK (blocked_until <= blocked_from + interval '12 hours');
"""

DROP = """
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS
    appointment_blocks_at_most_twelve_hours;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0010_waitlist_entry_purpose")]

    operations = [
        migrations.AddConstraint(
            model_name="appointmenttype",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("buffer_after_minutes__lte", 120), ("buffer_before_minutes__lte", 120)
                ),
                name="appointment_type_buffers_at_most_two_hours",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
