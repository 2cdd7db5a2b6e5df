"""The address a request really came from, for sign-in throttling and the audit log.

Without a proxy that is the socket's address; a client-sent X-Forwarded-For is ignored,
because anyone can write one. Behind ``TRUSTED_PROXIES`` proxies (``BEHIND_PROXY`` on),
each proxy appends the address it saw, so the client is the entry that many places from
the right; entries further left were written by the client and are not trusted.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote: str | None = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.TRUSTED_PROXIES:
        return remote
    return forwarded[-settings.TRUSTED_PROXIES]
