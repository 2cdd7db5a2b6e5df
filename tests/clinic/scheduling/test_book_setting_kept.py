"""What the book's grid is drawn around (columns with their hours, opening hours,
closures, leave) is kept in the shared cache, and every change to it draws the grid
afresh at the next request (calendar_views.book_setting).

The cache is only used when it is shared (SHARED_CACHE); these tests switch it on over the
test's own memory cache, which is what every web process would share. The generation
moves on once a write commits: the writes run inside django_capture_on_commit_callbacks.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.scheduling.models import Closure, Leave, Location, OpeningHours, Room, WorkingHours
from clinic.scheduling.setup_services import closure_add

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")
SETTING_TABLES = (
    "scheduling_workinghours",
    "scheduling_openinghours",
    "scheduling_closure",
    "scheduling_leave",
)


def _data(client, **params):
    return client.get(
        reverse("scheduling:calendar_data"),
        {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=1)).isoformat(), **params},
    ).json()


def test_the_setting_is_read_once_and_the_appointments_every_time(
    shared_cache, manager_client, clinic, frozen_now
):
    # The manager: no free starts, whose own reading asks for hours, closures and leave.
    # Another week first, so that the manager's roles are kept already.
    _data(manager_client, start="2026-12-07", end="2026-12-08")
    with CaptureQueriesContext(connection) as first:
        drawn = _data(manager_client)
    with CaptureQueriesContext(connection) as again:
        assert _data(manager_client) == drawn

    read_first = " ".join(query["sql"] for query in first.captured_queries)
    read_again = " ".join(query["sql"] for query in again.captured_queries)
    for table in SETTING_TABLES:
        assert table in read_first
        assert table not in read_again
    assert "scheduling_appointment" in read_again
    assert len(again) == len(first) - len(SETTING_TABLES)


def _leave(clinic):
    Leave.objects.create(
        practitioner=clinic["practitioners"][0], reason="Dentist",
        starts_at=datetime.combine(MONDAY, time(14), tzinfo=LONDON),
        ends_at=datetime.combine(MONDAY, time(16), tzinfo=LONDON),
    )  # fmt: skip


def _closure(clinic):
    closure_add(
        location=clinic["location"], first_day=MONDAY, last_day=MONDAY, reason="Flood",
        now=timezone.now(),
    )  # fmt: skip


def _later_opening(clinic):
    OpeningHours.objects.filter(location=clinic["location"], weekday=0).delete()
    OpeningHours.objects.create(
        location=clinic["location"], weekday=0, opens=time(11), closes=time(17)
    )


def _day_off(clinic):
    WorkingHours.objects.filter(practitioner=clinic["practitioners"][0], weekday=0).delete()


def _renamed(clinic):
    user = clinic["practitioners"][0].user
    user.first_name = "Hypatia"
    user.save()


def _switched_off(clinic):
    user = clinic["practitioners"][1].user
    user.is_active = False
    user.save()


def _labels(drawn):
    return {shade[3] for shade in drawn["shades"]}


def _first(clinic):
    return clinic["practitioners"][0].pk


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        (_leave, lambda drawn, clinic: "Leave: Dentist" in _labels(drawn)),
        (_closure, lambda drawn, clinic: "Closed: Flood" in _labels(drawn)),
        (_later_opening, lambda drawn, clinic: drawn["grid"][0] == "11:00"),
        (_day_off, lambda drawn, clinic: [_first(clinic), "2026-11-23T09:00",
                                          "2026-11-23T17:00", "Day off"] in drawn["shades"]),
        (_renamed, lambda drawn, clinic: any(name.startswith("Hypatia")
                                             for _, name in drawn["columns"])),
        (_switched_off, lambda drawn, clinic: len(drawn["columns"]) == 1),
    ],
)  # fmt: skip
def test_a_change_to_the_setting_draws_the_grid_afresh(
    shared_cache, front_desk_client, clinic, frozen_now, django_capture_on_commit_callbacks,
    change, seen,
):  # fmt: skip
    assert not seen(_data(front_desk_client), clinic)  # kept now

    with django_capture_on_commit_callbacks(execute=True):
        change(clinic)

    assert seen(_data(front_desk_client), clinic)


def test_a_new_room_is_a_column_at_once(
    shared_cache, front_desk_client, clinic, frozen_now, django_capture_on_commit_callbacks
):
    assert len(_data(front_desk_client, by="room")["columns"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        Room.objects.create(location=clinic["location"], name="Room 3")
    assert len(_data(front_desk_client, by="room")["columns"]) == 3


def test_each_location_and_range_is_kept_apart(
    shared_cache, front_desk_client, clinic, frozen_now, django_capture_on_commit_callbacks
):
    monday = _data(front_desk_client)
    tuesday = _data(
        front_desk_client,
        start=(MONDAY + timedelta(days=1)).isoformat(),
        end=(MONDAY + timedelta(days=2)).isoformat(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.create(
            location=clinic["location"], first_day=MONDAY + timedelta(days=1),
            last_day=MONDAY + timedelta(days=1), reason="Training",
        )  # fmt: skip
    assert "Closed: Training" not in _labels(monday)
    assert "Closed: Training" not in _labels(tuesday)
    assert "Closed: Training" not in _labels(_data(front_desk_client))
    assert "Closed: Training" in _labels(
        _data(
            front_desk_client,
            start=(MONDAY + timedelta(days=1)).isoformat(),
            end=(MONDAY + timedelta(days=2)).isoformat(),
        )
    )


def test_a_new_location_and_a_type_switched_off_are_offered_at_once(
    shared_cache, front_desk_client, clinic, frozen_now, django_capture_on_commit_callbacks
):
    book = reverse("scheduling:calendar_day")
    assert [loc.name for loc in front_desk_client.get(book).context["choice"].locations] == ["Bath"]
    assert [loc.name for loc in front_desk_client.get("/").context["locations"]] == ["Bath"]
    with django_capture_on_commit_callbacks(execute=True):
        Location.objects.create(name="Wells", time_zone="Europe/London")
    offered = front_desk_client.get(book).context["choice"]
    assert [loc.name for loc in offered.locations] == ["Bath", "Wells"]
    assert [loc.name for loc in front_desk_client.get("/").context["locations"]] == [
        "Bath",
        "Wells",
    ]

    assert clinic["type"] in offered.types
    with django_capture_on_commit_callbacks(execute=True):
        clinic["type"].is_active = False
        clinic["type"].save()
    assert clinic["type"] not in front_desk_client.get(book).context["choice"].types
