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


# Pages a signed-in member of staff may open before passing the second factor: those
# that let them pass it (or set it up), sign out, and the pages of the password links.
SECOND_FACTOR_OPEN = frozenset(
    {
        "login",
        "logout",
        "mfa_verify",
        "mfa_enrol",
        "password_forgot",
        "password_forgot_sent",
        "password_set",
        "password_set_done",
        "healthz",
        # A patient's own pages from an email link: nobody signs in to them.
        "messaging:reply",
        "messaging:change",
        "messaging:cancel",
        "messaging:offer",
        "treatments:book_session",
    }
)
# Whether the signed-in user has an authenticator, noted at sign-in so that a page does
# not ask the database each time (the verify page looks again).
MFA_ENROLLED = "clinic_mfa_enrolled"


def note_mfa_enrolment(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from clinic.staff.mfa import mfa_enrolled

    request.session[MFA_ENROLLED] = mfa_enrolled(user)


class SecondFactorMiddleware:
    """Sends a signed-in member of staff who needs a second factor to pass it (or to set one
    up, at first sign-in) before any other page; the admin included.

    Who needs one: ``clinic.staff.mfa.mfa_required``, and anyone who has set one up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        from clinic.staff.mfa import mfa_required

        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_OPEN:
            return None
        enrolled = request.session.get(MFA_ENROLLED)
        if enrolled is None:
            note_mfa_enrolment(None, request, user)
            enrolled = request.session[MFA_ENROLLED]
        if not (enrolled or mfa_required(user)):
            return None
        target = resolve_url("mfa_verify" if enrolled else "mfa_enrol")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect_to_login(request.get_full_path(), target)
