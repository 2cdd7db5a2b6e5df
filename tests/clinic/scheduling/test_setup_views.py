"""The clinic manager's setup pages: only the manager, bad input explained on the page
(never a 500), a plain warning when booked appointments are left out, and an overview
whose cost does not grow with the clinic. The weekly hours, closures and leave are in
test_setup_hours_views.py."""

from datetime import date, time

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

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
from tests.clinic.scheduling.setup_pages import (
    SETUP_MODELS,
    at,
    book,
    coming_monday,
    field_errors,
    snapshot,
    warnings_of,
    week_post,
)
from tests.factories import make_practitioner

pytestmark = pytest.mark.django_db


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


def test_the_overview_says_which_location_has_no_phone_number(manager_client, clinic):
    # A location made before the number was required.
    Location.objects.create(name="Bristol", time_zone="Europe/London")
    Location.objects.filter(pk=clinic["location"].pk).update(phone="+441174960123")

    page = manager_client.get(reverse("setup:overview")).content.decode()

    assert page.count('data-testid="location-no-phone"') == 1
    bristol = page[page.index('id="location-{}"'.format(Location.objects.get(name="Bristol").pk)) :]
    assert "No phone number" in bristol.split("</section>")[0]
    assert "0117 496 0123" in page


def test_the_overview_costs_the_same_for_one_or_five_of_everything(
    manager_client, django_assert_num_queries
):
    # session, user, the roles with their permissions (the view's check), locations, their
    # rooms, their opening hours, their closures to come, practitioners with their users,
    # their working hours, their leave to come, appointment types
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
        {"name": "Bristol", "time_zone": "Europe/London", "address": "1 Park Street",
         "phone": "0117 496 0123"},
    )  # fmt: skip

    location = Location.objects.get(name="Bristol")
    assert response.status_code == 302
    assert response.url == f"{reverse('setup:overview')}#location-{location.pk}"
    assert location.address == "1 Park Street"


def test_the_manager_edits_a_location(manager_client, clinic):
    location = clinic["location"]
    url = reverse("setup:location_edit", args=[location.pk])

    assert manager_client.get(url).context["form"].initial["time_zone"] == "Europe/London"
    manager_client.post(
        url, {"name": "Bath Spa", "time_zone": "Europe/London", "phone": "0117 496 0123"}
    )

    location.refresh_from_db()
    assert location.name == "Bath Spa"


def test_a_location_s_phone_number_is_kept_in_international_form_and_shown_as_dialled(
    manager_client, clinic
):
    location = clinic["location"]
    url = reverse("setup:location_edit", args=[location.pk])

    manager_client.post(
        url, {"name": "Bath", "time_zone": "Europe/London", "phone": "0117 496 0123"}
    )

    location.refresh_from_db()
    assert location.phone == "+441174960123"
    assert manager_client.get(url).context["form"].initial["phone"] == "0117 496 0123"


def test_a_location_s_phone_number_must_be_stored_in_international_form(clinic):
    from django.core.exceptions import ValidationError

    location = clinic["location"]
    location.phone = "0117 496 0123"

    with pytest.raises(ValidationError):
        location.full_clean()


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
        ({"name": "Bath", "time_zone": "Europe/London", "phone": "0117 496 0123"}, "name",
         "Location with this Name already exists."),
        ({"name": "Bristol", "time_zone": "Europe/London"}, "phone",
         "Give the number patients call: their emails and pages tell them to call it."),
        ({"name": "Bristol", "time_zone": "Europe/London", "phone": "   "}, "phone",
         "Give the number patients call: their emails and pages tell them to call it."),
        ({"name": "Bristol", "time_zone": "Europe/London", "phone": "call us"}, "phone",
         "Enter a phone number, for example 07700 900123 or +44 7700 900123."),
        ({"name": "Bristol", "time_zone": "Europe/London", "phone": "01632 96"}, "phone",
         "This is not a valid phone number. Check the digits and the country code."),
        ({"name": "Bristol", "time_zone": "Europe/London", "phone": "0" * 31}, "phone",
         "Ensure this value has at most 30 characters (it has 31)."),
    ],
)  # fmt: skip
def test_a_bad_location_is_explained_on_the_form(manager_client, clinic, data, field, message):
    before = snapshot()

    response = manager_client.post(reverse("setup:location_new"), data)

    assert message in field_errors(response, field)
    assert snapshot() == before


def test_a_new_time_zone_is_refused_on_its_field_while_appointments_are_to_come(
    manager_client, clinic
):
    book(clinic, at(coming_monday(), 16))

    response = manager_client.post(
        reverse("setup:location_edit", args=[clinic["location"].pk]),
        {"name": "Bath", "time_zone": "Europe/Paris", "phone": "0117 496 0123"},
    )

    assert response.status_code == 200
    assert "1 appointment to come" in response.context["form"].errors["time_zone"][0]
    clinic["location"].refresh_from_db()
    assert clinic["location"].time_zone == "Europe/London"


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
    ahead = coming_monday().isoformat()  # inside the two years a form accepts
    posts = [
        (reverse("setup:location_new"),
         {"name": "Bristol", "time_zone": "Europe/London", "phone": "0117 496 0123"}),
        (reverse("setup:room_new", args=[location.pk]), {"name": "Room 3"}),
        (reverse("setup:opening_hours", args=[location.pk]), week_post(d5=("10:00", "12:00"))),
        (reverse("setup:closures", args=[location.pk]),
         {"first_day": ahead, "last_day": ahead}),
        (reverse("setup:working_hours", args=[amara.pk, location.pk]),
         week_post(d5=("10:00", "12:00"))),
        (reverse("setup:leave", args=[amara.pk]),
         {"location": location.pk, "start_day": ahead, "end_day": ahead}),
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
