"""What /healthz reports: the database, the Celery broker and the freshness of beat."""

import threading
from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from clinic.models import BeatHeartbeat


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check(ok=False, detail="unreachable")
    return Check(ok=True, detail="ok")


# A probe answers within BROKER_DEADLINE whatever the broker does. A broker that accepts
# the connection and then says nothing would otherwise hold the web worker: the socket's
# own timeouts end the attempt soon after, and while one attempt is still waiting no
# other is started, so silent brokers cannot pile up threads either.
BROKER_DEADLINE = 2.0
BROKER_SOCKET_TIMEOUT = 3
_attempt_lock = threading.Lock()
_attempt: threading.Thread | None = None


def _reach_broker(outcome: list[Check]) -> None:
    from clinic.celery import app

    try:
        # The URL Celery uses too: both read CELERY_BROKER_URL from the environment.
        with app.connection_for_write(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_SOCKET_TIMEOUT,
            transport_options={
                "socket_timeout": BROKER_SOCKET_TIMEOUT,
                "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
            },
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_SOCKET_TIMEOUT)
    except Exception:  # any failure to reach the broker means it is down
        outcome.append(Check(ok=False, detail="unreachable"))
    else:
        outcome.append(Check(ok=True, detail="ok"))


def check_broker(deadline: float = BROKER_DEADLINE) -> Check:
    """Connect to the broker in a thread and wait at most ``deadline`` seconds for it."""
    global _attempt
    outcome: list[Check] = []
    with _attempt_lock:
        if _attempt is not None and _attempt.is_alive():
            return Check(ok=False, detail="not answering")
        _attempt = threading.Thread(
            target=_reach_broker, args=(outcome,), name="healthz-broker", daemon=True
        )
        _attempt.start()
        attempt = _attempt
    attempt.join(deadline)
    return outcome[0] if outcome else Check(ok=False, detail="not answering")


def check_beat(now: datetime | None = None) -> Check:
    now = now or timezone.now()
    try:
        last = (
            BeatHeartbeat.objects.filter(id=BeatHeartbeat.SINGLETON_ID)
            .values_list("last_beat_at", flat=True)
            .first()
        )
    except DatabaseError:
        return Check(ok=False, detail="unknown: database unavailable")
    if last is None:
        return Check(ok=False, detail="no heartbeat yet")
    age = int((now - last).total_seconds())
    return Check(ok=age <= settings.BEAT_STALE_AFTER.total_seconds(), detail=f"{age}s ago")


def health_report() -> tuple[bool, dict[str, object]]:
    checks = {"database": check_database(), "broker": check_broker(), "beat": check_beat()}
    healthy = all(check.ok for check in checks.values())
    body: dict[str, object] = {
        "status": "ok" if healthy else "unhealthy",
        "checks": {name: asdict(check) for name, check in checks.items()},
    }
    return healthy, body
