"""Seal the audit entries written before the chain existed, oldest first.

Run it with the production AUDIT_CHAIN_KEY set: the seals are made under that key, and
``manage.py audit_verify`` checks them with it. On PostgreSQL the seals become append-only
like the entries themselves, and the chain head can be moved but never removed.
"""

from django.db import migrations

from clinic.staff.audit_chain import GENESIS, HEAD_ID, seal_digest

APPEND_ONLY = """
CREATE TRIGGER staff_auditseal_append_only
    BEFORE UPDATE OR DELETE ON staff_auditseal
    FOR EACH ROW EXECUTE FUNCTION clinic_audit_log_append_only();

CREATE OR REPLACE FUNCTION clinic_audit_chain_head_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit chain head cannot be removed'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER staff_auditchainhead_kept
    BEFORE DELETE ON staff_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION clinic_audit_chain_head_kept();
"""

DROP = """
DROP TRIGGER IF EXISTS staff_auditchainhead_kept ON staff_auditchainhead;
DROP FUNCTION IF EXISTS clinic_audit_chain_head_kept();
DROP TRIGGER IF EXISTS staff_auditseal_append_only ON staff_auditseal;
"""


def seal_existing(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    AuditSeal = apps.get_model("staff", "AuditSeal")
    AuditChainHead = apps.get_model("staff", "AuditChainHead")
    sequence, previous = 0, GENESIS
    for entry in LogEntry.objects.order_by("pk").iterator(chunk_size=2000):
        sequence += 1
        digest = seal_digest(sequence=sequence, previous_digest=previous, entry=entry)
        AuditSeal.objects.create(
            sequence=sequence, entry=entry, previous_digest=previous, digest=digest
        )
        previous = digest
    AuditChainHead.objects.create(
        pk=HEAD_ID, sequence=sequence, digest=previous if sequence else ""
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def unseal(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
    apps.get_model("staff", "AuditChainHead").objects.all().delete()
    apps.get_model("staff", "AuditSeal").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("staff", "0005_audit_chain_of_seals")]

    operations = [migrations.RunPython(seal_existing, unseal)]
