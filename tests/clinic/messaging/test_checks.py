"""The system check that keeps the SMTP timeout well inside a message's claim."""

from datetime import timedelta

import pytest
from django.core.checks import run_checks

from clinic.messaging.checks import email_timeout_within_claim


@pytest.mark.parametrize(("timeout", "claim"), [(30, 300), (4, 10), (0.5, 2)])
def test_a_timeout_under_half_the_claim_passes(settings, timeout, claim):
    settings.EMAIL_TIMEOUT = timeout
    settings.MESSAGE_CLAIM_TIMEOUT = timedelta(seconds=claim)

    assert email_timeout_within_claim() == []


@pytest.mark.parametrize("timeout", [None, 0, -5])
def test_no_timeout_is_an_error(settings, timeout):
    settings.EMAIL_TIMEOUT = timeout

    errors = email_timeout_within_claim()

    assert [error.id for error in errors] == ["messaging.E001"]
    assert "EMAIL_TIMEOUT_SECONDS" in str(errors[0].hint)


def test_a_missing_timeout_setting_is_an_error(settings):
    del settings.EMAIL_TIMEOUT

    assert [error.id for error in email_timeout_within_claim()] == ["messaging.E001"]


@pytest.mark.parametrize(("timeout", "claim"), [(150, 300), (200, 300), (300, 300), (5, 10)])
def test_a_timeout_of_half_the_claim_or_more_is_an_error(settings, timeout, claim):
    settings.EMAIL_TIMEOUT = timeout
    settings.MESSAGE_CLAIM_TIMEOUT = timedelta(seconds=claim)

    errors = email_timeout_within_claim()

    assert [error.id for error in errors] == ["messaging.E002"]
    assert f"({timeout} s)" in errors[0].msg
    assert f"({claim} s)" in errors[0].msg


def test_the_check_is_registered_with_django(settings):
    settings.EMAIL_TIMEOUT = 600

    assert "messaging.E002" in [message.id for message in run_checks()]
