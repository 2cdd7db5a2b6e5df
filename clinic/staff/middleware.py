"""Sign-out after a period without activity, and after an absolute session lifetime."""

import time
from collections.abc import Callable
from typing import Any

import auditlog.middleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from clinic.staff.client_ip import client_ip

SESSION_STARTED = "clinic_session_started"
LAST_ACTIVITY = "clinic_last_activity"
# Writing the session on every request would cost a query per page; a minute's
# resolution on an idle limit of half an hour is plenty.
ACTIVITY_RESOLUTION_SECONDS = 60


def stamp_session_start(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[LAST_ACTIVITY] = now


def _expiry_reason(request: HttpRequest, now: float) -> str | None:
    started = request.session.get(SESSION_STARTED)
    last = request.session.get(LAST_ACTIVITY)
    if started is None or now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
        hours = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds() / 3600
        return f"For safety, sessions end after {hours:g} hours. Please sign in again."
    if last is None or now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        minutes = settings.SESSION_IDLE_TIMEOUT.total_seconds() / 60
        return f"You were signed out after {minutes:g} minutes without activity."
    return None


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            reason = _expiry_reason(request, now)
            if reason:
                logout(request)
                messages.info(request, reason)
                if request.headers.get("HX-Request"):
                    # An htmx swap would paint the login page inside a panel; send the
                    # whole page there instead.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                    return response
                return redirect_to_login(request.get_full_path())
            if now - request.session[LAST_ACTIVITY] >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class AuditlogMiddleware(auditlog.middleware.AuditlogMiddleware):
    """django-auditlog's middleware, reading the client address as sign-in throttling does.

    Its own reading trusts the first X-Forwarded-For entry, which a client can forge.
    """

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return client_ip(request)
