"""Deploy checks for the audit log's seal (registered in apps.py; ``check --deploy``)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning

# As long as Django asks of SECRET_KEY: a short key could be guessed, and with it any
# entry re-sealed.
AUDIT_KEY_MIN_LENGTH = 50


def audit_chain_key_is_strong(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if len(settings.AUDIT_CHAIN_KEY) >= AUDIT_KEY_MIN_LENGTH:
        return []
    return [
        Warning(
            f"AUDIT_CHAIN_KEY is shorter than {AUDIT_KEY_MIN_LENGTH} characters: whoever "
            "guessed it could forge or re-seal audit entries without audit_verify noticing.",
            hint="Set AUDIT_CHAIN_KEY to a long random value kept apart from the database.",
            id="staff.W001",
        )
    ]
