"""The clinic manager's setup pages: only the manager, bad input explained on the page
(never a 500), a plain warning when booked appointments are left out, and an overview
whose cost does not grow with the clinic."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from tests.factories import make_patient, make_practitioner

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SETUP_MODELS = (Location, Room, OpeningHours, Closure, WorkingHours, Leave, AppointmentType)


def coming_monday() -> date:
    """A Monday at least a week ahead, so that its appointments are still to come."""
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday() + 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def book(clinic, start, *, practitioner=None, room=None, status=Appointment.Status.BOOKED):
    room = room or clinic["rooms"][0]
    return Appointment.objects.create(
        patient=make_patient(),
        practitioner=practitioner or clinic["practitioners"][0],
        room=room,
        location=room.location,
        appointment_type=clinic["type"],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        blocked_from=start,
        blocked_until=start + timedelta(hours=1),
        booked_by=clinic["desk"],
        status=status,
    )


def snapshot() -> list[list[tuple]]:
    """Every setup row as it stands, to show that a refused post changed nothing."""
    return [sorted(model.objects.values_list()) for model in SETUP_MODELS]


def warnings_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


def field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors.get(field, [])


@pytest.fixture
def pages(clinic):
    """Each setup address, with real objects behind it."""
    location, room = clinic["location"], clinic["rooms"][0]
    practitioner = clinic["practitioners"][0]
    monday = coming_monday()
    closure = Closure.objects.create(location=location, first_day=monday, last_day=monday)
    away = Leave.objects.create(
        practitioner=practitioner, starts_at=at(monday, 9), ends_at=at(monday, 12)
    )
    return {
        "overview": reverse("setup:overview"),
        "location_new": reverse("setup:location_new"),
        "location_edit": reverse("setup:location_edit", args=[location.pk]),
        "room_new": reverse("setup:room_new", args=[location.pk]),
        "room_edit": reverse("setup:room_edit", args=[room.pk]),
        "room_off": reverse("setup:room_off", args=[room.pk]),
        "room_on": reverse("setup:room_on", args=[room.pk]),
        "opening_hours": reverse("setup:opening_hours", args=[location.pk]),
        "closures": reverse("setup:closures", args=[location.pk]),
        "closure_remove": reverse("setup:closure_remove", args=[closure.pk]),
        "working_hours": reverse("setup:working_hours", args=[practitioner.pk, location.pk]),
        "leave": reverse("setup:leave", args=[practitioner.pk]),
        "leave_remove": reverse("setup:leave_remove", args=[away.pk]),
        "appointment_type_new": reverse("setup:appointment_type_new"),
        "appointment_type_edit": reverse("setup:appointment_type_edit", args=[clinic["type"].pk]),
    }


PAGES = [
    "overview", "location_new", "location_edit", "room_new", "room_edit", "opening_hours",
    "closures", "working_hours", "leave", "appointment_type_new", "appointment_type_edit",
]  # fmt: skip
ACTIONS = ["room_off", "room_on", "closure_remove", "leave_remove"]
FORMS = [name for name in PAGES if name != "overview"]


# --- Who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("address", PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("front_desk", 403), ("practitioner", 403), ("outsider", 403)],
)
def test_only_the_manager_opens_the_setup_pages(role_clients, pages, address, who, expected):
    assert role_clients[who].get(pages[address]).status_code == expected


@pytest.mark.parametrize("address", PAGES + ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in(role_clients, pages, address):
    before = snapshot()

    anonymous = role_clients["anonymous"]
    responses = [anonymous.get(pages[address]), anonymous.post(pages[address], {"name": "Bristol"})]
    for response in responses:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("address", FORMS + ACTIONS)
@pytest.mark.parametrize("who", ["front_desk", "practitioner", "outsider"])
def test_other_roles_cannot_change_anything(role_clients, pages, address, who):
    before = snapshot()
    valid = {
        "name": "Room 9", "time_zone": "Europe/London", "d5_1_start": "10:00",
        "d5_1_end": "12:00", "first_day": "2031-01-01", "last_day": "2031-01-02",
    }  # fmt: skip

    assert role_clients[who].post(pages[address], valid).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("address", ACTIONS)
def test_the_actions_take_a_post_only(manager_client, pages, address):
    assert manager_client.get(pages[address]).status_code == 405


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("setup:location_edit", [999999]),
        ("setup:location_edit", [99999999999999999999]),
        ("setup:room_new", [999999]),
        ("setup:room_edit", [999999]),
        ("setup:opening_hours", [999999]),
        ("setup:closures", [999999]),
        ("setup:working_hours", [999999, 1]),
        ("setup:leave", [999999]),
        ("setup:appointment_type_edit", [999999]),
    ],
)
def test_an_unknown_id_is_not_found(manager_client, clinic, name, args):
    assert manager_client.get(reverse(name, args=args)).status_code == 404


@pytest.mark.parametrize("name", ["setup:room_off", "setup:closure_remove", "setup:leave_remove"])
def test_an_action_on_an_unknown_id_is_not_found(manager_client, name):
    assert manager_client.post(reverse(name, args=[999999])).status_code == 404


def test_the_working_hours_of_an_unknown_location_are_not_found(manager_client, clinic):
    url = reverse("setup:working_hours", args=[clinic["practitioners"][0].pk, 999999])

    assert manager_client.get(url).status_code == 404


def test_the_menu_offers_clinic_setup_to_the_manager_only(manager_client, front_desk_client):
    setup = reverse("setup:overview")

    assert f'href="{setup}"' in manager_client.get(reverse("today")).content.decode()
    assert f'href="{setup}"' not in front_desk_client.get(reverse("today")).content.decode()


# --- The overview ----------------------------------------------------------------------


def test_the_overview_shows_how_the_clinic_is_set_up(manager_client, clinic):
    monday = coming_monday()
    amara = clinic["practitioners"][0]
    Room.objects.filter(pk=clinic["rooms"][1].pk).update(is_active=False)
    Closure.objects.create(
        location=clinic["location"], first_day=monday, last_day=monday, reason="Bank holiday"
    )
    Closure.objects.create(
        location=clinic["location"], first_day=date(2020, 1, 1), last_day=date(2020, 1, 1),
        reason="Long ago",
    )  # fmt: skip
    Leave.objects.create(
        practitioner=amara, starts_at=at(monday, 9), ends_at=at(monday, 12), reason="Training"
    )

    response = manager_client.get(reverse("setup:overview"))

    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Bath", "Europe/London", "Room 1", "Switched off", "Bank holiday",
                 "09:00\N{EN DASH}17:00", str(amara), "Training", "Treatment session"):  # fmt: skip
        assert text in page, text
    assert "Long ago" not in page
    assert page.count('data-testid="setup-room"') == 2
    assert reverse("setup:working_hours", args=[amara.pk, clinic["location"].pk]) in page


def populate(count: int) -> None:
    """``count`` each of locations (with two rooms, weekday hours and a closure to come),
    practitioners (with hours at every location and leave to come) and appointment types."""
    monday = coming_monday()
    first = Location.objects.count()
    locations = []
    for n in range(first, first + count):
        location = Location.objects.create(name=f"Site {n}", time_zone="Europe/London")
        locations.append(location)
        for r in (1, 2):
            Room.objects.create(location=location, name=f"Room {r}")
        for day in range(5):
            OpeningHours.objects.create(
                location=location, weekday=day, opens=time(9), closes=time(17)
            )
        Closure.objects.create(location=location, first_day=monday, last_day=monday)
    for n in range(first, first + count):
        practitioner = make_practitioner()
        for location in locations:
            for day in range(4):
                WorkingHours.objects.create(
                    practitioner=practitioner, location=location, weekday=day,
                    starts=time(9), ends=time(17),
                )  # fmt: skip
        Leave.objects.create(
            practitioner=practitioner, starts_at=at(monday, 9), ends_at=at(monday, 12)
        )
        AppointmentType.objects.create(name=f"Type {n}", kind="treatment", duration_minutes=30)


def test_the_overview_costs_the_same_for_one_or_five_of_everything(
    manager_client, django_assert_num_queries
):
    # session, user, role permissions (the view's check), locations, their rooms, their
    # opening hours, their closures to come, practitioners with their users, their working
    # hours, their leave to come, appointment types, roles (the menu)
    populate(1)
    with django_assert_num_queries(12):
        one = manager_client.get(reverse("setup:overview"))
    populate(4)
    with django_assert_num_queries(12):
        five = manager_client.get(reverse("setup:overview"))

    assert one.content.decode().count('data-testid="setup-location"') == 1
    assert five.content.decode().count('data-testid="setup-location"') == 5
    assert five.content.decode().count('data-testid="setup-practitioner"') == 5
    assert five.content.decode().count('data-testid="setup-closure"') == 5
    assert five.content.decode().count('data-testid="setup-leave"') == 5


# --- Locations -------------------------------------------------------------------------


def test_the_manager_adds_a_location(manager_client):
    response = manager_client.post(
        reverse("setup:location_new"),
        {"name": "Bristol", "time_zone": "Europe/London", "address": "1 Park Street"},
    )

    location = Location.objects.get(name="Bristol")
    assert response.status_code == 302
    assert response.url == f"{reverse('setup:overview')}#location-{location.pk}"
    assert location.address == "1 Park Street"


def test_the_manager_edits_a_location(manager_client, clinic):
    location = clinic["location"]
    url = reverse("setup:location_edit", args=[location.pk])

    assert manager_client.get(url).context["form"].initial["time_zone"] == "Europe/London"
    manager_client.post(url, {"name": "Bath Spa", "time_zone": "Europe/London", "address": ""})

    location.refresh_from_db()
    assert location.name == "Bath Spa"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "name", "This field is required."),
        ({}, "time_zone", "This field is required."),
        (
            {"name": "Bristol", "time_zone": "Europe/Lodnon"},
            "time_zone",
            "“Europe/Lodnon” is not a time zone name, such as Europe/London. "
            "Did you mean Europe/London?",
        ),
        (
            {"name": "Bristol", "time_zone": "Nowhere"},
            "time_zone",
            "“Nowhere” is not a time zone name, such as Europe/London.",
        ),
        ({"name": "Bris\x00tol", "time_zone": "Europe/London"}, "name",
         "Null characters are not allowed."),
        ({"name": "Bristol", "time_zone": "Europe/\x00London"}, "time_zone",
         "Null characters are not allowed."),
        ({"name": "x" * 101, "time_zone": "Europe/London"}, "name",
         "Ensure this value has at most 100 characters (it has 101)."),
        ({"name": "Bristol", "time_zone": "Europe/London", "address": "x" * 501}, "address",
         "Ensure this value has at most 500 characters (it has 501)."),
        ({"name": "Bath", "time_zone": "Europe/London"}, "name",
         "Location with this Name already exists."),
    ],
)  # fmt: skip
def test_a_bad_location_is_explained_on_the_form(manager_client, clinic, data, field, message):
    before = snapshot()

    response = manager_client.post(reverse("setup:location_new"), data)

    assert message in field_errors(response, field)
    assert snapshot() == before


def test_a_new_time_zone_warns_of_appointments_now_outside_the_hours(manager_client, clinic):
    book(clinic, at(coming_monday(), 16))  # 17:00 in Paris, after closing

    response = manager_client.post(
        reverse("setup:location_edit", args=[clinic["location"].pk]),
        {"name": "Bath", "time_zone": "Europe/Paris", "address": ""},
        follow=True,
    )

    assert warnings_of(response) == [
        "1 booked appointment is now outside the opening hours in the new time zone. Nothing "
        "was moved or cancelled: the front desk should move it to another time."
    ]


# --- Rooms -----------------------------------------------------------------------------


def test_the_manager_adds_renames_and_switches_a_room(manager_client, clinic):
    location = clinic["location"]

    manager_client.post(reverse("setup:room_new", args=[location.pk]), {"name": "Room 3"})
    room = Room.objects.get(location=location, name="Room 3")
    manager_client.post(reverse("setup:room_edit", args=[room.pk]), {"name": "Laser room"})
    manager_client.post(reverse("setup:room_off", args=[room.pk]))
    room.refresh_from_db()
    assert (room.name, room.is_active) == ("Laser room", False)

    manager_client.post(reverse("setup:room_on", args=[room.pk]))
    room.refresh_from_db()
    assert room.is_active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "room 2"}, "Bath already has a room called “room 2”."),
        ({"name": "Room\x003"}, "Null characters are not allowed."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
@pytest.mark.parametrize("address", ["room_new", "room_edit"])
def test_a_bad_room_name_is_explained_on_the_form(manager_client, pages, address, data, message):
    before = snapshot()

    response = manager_client.post(pages[address], data)

    assert message in field_errors(response, "name")
    assert snapshot() == before


def test_switching_off_a_booked_room_keeps_it_and_warns(manager_client, clinic):
    room = clinic["rooms"][0]
    monday = coming_monday()
    book(clinic, at(monday, 9), room=room)
    book(clinic, at(monday, 11), room=room)
    book(clinic, at(monday, 13), room=room, status=Appointment.Status.CANCELLED)

    response = manager_client.post(reverse("setup:room_off", args=[room.pk]), follow=True)

    assert warnings_of(response) == [
        "2 booked appointments are now in Room 1. Nothing was moved or cancelled: the front "
        "desk should move them to another time."
    ]
    assert Room.objects.filter(pk=room.pk, is_active=False).exists()


# --- Opening hours ---------------------------------------------------------------------


def week_post(**days: tuple[str, str] | tuple[str, str, str, str]) -> dict[str, str]:
    """Post data for a week form: ``d0=("09:00", "17:00")`` and so on; other days blank."""
    data = {}
    for day, times in days.items():
        for slot, (starts, ends) in enumerate(zip(times[::2], times[1::2], strict=True), 1):
            data[f"{day}_{slot}_start"], data[f"{day}_{slot}_end"] = starts, ends
    return data


def test_the_hours_page_shows_the_week_as_it_is(manager_client, clinic):
    response = manager_client.get(reverse("setup:opening_hours", args=[clinic["location"].pk]))

    form = response.context["form"]
    assert form.initial["d0_1_start"] == time(9)
    assert "d5_1_start" not in form.initial  # Saturday: closed


def test_the_manager_sets_the_week_with_a_lunch_break(manager_client, clinic):
    location = clinic["location"]

    response = manager_client.post(
        reverse("setup:opening_hours", args=[location.pk]),
        week_post(d0=("09:00", "12:30", "13:30", "17:00"), d5=("10:00", "14:00")),
    )

    assert response.status_code == 302
    assert sorted(location.opening_hours.values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(12, 30)), (0, time(13, 30), time(17)), (5, time(10), time(14)),
    ]  # fmt: skip


def test_an_empty_week_closes_every_day(manager_client, clinic):
    location = clinic["location"]

    response = manager_client.post(reverse("setup:opening_hours", args=[location.pk]), {})

    assert response.status_code == 302
    assert not location.opening_hours.exists()


def test_a_day_with_more_intervals_than_usual_keeps_them_all(manager_client, clinic):
    location = clinic["location"]
    OpeningHours.objects.filter(location=location, weekday=0).delete()
    for opens, closes in ((8, 10), (11, 13), (14, 16)):
        OpeningHours.objects.create(
            location=location, weekday=0, opens=time(opens), closes=time(closes)
        )

    form = manager_client.get(reverse("setup:opening_hours", args=[location.pk])).context["form"]

    assert form.initial["d0_3_start"] == time(14)
    assert "d1_3_start" in form.fields


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (week_post(d0=("17:00", "09:00")), "d0_1_end", "Must be after the opening time."),
        (week_post(d0=("09:00", "09:00")), "d0_1_end", "Must be after the opening time."),
        (week_post(d2=("09:00", "13:00", "12:00", "17:00")), "d2_2_start",
         "Overlaps 09:00 to 13:00 on the same day."),
        (week_post(d2=("12:00", "17:00", "09:00", "13:00")), "d2_2_start",
         "Overlaps 12:00 to 17:00 on the same day."),
        ({"d1_1_start": "09:00"}, "d1_1_end", "Give both times, or leave both blank for closed."),
        ({"d1_1_end": "17:00"}, "d1_1_start",
         "Give both times, or leave both blank for closed."),
        (week_post(d3=("25:00", "26:00")), "d3_1_start", "Enter a valid time."),
        (week_post(d3=("09:\x0000", "17:00")), "d3_1_start", "Enter a valid time."),
        (week_post(d3=("-9:00", "17:00")), "d3_1_start", "Enter a valid time."),
        (week_post(d3=("9" * 500, "17:00")), "d3_1_start", "Enter a valid time."),
    ],
)  # fmt: skip
def test_bad_opening_hours_are_explained_on_the_form(manager_client, clinic, data, field, message):
    before = snapshot()

    response = manager_client.post(
        reverse("setup:opening_hours", args=[clinic["location"].pk]), data
    )

    assert message in field_errors(response, field)
    assert message in response.content.decode()
    assert snapshot() == before


def test_shorter_hours_warn_how_many_booked_appointments_they_leave_out(manager_client, clinic):
    monday = coming_monday()
    book(clinic, at(monday, 10))
    book(clinic, at(monday, 16))
    book(clinic, at(monday + timedelta(days=1), 16))
    book(clinic, at(monday, 16), room=clinic["rooms"][1], status=Appointment.Status.CANCELLED)
    hours = ("09:00", "16:00")

    response = manager_client.post(
        reverse("setup:opening_hours", args=[clinic["location"].pk]),
        week_post(d0=hours, d1=hours, d2=hours, d3=hours, d4=hours),
        follow=True,
    )

    assert warnings_of(response) == [
        "2 booked appointments are now outside the opening hours. Nothing was moved or "
        "cancelled: the front desk should move them to another time."
    ]
    assert 'class="alert alert-warning' in response.content.decode()


def test_hours_that_leave_nobody_out_give_no_warning(manager_client, clinic):
    book(clinic, at(coming_monday(), 10))
    hours = ("08:00", "18:00")

    response = manager_client.post(
        reverse("setup:opening_hours", args=[clinic["location"].pk]),
        week_post(d0=hours, d1=hours, d2=hours, d3=hours, d4=hours),
        follow=True,
    )

    assert warnings_of(response) == []


# --- Closures --------------------------------------------------------------------------


def test_the_manager_adds_and_removes_a_closure(manager_client, clinic):
    location = clinic["location"]
    url = reverse("setup:closures", args=[location.pk])

    manager_client.post(
        url, {"first_day": "2030-12-25", "last_day": "2030-12-26", "reason": "Christmas"}
    )
    closure = Closure.objects.get(location=location)
    assert (closure.first_day, closure.last_day) == (date(2030, 12, 25), date(2030, 12, 26))
    assert "Christmas" in manager_client.get(url).content.decode()

    response = manager_client.post(reverse("setup:closure_remove", args=[closure.pk]))

    assert response.url == url
    assert not Closure.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "first_day", "This field is required."),
        ({}, "last_day", "This field is required."),
        ({"first_day": "2030-04-06", "last_day": "2030-04-05"}, "last_day",
         "The last day cannot be before the first day."),
        ({"first_day": "2026-02-30", "last_day": "2026-03-01"}, "first_day",
         "Enter a valid date."),
        ({"first_day": "2030-01-01", "last_day": "9999-12-31"}, "last_day",
         "Choose a date between 2000 and 2100."),
        ({"first_day": "2030-01-01", "last_day": "2030-01-01", "reason": "x" * 201}, "reason",
         "Ensure this value has at most 200 characters (it has 201)."),
        ({"first_day": "2030-01-01", "last_day": "2030-01-01", "reason": "a\x00b"}, "reason",
         "Null characters are not allowed."),
        ({"first_day": "2030-01-\x0001", "last_day": "2030-01-01"}, "first_day",
         "Enter a valid date."),
    ],
)  # fmt: skip
def test_a_bad_closure_is_explained_on_the_form(manager_client, clinic, data, field, message):
    response = manager_client.post(reverse("setup:closures", args=[clinic["location"].pk]), data)

    assert message in field_errors(response, field)
    assert not Closure.objects.exists()


def test_a_closure_warns_how_many_booked_appointments_fall_on_it(manager_client, clinic):
    monday = coming_monday()
    book(clinic, at(monday, 9))
    book(clinic, at(monday + timedelta(days=1), 9))

    response = manager_client.post(
        reverse("setup:closures", args=[clinic["location"].pk]),
        {"first_day": monday.isoformat(), "last_day": monday.isoformat()},
        follow=True,
    )

    assert warnings_of(response) == [
        "1 booked appointment is now on the closed days. Nothing was moved or cancelled: the "
        "front desk should move it to another time."
    ]


# --- Practitioners' hours and leave ----------------------------------------------------


def test_the_manager_sets_a_practitioners_week(manager_client, clinic):
    amara = clinic["practitioners"][0]
    url = reverse("setup:working_hours", args=[amara.pk, clinic["location"].pk])

    response = manager_client.post(url, week_post(d4=("10:00", "14:00")))

    assert response.status_code == 302
    assert list(amara.working_hours.values_list("weekday", "starts", "ends")) == [
        (4, time(10), time(14))
    ]


def test_bad_working_hours_are_explained_on_the_form(manager_client, clinic):
    amara = clinic["practitioners"][0]
    url = reverse("setup:working_hours", args=[amara.pk, clinic["location"].pk])

    response = manager_client.post(url, week_post(d0=("17:00", "09:00")))

    assert field_errors(response, "d0_1_end") == ["Must be after the start time."]
    assert amara.working_hours.count() == 4


def test_fewer_working_hours_warn_of_that_practitioners_appointments(manager_client, clinic):
    amara, lena = clinic["practitioners"]
    tuesday = coming_monday() + timedelta(days=1)
    book(clinic, at(tuesday, 10), practitioner=amara)
    book(clinic, at(tuesday, 10), practitioner=lena, room=clinic["rooms"][1])
    url = reverse("setup:working_hours", args=[amara.pk, clinic["location"].pk])

    response = manager_client.post(url, week_post(d0=("09:00", "17:00")), follow=True)

    assert warnings_of(response) == [
        f"1 booked appointment is now outside {amara}'s hours. Nothing was moved or "
        "cancelled: the front desk should move it to another time."
    ]


def test_the_manager_adds_and_removes_leave_in_the_locations_time(manager_client, clinic):
    amara = clinic["practitioners"][0]
    new_york = Location.objects.create(name="New York", time_zone="America/New_York")
    url = reverse("setup:leave", args=[amara.pk])

    manager_client.post(
        url,
        {"location": new_york.pk, "start_day": "2030-06-03", "start_time": "09:00",
         "end_day": "2030-06-03", "end_time": "12:30", "reason": "Dentist"},
    )  # fmt: skip
    away = Leave.objects.get(practitioner=amara)
    zone = ZoneInfo("America/New_York")
    assert away.starts_at == datetime(2030, 6, 3, 9, 0, tzinfo=zone)
    assert away.ends_at == datetime(2030, 6, 3, 12, 30, tzinfo=zone)
    assert "Dentist" in manager_client.get(url).content.decode()

    response = manager_client.post(reverse("setup:leave_remove", args=[away.pk]))

    assert response.url == url
    assert not Leave.objects.exists()


def test_leave_without_times_is_whole_days(manager_client, clinic):
    amara = clinic["practitioners"][0]

    manager_client.post(
        reverse("setup:leave", args=[amara.pk]),
        {"location": clinic["location"].pk, "start_day": "2030-08-05", "end_day": "2030-08-09"},
    )

    away = Leave.objects.get(practitioner=amara)
    assert away.starts_at == datetime(2030, 8, 5, tzinfo=LONDON)
    assert away.ends_at == datetime(2030, 8, 10, tzinfo=LONDON)


LEAVE = {"start_day": "2030-06-03", "start_time": "09:00", "end_day": "2030-06-03"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "start_day", "This field is required."),
        ({}, "end_day", "This field is required."),
        (LEAVE | {"end_time": "08:00"}, "end_time", "Must be after the start time."),
        (LEAVE | {"end_time": "09:00"}, "end_time", "Must be after the start time."),
        (LEAVE | {"end_day": "2030-06-02"}, "end_day",
         "The last day cannot be before the first day."),
        (LEAVE | {"end_day": "2026-02-30"}, "end_day", "Enter a valid date."),
        (LEAVE | {"start_day": "0001-01-01"}, "start_day", "Choose a date between 2000 and 2100."),
        (LEAVE | {"location": "999999"}, "location",
         "Select a valid choice. That choice is not one of the available choices."),
        (LEAVE | {"location": "99999999999999999999"}, "location",
         "Select a valid choice. That choice is not one of the available choices."),
        (LEAVE | {"location": "Bath"}, "location",
         "Select a valid choice. That choice is not one of the available choices."),
        (LEAVE | {"end_time": "12:00", "reason": "x" * 201}, "reason",
         "Ensure this value has at most 200 characters (it has 201)."),
        (LEAVE | {"end_time": "12:00", "reason": "\x00"}, "reason",
         "Null characters are not allowed."),
    ],
)  # fmt: skip
def test_bad_leave_is_explained_on_the_form(manager_client, clinic, data, field, message):
    data = {"location": clinic["location"].pk} | data

    response = manager_client.post(
        reverse("setup:leave", args=[clinic["practitioners"][0].pk]), data
    )

    assert message in field_errors(response, field)
    assert not Leave.objects.exists()


def test_leave_warns_how_many_booked_appointments_fall_during_it(manager_client, clinic):
    amara = clinic["practitioners"][0]
    monday = coming_monday()
    book(clinic, at(monday, 9), practitioner=amara)
    book(clinic, at(monday, 11), practitioner=amara)
    book(clinic, at(monday, 14), practitioner=amara)

    response = manager_client.post(
        reverse("setup:leave", args=[amara.pk]),
        {"location": clinic["location"].pk, "start_day": monday.isoformat(),
         "end_day": monday.isoformat(), "end_time": "12:00"},
        follow=True,
    )  # fmt: skip

    assert warnings_of(response) == [
        f"2 booked appointments are now during {amara}'s leave. Nothing was moved or "
        "cancelled: the front desk should move them to another time."
    ]


# --- Appointment types -----------------------------------------------------------------

TYPE = {
    "name": "Consultation",
    "kind": "consultation",
    "duration_minutes": "30",
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "10",
    "is_active": "on",
}


def test_the_manager_adds_and_edits_an_appointment_type(manager_client, clinic):
    manager_client.post(reverse("setup:appointment_type_new"), TYPE)
    added = AppointmentType.objects.get(name="Consultation")
    assert (added.duration_minutes, added.buffer_after_minutes, added.is_active) == (30, 10, True)

    edit = reverse("setup:appointment_type_edit", args=[added.pk])
    assert manager_client.get(edit).context["form"].initial["duration_minutes"] == 30
    without_active = {k: v for k, v in TYPE.items() if k != "is_active"}
    response = manager_client.post(edit, without_active | {"duration_minutes": "45"})

    assert response.url == f"{reverse('setup:overview')}#appointment-types"
    added.refresh_from_db()
    assert (added.duration_minutes, added.is_active) == (45, False)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "name", "This field is required."),
        ({}, "duration_minutes", "This field is required."),
        (TYPE | {"duration_minutes": "4"}, "duration_minutes",
         "An appointment lasts at least 5 minutes."),
        (TYPE | {"duration_minutes": "-30"}, "duration_minutes",
         "An appointment lasts at least 5 minutes."),
        (TYPE | {"duration_minutes": "99999999999999999999"}, "duration_minutes",
         "Ensure this value is less than or equal to 480."),
        (TYPE | {"duration_minutes": "half an hour"}, "duration_minutes",
         "Enter a whole number."),
        (TYPE | {"buffer_before_minutes": "-1"}, "buffer_before_minutes",
         "Ensure this value is greater than or equal to 0."),
        (TYPE | {"buffer_after_minutes": "\x00"}, "buffer_after_minutes",
         "Enter a whole number."),
        (TYPE | {"kind": "massage"}, "kind",
         "Select a valid choice. massage is not one of the available choices."),
        (TYPE | {"name": "x" * 101}, "name",
         "Ensure this value has at most 100 characters (it has 101)."),
        (TYPE | {"name": "Treatment session"}, "name",
         "Appointment type with this Name already exists."),
    ],
)  # fmt: skip
def test_a_bad_appointment_type_is_explained_on_the_form(
    manager_client, clinic, data, field, message
):
    before = snapshot()

    response = manager_client.post(reverse("setup:appointment_type_new"), data)

    assert message in field_errors(response, field)
    assert snapshot() == before


# --- The audit log ---------------------------------------------------------------------


def test_every_setup_change_is_in_the_audit_log_with_who_made_it(manager_client, manager, clinic):
    location, amara = clinic["location"], clinic["practitioners"][0]
    posts = [
        (reverse("setup:location_new"), {"name": "Bristol", "time_zone": "Europe/London"}),
        (reverse("setup:room_new", args=[location.pk]), {"name": "Room 3"}),
        (reverse("setup:opening_hours", args=[location.pk]), week_post(d5=("10:00", "12:00"))),
        (reverse("setup:closures", args=[location.pk]),
         {"first_day": "2030-12-25", "last_day": "2030-12-25"}),
        (reverse("setup:working_hours", args=[amara.pk, location.pk]),
         week_post(d5=("10:00", "12:00"))),
        (reverse("setup:leave", args=[amara.pk]),
         {"location": location.pk, "start_day": "2030-08-05", "end_day": "2030-08-05"}),
        (reverse("setup:appointment_type_new"), TYPE),
    ]  # fmt: skip
    # The fixture's own rows were made by no one; only what follows counts.
    last_before = LogEntry.objects.order_by("pk").values_list("pk", flat=True).last() or 0
    for url, data in posts:
        assert manager_client.post(url, data).status_code == 302, url

    for model in SETUP_MODELS:
        entries = LogEntry.objects.filter(
            pk__gt=last_before, content_type=ContentType.objects.get_for_model(model)
        )
        assert entries.exists(), model
        assert {entry.actor for entry in entries} == {manager}, model
