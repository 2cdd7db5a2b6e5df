from celery import shared_task
from django.utils import timezone

from clinic.staff.accounts import password_link_requests_purge
from clinic.staff.services import sign_in_records_purge


@shared_task(ignore_result=True)
def purge_sign_in_records() -> None:
    """Nightly: expired sessions, stale failed sign-in attempts and "forgot your password"
    requests older than their hour (see the services)."""
    now = timezone.now()
    sign_in_records_purge(now=now)
    password_link_requests_purge(now=now)
