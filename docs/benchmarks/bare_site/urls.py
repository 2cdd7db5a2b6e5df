"""The bare pages, one per benchmark target, each reading its rows with plain SQL."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

PAGE = 50
ARRIVALS = 41  # the clinic's Today shows 40 and looks for one more

# One location's appointments between two instants, with what a card or a row shows.
DAY_ROWS = (
    "SELECT a.id, a.practitioner_id, a.room_id, a.appointment_type_id, a.status,"
    " a.starts_at, a.ends_at, a.patient_id, p.first_name, p.last_name,"
    " u.first_name AS with_first, u.last_name AS with_last, r.name AS room, t.name AS type"
    " FROM scheduling_appointment a"
    " JOIN patients_patient p ON p.id = a.patient_id"
    " JOIN staff_practitionerprofile pp ON pp.id = a.practitioner_id"
    " JOIN auth_user u ON u.id = pp.user_id"
    " JOIN scheduling_room r ON r.id = a.room_id"
    " JOIN scheduling_appointmenttype t ON t.id = a.appointment_type_id"
    " WHERE a.location_id = %s AND a.starts_at >= %s AND a.starts_at < %s"
)


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


def _zone(location_id: int) -> ZoneInfo:
    found = _rows("SELECT time_zone FROM scheduling_location WHERE id = %s", [location_id])
    if not found:
        raise Http404
    return ZoneInfo(found[0]["time_zone"])


def _day(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


@login_required
def calendar_data(request: HttpRequest) -> JsonResponse:
    """One location's appointments on one day as JSON rows, as the book's grid gets them."""
    try:
        location_id = int(request.GET["location"])
        day = date.fromisoformat(request.GET["start"])
    except (KeyError, ValueError):
        raise Http404 from None
    zone = _zone(location_id)
    start, end = _day(day, zone)
    rows = _rows(DAY_ROWS + " ORDER BY a.starts_at, r.name", [location_id, start, end])
    cards = [
        [
            row["id"],
            row["practitioner_id"],
            row["starts_at"].astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            row["ends_at"].astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            f"{row['first_name']} {row['last_name']}",
            row["appointment_type_id"],
            row["status"],
            row["room"],
        ]
        for row in rows
    ]
    return JsonResponse({"appointments": cards})


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """One location's arrivals today, still to come or checked in, the first rows only."""
    try:
        location_id = int(request.GET["location"])
    except (KeyError, ValueError):
        raise Http404 from None
    zone = _zone(location_id)
    start, end = _day(timezone.now().astimezone(zone).date(), zone)
    rows = _rows(
        DAY_ROWS + " AND a.status IN ('booked', 'confirmed', 'checked_in')"
        " ORDER BY a.starts_at, r.name LIMIT %s",
        [location_id, start, end, ARRIVALS],
    )
    for row in rows:
        row["starts_at"] = row["starts_at"].astimezone(zone)
        row["ends_at"] = row["ends_at"].astimezone(zone)
    return render(request, "today.html", {"rows": rows[: ARRIVALS - 1]})


urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("messages/", messages, name="messages"),
    path("calendar/data/", calendar_data, name="calendar_data"),
    path("", today, name="today"),
]
