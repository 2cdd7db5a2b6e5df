"""Periodic work for data rights: beat runs it once a day."""

import logging

from celery import shared_task
from django.utils import timezone

from clinic.data_rights.services import patients_anonymise_due

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def anonymise_past_retention() -> None:
    """Anonymise the records of erased patients whose retention period is over."""
    done = patients_anonymise_due(now=timezone.now())
    if done:
        logger.info("Data rights: %s record(s) anonymised after retention", done)
