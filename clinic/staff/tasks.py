from celery import shared_task
from django.utils import timezone

from clinic.staff.services import sign_in_records_purge


@shared_task(ignore_result=True)
def purge_sign_in_records() -> None:
    """Nightly: expired sessions and stale failed sign-in attempts (see the service)."""
    sign_in_records_purge(now=timezone.now())
