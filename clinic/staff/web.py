"""Small helpers that the apps' function views share."""

import html
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def escaped(value: object) -> str:
    """``value`` escaped for HTML as the templates escape it (Django's ``escape`` is
    ``html.escape`` of ``str(value)``), for rows written at once in Python: without its
    wrapping for lazy strings, which cost more than the escaping on a page of rows."""
    return html.escape(str(value))


def signed_in_staff(request: HttpRequest) -> User:
    """The signed-in member of staff, for views behind ``@login_required``."""
    return cast(User, request.user)


TRY_AGAIN = "Someone else was changing this at the same moment. Please try again."
# PostgreSQL's answers when two writers wait for each other's rows: a deadlock, a lock not
# to be had, a serialisation failure. Each means "try again", never a broken page.
LOCK_CONFLICTS = frozenset({"40P01", "55P03", "40001"})


def is_lock_conflict(error: DatabaseError) -> bool:
    """The database refused the write only because another writer held the rows."""
    cause = error.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in LOCK_CONFLICTS


def perform(
    request: HttpRequest, action: Callable[[], object], done: str, to: str, **url_kwargs: Any
) -> HttpResponse:
    """Run a service for a POST, say plainly how it went, and go back to the page. A write
    that lost a lock to another at the same moment is asked to be tried again."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DatabaseError as exc:
        if not is_lock_conflict(exc):
            raise
        messages.error(request, TRY_AGAIN)
    else:
        messages.success(request, done)
    return redirect(to, **url_kwargs)


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request for part of a page. Restoring history (Back, once htmx has no copy
    of the page) is an htmx request too, but it needs the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on its field where the form has that field,
    above the form otherwise."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
