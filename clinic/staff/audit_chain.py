"""The audit log's chain of keyed hashes, and its verification.

Every audit entry gets a seal (``AuditSeal``): a sequence number and
``HMAC-SHA256(key, sequence | previous digest | the entry's fields)``. The key comes from the
environment (``AUDIT_CHAIN_KEY``), never from the database, so someone who can write the
tables but does not hold the key cannot:

* insert a back-dated entry (it has no seal, or a seal that does not verify);
* change an entry (its digest no longer matches);
* remove an entry (the sequence has a gap, the next seal's link is broken, or the chain
  ends before the head says it does).

Appending takes the chain head row ``FOR UPDATE``: two processes appending at once queue
there, so the chain never forks (SQLite serialises writers anyway: IMMEDIATE transactions).
"""

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction

from clinic.staff.models import AuditChainHead, AuditSeal

GENESIS = "0" * 64
HEAD_ID = 1
VERIFY_BATCH = 2000


def _canonical_ip(value: object) -> str | None:
    # PostgreSQL's inet hands back its own spelling of an address; compare meanings.
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return str(value)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _number(value: object) -> int | None:
    return None if value is None else int(str(value))


def entry_fields(entry: Any) -> bytes:
    """The entry's every stored field, spelled the same before and after a database trip.

    Before the INSERT the fields hold what auditlog assigned (an object's pk as an int, say);
    read back they hold what the column gives, so each is brought to its column's type.
    """
    fields = {
        "id": _number(entry.pk),
        "content_type": _number(entry.content_type_id),
        "object_pk": _text(entry.object_pk),
        "object_id": _number(entry.object_id),
        "object_repr": _text(entry.object_repr),
        "serialized_data": entry.serialized_data,
        "action": _number(entry.action),
        "changes_text": _text(entry.changes_text),
        "changes": entry.changes,
        "actor": _number(entry.actor_id),
        "actor_email": _text(entry.actor_email),
        "cid": _text(entry.cid),
        "remote_addr": _canonical_ip(entry.remote_addr),
        "remote_port": _number(entry.remote_port),
        "timestamp": entry.timestamp.astimezone(UTC).isoformat(timespec="microseconds"),
        "additional_data": entry.additional_data,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def seal_digest(*, sequence: int, previous_digest: str, entry: Any, key: str = "") -> str:
    message = f"{sequence}|{previous_digest}|".encode() + entry_fields(entry)
    secret = (key or settings.AUDIT_CHAIN_KEY).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


# No savepoint: a seal that fails must take the entry's whole transaction down with it, and
# the savepoint's two statements would be paid on every audited page.
@transaction.atomic(savepoint=False)
def entry_seal(entry: LogEntry) -> int:
    """Chain ``entry`` to the last sealed entry; returns its sequence number.

    1. Lock the chain head (every other append waits here until this one commits).
    2. Seal the entry with the next sequence number and the head's digest.
    3. Move the head to the new seal.

    Written in SQL: every audited page pays for this while holding the chain's lock, and
    building the ORM's three statements cost more than running them.
    """
    head = _locked_head()
    if head is None:
        # Only an emptied database (a test flush) lacks the row the migration made.
        AuditChainHead.objects.get_or_create(pk=HEAD_ID)
        head = _locked_head() or (0, "")
    sequence, previous = head[0] + 1, head[1] or GENESIS
    digest = seal_digest(sequence=sequence, previous_digest=previous, entry=entry)
    with connection.cursor() as cursor:
        cursor.execute(_SEAL, (sequence, entry.pk, previous, digest))
        cursor.execute(_MOVE_HEAD, (sequence, digest, HEAD_ID))
    return sequence


# The seal's table and the head's, as their models name them (AuditSeal, AuditChainHead).
_SEAL = (
    'INSERT INTO "staff_auditseal" ("sequence", "entry_id", "previous_digest", "digest") '
    "VALUES (%s, %s, %s, %s)"
)
_MOVE_HEAD = 'UPDATE "staff_auditchainhead" SET "sequence" = %s, "digest" = %s WHERE "id" = %s'
_HEAD = 'SELECT "sequence", "digest" FROM "staff_auditchainhead" WHERE "id" = %s'


def _locked_head() -> tuple[int, str] | None:
    """The chain head's sequence number and digest, its row locked until the end of the
    transaction (SQLite has no row locks: its writers already take turns)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(_HEAD + lock, [HEAD_ID])
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def seal_new_entry(sender: type, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """post_save of an audit entry: seal it in the same transaction."""
    if created and not kwargs.get("raw"):
        entry_seal(instance)


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not fit, in words for the command's output."""

    sequence: int | None
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.entry_id is not None:
            where.append(f"entry {self.entry_id}")
        if self.sequence is not None:
            where.append(f"seal #{self.sequence}")
        return f"{' / '.join(where) or 'chain'}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None


def _seals() -> Iterator[AuditSeal]:
    last = 0
    while True:
        batch = list(
            AuditSeal.objects.select_related("entry")
            .filter(sequence__gt=last)
            .order_by("sequence")[:VERIFY_BATCH]
        )
        yield from batch
        if len(batch) < VERIFY_BATCH:
            return
        last = batch[-1].sequence


def _seal_problem(seal: AuditSeal, expected: int, previous: str) -> ChainProblem | None:
    if seal.sequence != expected:
        missing = (
            f"#{expected}"
            if seal.sequence == expected + 1
            else f"#{expected} to #{seal.sequence - 1}"
        )
        return ChainProblem(
            seal.sequence, seal.entry_id, f"removed: the entry sealed as {missing} is missing"
        )
    if seal.previous_digest != previous:
        return ChainProblem(
            seal.sequence, seal.entry_id, "broken link: it does not follow the entry before it"
        )
    digest = seal_digest(sequence=seal.sequence, previous_digest=previous, entry=seal.entry)
    if not hmac.compare_digest(digest, seal.digest):
        return ChainProblem(
            seal.sequence, seal.entry_id, "changed or forged: its content does not match its seal"
        )
    return None


def chain_verify() -> ChainReport:
    """Walk the chain from the first seal; name the first entry that does not fit.

    1. Each seal in sequence order: no gap, linked to the one before, digest matches.
    2. The chain ends where the head says it does (nothing cut from the end).
    3. No entry is without a seal (nothing slipped in beside the chain).
    """
    expected, previous, checked = 1, GENESIS, 0
    for seal in _seals():
        problem = _seal_problem(seal, expected, previous)
        if problem is not None:
            return ChainReport(checked, problem)
        expected, previous, checked = expected + 1, seal.digest, checked + 1
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    if head is None or head.sequence != checked or (head.digest or GENESIS) != previous:
        return ChainReport(
            checked,
            ChainProblem(
                checked + 1,
                None,
                "removed: the chain ends before its head"
                if head and head.sequence > checked
                else "the chain head does not match the last seal",
            ),
        )
    unsealed = LogEntry.objects.filter(seal__isnull=True).order_by("pk").first()
    if unsealed is not None:
        return ChainReport(
            checked, ChainProblem(None, unsealed.pk, "forged: an entry without a seal")
        )
    return ChainReport(checked, None)
