from celery import shared_task
from django.utils import timezone

from clinic.services import beat_heartbeat_record


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Runs every minute from beat, so /healthz can tell that beat is alive."""
    beat_heartbeat_record(at=timezone.now())
