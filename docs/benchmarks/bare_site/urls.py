"""The bare pages, one per benchmark target, each reading its rows with plain SQL."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

PAGE = 50


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@login_required
def messages(request: HttpRequest) -> HttpResponse:
    """The newest page of the outbox: each message with its patient."""
    rows = _rows(
        "SELECT m.id, m.due_at, m.kind, m.about, m.status, m.skip_reason, m.last_error,"
        " p.id AS patient_id, p.first_name, p.last_name"
        " FROM messaging_patientmessage m JOIN patients_patient p ON p.id = m.patient_id"
        " ORDER BY m.due_at DESC, m.id DESC LIMIT %s",
        [PAGE],
    )
    return render(request, "messages.html", {"rows": rows})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("messages/", messages, name="messages"),
]
