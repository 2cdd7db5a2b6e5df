"""Celery work for the outbox. Beat runs dispatch every minute; the task holds no data of
its own (the rows are the queue), so a second beat, a duplicate delivery or a restart
after a killed worker only ever finds fewer rows to claim."""

import logging

from celery import shared_task
from django.utils import timezone

from clinic.messaging.services import messages_dispatch
from clinic.scheduling.waitlist import offers_pass_on

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def dispatch_due_messages() -> None:
    report = messages_dispatch()
    if report.handled or report.recovered:
        logger.info(
            "Messages: %s sent, %s to retry, %s failed, %s not sent, %s cancelled, %s recovered",
            report.sent, report.retried, report.failed, report.skipped, report.cancelled,
            report.recovered,
        )  # fmt: skip


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def pass_on_waitlist_offers() -> None:
    """Each freed time whose hold has run out is offered to the next waiting patient."""
    passed = offers_pass_on(now=timezone.now())
    if passed:
        logger.info("Waitlist: %s offers passed on", passed)
