"""System checks for the outbox's settings (registered in apps.py; ``manage.py check``).

A message is claimed ("sending") while its worker talks to the mail server. If the server
stops answering and the worker keeps waiting past MESSAGE_CLAIM_TIMEOUT, the claim runs out,
another worker takes the message over, and the patient may get it twice. So the SMTP
timeout must be a real number of seconds, and well below the claim: one send is several
exchanges with the server (greeting, sender, recipients, data), each allowed the timeout,
and the message is rendered inside the same claim.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

# The timeout must stay below this share of the claim.
EMAIL_TIMEOUT_SHARE_OF_CLAIM = 0.5


def email_timeout_within_claim(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    claim = settings.MESSAGE_CLAIM_TIMEOUT.total_seconds()
    if timeout is None or timeout <= 0:
        return [
            Error(
                "EMAIL_TIMEOUT is not a positive number of seconds: without a timeout, a "
                "mail server that stops answering keeps a message claimed for as long as "
                "it likes.",
                hint="Set EMAIL_TIMEOUT_SECONDS (30 by default).",
                id="messaging.E001",
            )
        ]
    limit = claim * EMAIL_TIMEOUT_SHARE_OF_CLAIM
    if timeout >= limit:
        return [
            Error(
                f"EMAIL_TIMEOUT ({timeout:g} s) is not below half of MESSAGE_CLAIM_TIMEOUT "
                f"({claim:g} s): a slow mail server could outlast the claim, and another "
                "worker would send the same message again.",
                hint=(
                    f"Lower EMAIL_TIMEOUT_SECONDS below {limit:g} or raise "
                    "MESSAGE_CLAIM_TIMEOUT_SECONDS above twice the timeout."
                ),
                id="messaging.E002",
            )
        ]
    return []
