"""Each audit entry is sealed into a chain of keyed hashes that audit_verify walks.

The tampering here is what someone with the table owner's rights could do; on PostgreSQL
the append-only triggers stop it first, so the tests switch them off as such a person
would.
"""

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings

from clinic.staff.audit import audit_view
from clinic.staff.audit_chain import GENESIS, chain_verify, seal_digest
from clinic.staff.models import AuditChainHead, AuditSeal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two processes appending at once is PostgreSQL's case; SQLite serialises writes",
)


@contextmanager
def triggers_off(*tables: str) -> Iterator[None]:
    """As the table owner: what the runtime role cannot do (test_audit_roles.py)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign key check of this transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _entries(n: int) -> list[LogEntry]:
    users = [UserFactory() for _ in range(n)]
    return [LogEntry.objects.get_for_object(user).latest("pk") for user in users]


def _verify_output() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify")
    return str(failure.value)


def test_every_new_entry_is_sealed_after_the_one_before(practitioner):
    entries = _entries(3)

    seals = [entry.seal for entry in entries]
    for before, after in itertools.pairwise(seals):
        assert after.sequence == before.sequence + 1
        assert after.previous_digest == before.digest
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.digest) == (seals[-1].sequence, seals[-1].digest)


def test_an_untouched_log_verifies(practitioner, front_desk, capsys):
    with set_actor(front_desk):
        audit_view(practitioner.practitioner_profile)

    call_command("audit_verify")

    out = capsys.readouterr().out
    assert f"{AuditSeal.objects.count()} entries, chain unbroken" in out
    assert AuditSeal.objects.count() == LogEntry.objects.count() > 1


def test_a_forged_entry_slipped_in_without_a_seal_is_named():
    real = _entries(2)[-1]
    # A back-dated row written straight to the table: no post_save, so no seal.
    [forged] = LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type_id=real.content_type_id,
                object_pk=real.object_pk,
                object_repr="back-dated",
                action=LogEntry.Action.ACCESS,
                timestamp=real.timestamp.replace(year=2020),
            )
        ]
    )
    forged_pk = forged.pk or LogEntry.objects.get(object_repr="back-dated").pk

    message = _verify_output()

    assert f"entry {forged_pk}: forged" in message


def test_a_forged_seal_made_without_the_key_is_named():
    real = _entries(2)[-1]
    [forged] = LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type_id=real.content_type_id,
                object_pk=real.object_pk,
                object_repr="forged",
                action=LogEntry.Action.ACCESS,
            )
        ]
    )
    forged = LogEntry.objects.get(object_repr="forged")
    head = AuditChainHead.objects.get()
    sequence = head.sequence + 1
    digest = seal_digest(
        sequence=sequence, previous_digest=head.digest, entry=forged, key="a guessed key"
    )
    AuditSeal.objects.create(
        sequence=sequence, entry=forged, previous_digest=head.digest, digest=digest
    )
    AuditChainHead.objects.filter(pk=1).update(sequence=sequence, digest=digest)

    message = _verify_output()

    assert f"entry {forged.pk} / seal #{sequence}: changed or forged" in message


def test_a_changed_entry_is_named():
    _first, second, _third = _entries(3)
    with triggers_off("auditlog_logentry"):
        LogEntry.objects.filter(pk=second.pk).update(object_repr="someone else")

    message = _verify_output()

    assert f"entry {second.pk} / seal #{second.seal.sequence}: changed or forged" in message


def test_a_changed_timestamp_is_named():
    entry = _entries(2)[0]
    with triggers_off("auditlog_logentry"):
        LogEntry.objects.filter(pk=entry.pk).update(timestamp=entry.timestamp.replace(year=2021))

    assert f"entry {entry.pk} / seal #{entry.seal.sequence}: changed" in _verify_output()


def test_an_entry_removed_from_the_middle_is_named():
    _first, second, third = _entries(3)
    gone = second.seal.sequence
    with triggers_off("auditlog_logentry", "staff_auditseal"):
        AuditSeal.objects.filter(pk=second.seal.pk).delete()
        LogEntry.objects.filter(pk=second.pk).delete()

    message = _verify_output()

    assert f"entry {third.pk} / seal #{gone + 1}: removed: the entry sealed as #{gone}" in message


def test_an_entry_removed_from_the_end_is_named():
    *_, last = _entries(3)
    with triggers_off("auditlog_logentry", "staff_auditseal"):
        AuditSeal.objects.filter(pk=last.seal.pk).delete()
        LogEntry.objects.filter(pk=last.pk).delete()

    assert "removed: the chain ends before its head" in _verify_output()


def test_a_relinked_chain_still_fails_without_the_key():
    # Remove an entry and renumber what follows: the digests were made over the old
    # numbers and links, and cannot be remade without the key.
    first, second, third = _entries(3)
    with triggers_off("auditlog_logentry", "staff_auditseal"):
        AuditSeal.objects.filter(pk=second.seal.pk).delete()
        LogEntry.objects.filter(pk=second.pk).delete()
        AuditSeal.objects.filter(pk=third.seal.pk).update(
            sequence=second.seal.sequence, previous_digest=first.seal.digest
        )

    assert f"entry {third.pk}" in _verify_output()


def test_a_seal_made_under_another_key_does_not_verify():
    _entries(2)

    with override_settings(AUDIT_CHAIN_KEY="another key entirely"):
        assert chain_verify().problem is not None
    assert chain_verify().problem is None


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="on PostgreSQL the seals are append-only; the migration's sealing is the same code",
)
def test_the_migration_seals_the_entries_written_before_the_chain():
    from importlib import import_module

    migration = import_module("clinic.staff.migrations.0006_seal_existing_audit_entries")
    entries = _entries(3)
    AuditSeal.objects.all().delete()
    AuditChainHead.objects.all().delete()
    assert chain_verify().problem is not None

    migration.seal_existing(apps, connection.schema_editor())

    assert chain_verify().problem is None
    first = AuditSeal.objects.order_by("sequence").first()
    assert first is not None
    assert first.previous_digest == GENESIS
    assert AuditSeal.objects.filter(entry__in=entries).count() == len(entries)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_processes_appending_at_once_do_not_fork_the_chain():
    per_worker = 15
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def append() -> None:
        try:
            barrier.wait()
            for _ in range(per_worker):
                UserFactory()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = chain_verify()
    assert report.problem is None
    assert report.checked == LogEntry.objects.count() >= 2 * per_worker
