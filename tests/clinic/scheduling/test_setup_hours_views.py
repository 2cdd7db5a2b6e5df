"""The setup pages for time: opening hours, closures, practitioners' working hours and
leave, each explaining bad input on the form and warning how many booked appointments a
change leaves out."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from clinic.scheduling.models import (
    Appointment,
    Closure,
    Leave,
    Location,
    OpeningHours,
    in_force_on,
)
from tests.clinic.scheduling.setup_pages import (
    LONDON,
    at,
    book,
    coming_monday,
    field_errors,
    snapshot,
    warnings_of,
    week_post,
)

pytestmark = pytest.mark.django_db

# The clock for this module: the dates its forms take (2030) are within two years.
NOW = datetime(2029, 1, 1, 9, tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def in_force(rows):
    """The rows of hours that apply from today on (earlier ones are history)."""
    return rows.filter(in_force_on(NOW.date()))


# --- Opening hours ---------------------------------------------------------------------


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
    assert sorted(in_force(location.opening_hours).values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(12, 30)), (0, time(13, 30), time(17)), (5, time(10), time(14)),
    ]  # fmt: skip


def test_new_hours_from_a_later_day_keep_todays(manager_client, clinic):
    location = clinic["location"]

    response = manager_client.post(
        reverse("setup:opening_hours", args=[location.pk]),
        {**week_post(d0=("10:00", "14:00")), "from_day": "2029-02-05"},
    )

    assert response.status_code == 302
    today = sorted(in_force(location.opening_hours).values_list("weekday", flat=True))
    later = location.opening_hours.filter(in_force_on(date(2029, 2, 5)))
    assert today == [0, 1, 2, 3, 4]
    assert list(later.values_list("weekday", "opens", "closes")) == [(0, time(10), time(14))]


def test_hours_for_days_gone_are_refused_on_the_field(manager_client, clinic):
    location = clinic["location"]

    response = manager_client.post(
        reverse("setup:opening_hours", args=[location.pk]),
        {**week_post(d0=("10:00", "14:00")), "from_day": "2028-12-31"},
    )

    assert response.status_code == 200
    assert field_errors(response, "from_day") == [
        "Hours apply from today or a later day: past days keep theirs."
    ]


def test_an_empty_week_closes_every_day(manager_client, clinic):
    location = clinic["location"]

    response = manager_client.post(reverse("setup:opening_hours", args=[location.pk]), {})

    assert response.status_code == 302
    assert not in_force(location.opening_hours).exists()


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
         "Choose a date no later than 1 January 2031 (two years ahead)."),
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
    assert list(in_force(amara.working_hours).values_list("weekday", "starts", "ends")) == [
        (4, time(10), time(14))
    ]


def test_bad_working_hours_are_explained_on_the_form(manager_client, clinic):
    amara = clinic["practitioners"][0]
    url = reverse("setup:working_hours", args=[amara.pk, clinic["location"].pk])

    response = manager_client.post(url, week_post(d0=("17:00", "09:00")))

    assert field_errors(response, "d0_1_end") == ["Must be after the start time."]
    assert in_force(amara.working_hours).count() == 4


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
        (LEAVE | {"start_day": "0001-01-01"}, "start_day",
         "Choose a date from 1 January 2000, when the clinic opened."),
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
