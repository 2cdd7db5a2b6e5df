"""What /healthz reports: the database, the Celery broker and the freshness of beat."""

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


def check_broker() -> Check:
    from clinic.celery import app

    try:
        # The URL Celery uses too: both read CELERY_BROKER_URL from the environment.
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception:  # any failure to reach the broker means it is down
        return Check(ok=False, detail="unreachable")
    return Check(ok=True, detail="ok")


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
