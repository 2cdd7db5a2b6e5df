"""Celery work for treatment plans. Beat runs the nudge every hour; the outbox's keys make
a repeated or overlapping run harmless (it finds the nudges already written)."""

import logging

from celery import shared_task
from django.utils import timezone

from treatments.plans.nudges import next_session_nudges_schedule

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def nudge_unbooked_sessions() -> None:
    """Nudge patients whose next session is not booked once its window has opened."""
    scheduled = next_session_nudges_schedule(now=timezone.now())
    if scheduled:
        logger.info("Next-session nudges: %s scheduled", len(scheduled))
