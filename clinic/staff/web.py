"""Small helpers that the apps' function views share."""

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def signed_in_staff(request: HttpRequest) -> User:
    """The signed-in member of staff, for views behind ``@login_required``."""
    return cast(User, request.user)


def perform(
    request: HttpRequest, action: Callable[[], object], done: str, to: str, **url_kwargs: Any
) -> HttpResponse:
    """Run a service for a POST, say plainly how it went, and go back to the page."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
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
