"""The clinic setup services: what each refuses, and how many booked appointments a
change leaves out of hours, closed or on leave."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from clinic.scheduling import setup_services
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
    in_force_on,
)
from tests.factories import make_patient

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=LONDON)  # a Monday morning
NEXT_MONDAY = date(2026, 3, 9)
NINE_TO_FIVE = [(time(9), time(17))]
S = Appointment.Status


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def book(clinic, start, *, practitioner=None, room=None, status=S.BOOKED, minutes=60):
    """An appointment row as booked earlier (the rules of booking have their own tests)."""
    room = room or clinic["rooms"][0]
    practitioner = practitioner or clinic["practitioners"][0]
    return Appointment.objects.create(
        patient=make_patient(),
        practitioner=practitioner,
        room=room,
        location=room.location,
        appointment_type=clinic["type"],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        blocked_from=start,
        blocked_until=start + timedelta(minutes=minutes),
        booked_by=clinic["desk"],
        status=status,
    )


PHONE = "+441174960123"


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Locations -------------------------------------------------------------------------


def test_location_save_adds_a_location_with_its_time_zone():
    change = setup_services.location_save(
        name=" Bristol ", time_zone="Europe/London", address="1 Park Street", phone=PHONE,
        now=NOW,
    )  # fmt: skip

    assert change.saved.name == "Bristol"
    assert Location.objects.get(name="Bristol").address == "1 Park Street"
    assert change.affected == 0


def test_location_save_refuses_a_location_without_a_phone_number():
    with pytest.raises(ValidationError) as excinfo:
        setup_services.location_save(
            name="Bristol", time_zone="Europe/London", address="", phone=" ", now=NOW
        )

    assert "phone" in errors_of(excinfo)
    assert not Location.objects.exists()


def test_location_save_refuses_a_time_zone_that_does_not_exist():
    with pytest.raises(ValidationError) as excinfo:
        setup_services.location_save(
            name="Bristol", time_zone="Europe/Lodnon", address="", phone=PHONE, now=NOW
        )

    assert errors_of(excinfo)["time_zone"] == [
        "“Europe/Lodnon” is not a time zone name, such as Europe/London."
    ]
    assert not Location.objects.exists()


def test_location_save_refuses_a_second_location_of_the_same_name(clinic):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.location_save(
            name="Bath", time_zone="Europe/London", address="", phone=PHONE, now=NOW
        )

    assert "name" in errors_of(excinfo)


def test_a_new_time_zone_is_refused_while_appointments_are_to_come(clinic):
    location = clinic["location"]
    book(clinic, at(NEXT_MONDAY, 10))

    with pytest.raises(ValidationError) as excinfo:
        setup_services.location_save(
            location=location,
            name="Bath",
            time_zone="Europe/Paris",
            address="",
            phone=PHONE,
            now=NOW,
        )

    assert errors_of(excinfo)["time_zone"] == [
        "Bath has 1 appointment to come, told to patients and reminded in its current time "
        "zone. Move or cancel them before changing the time zone."
    ]
    location.refresh_from_db()
    assert location.time_zone == "Europe/London"


def test_a_new_time_zone_is_saved_when_only_past_appointments_remain(clinic):
    location = clinic["location"]
    book(clinic, at(NEXT_MONDAY, 10))

    change = setup_services.location_save(
        location=location, name="Bath", time_zone="Europe/Paris", address="", phone=PHONE,
        now=datetime.combine(NEXT_MONDAY, time(12), tzinfo=LONDON),
    )  # fmt: skip

    assert change.saved.time_zone == "Europe/Paris"


def test_a_location_renamed_in_the_same_zone_affects_nothing(clinic):
    book(clinic, at(NEXT_MONDAY, 16, 30))  # already out of hours: not this change's doing

    change = setup_services.location_save(
        location=clinic["location"], name="Bath Spa", time_zone="Europe/London", address="",
        phone=PHONE, now=NOW,
    )  # fmt: skip

    assert change.affected == 0
    assert change.saved.name == "Bath Spa"


# --- Rooms -----------------------------------------------------------------------------


def test_room_add_adds_a_room_to_the_location(clinic):
    room = setup_services.room_add(location=clinic["location"], name="  Room 3 ")

    assert room.name == "Room 3"
    assert room.is_active


@pytest.mark.parametrize("name", ["Room 1", "room 1", "ROOM 1"])
def test_room_add_refuses_a_name_the_location_already_has(clinic, name):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.room_add(location=clinic["location"], name=name)

    assert errors_of(excinfo)["name"] == [f"Bath already has a room called “{name}”."]


def test_another_location_may_have_a_room_of_the_same_name(clinic):
    bristol = Location.objects.create(name="Bristol", time_zone="Europe/London")

    assert setup_services.room_add(location=bristol, name="Room 1").location == bristol


def test_room_add_refuses_a_blank_name(clinic):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.room_add(location=clinic["location"], name="   ")

    assert "name" in errors_of(excinfo)


def test_room_rename_keeps_the_room_and_refuses_another_rooms_name(clinic):
    first, second = clinic["rooms"]

    assert setup_services.room_rename(room=first, name="Treatment room").pk == first.pk
    assert setup_services.room_rename(room=first, name="treatment ROOM").name == "treatment ROOM"
    with pytest.raises(ValidationError):
        setup_services.room_rename(room=second, name="Treatment Room")


def test_switching_a_room_off_counts_its_booked_appointments_still_to_come(clinic):
    room, other = clinic["rooms"]
    book(clinic, at(NEXT_MONDAY, 9), room=room)
    book(clinic, at(NEXT_MONDAY, 11), room=room, status=S.CONFIRMED)
    book(clinic, at(NEXT_MONDAY, 13), room=room, status=S.CANCELLED)
    book(clinic, at(NEXT_MONDAY, 14), room=room, status=S.NO_SHOW)
    book(clinic, at(NEXT_MONDAY, 15), room=room, status=S.COMPLETED)
    book(clinic, at(NEXT_MONDAY - timedelta(days=7), 7), room=room)  # before NOW
    book(clinic, at(NEXT_MONDAY, 9), room=other, practitioner=clinic["practitioners"][1])

    change = setup_services.room_switch(room=room, is_active=False, now=NOW)

    assert change.affected == 2
    assert Room.objects.get(pk=room.pk).is_active is False
    assert Appointment.objects.filter(room=room).count() == 6  # nothing moved or cancelled


def test_switching_a_room_back_on_affects_nothing(clinic):
    room = clinic["rooms"][0]
    setup_services.room_switch(room=room, is_active=False, now=NOW)
    book(clinic, at(NEXT_MONDAY, 9), room=room)

    change = setup_services.room_switch(room=room, is_active=True, now=NOW)

    assert change.affected == 0
    assert change.saved.is_active


# --- Opening hours ---------------------------------------------------------------------


def _opening(location, on=None):
    """The location's opening hours that apply on ``on`` (today, by default)."""
    rows = OpeningHours.objects.filter(in_force_on(on or NOW.date()), location=location)
    return sorted(rows.values_list("weekday", "opens", "closes"))


def test_opening_hours_set_replaces_the_week(clinic):
    location = clinic["location"]
    week = {0: [(time(9), time(12)), (time(13), time(17))], 5: [(time(10), time(14))]}

    setup_services.opening_hours_set(location=location, week=week, now=NOW)

    assert _opening(location) == [
        (0, time(9), time(12)), (0, time(13), time(17)), (5, time(10), time(14)),
    ]  # fmt: skip


def test_opening_hours_set_keeps_the_days_that_do_not_change(clinic):
    location = clinic["location"]
    tuesday = OpeningHours.objects.get(location=location, weekday=1)
    week = dict.fromkeys(range(5), NINE_TO_FIVE) | {0: [(time(10), time(17))]}

    setup_services.opening_hours_set(location=location, week=week, now=NOW)

    tuesday.refresh_from_db()
    assert (tuesday.valid_from, tuesday.valid_until) == (None, None)
    assert len(_opening(location)) == 5


def test_new_opening_hours_apply_from_their_day_and_keep_the_earlier_ones(clinic):
    location = clinic["location"]
    monday = OpeningHours.objects.get(location=location, weekday=0)
    week = dict.fromkeys(range(5), NINE_TO_FIVE) | {0: [(time(10), time(17))]}

    setup_services.opening_hours_set(location=location, week=week, now=NOW, from_day=NEXT_MONDAY)

    monday.refresh_from_db()
    assert monday.valid_until == NEXT_MONDAY - timedelta(days=1)
    assert (0, time(9), time(17)) in _opening(location, on=NOW.date())
    assert (0, time(10), time(17)) in _opening(location, on=NEXT_MONDAY)
    assert (0, time(9), time(17)) not in _opening(location, on=NEXT_MONDAY)


def test_a_later_change_replaces_one_planned_from_the_same_day_or_after(clinic):
    location = clinic["location"]
    weekdays = dict.fromkeys(range(5), NINE_TO_FIVE)
    later = NEXT_MONDAY + timedelta(days=14)
    setup_services.opening_hours_set(
        location=location, week=weekdays | {0: [(time(11), time(17))]}, now=NOW, from_day=later
    )

    setup_services.opening_hours_set(
        location=location, week=weekdays | {0: [(time(10), time(17))]}, now=NOW,
        from_day=NEXT_MONDAY,
    )  # fmt: skip

    assert (0, time(10), time(17)) in _opening(location, on=later)
    assert (0, time(11), time(17)) not in _opening(location, on=later)


def test_hours_cannot_be_changed_for_days_gone(clinic):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.opening_hours_set(
            location=clinic["location"], week={0: NINE_TO_FIVE}, now=NOW,
            from_day=NOW.date() - timedelta(days=1),
        )  # fmt: skip

    assert "from_day" in errors_of(excinfo)
    assert len(_opening(clinic["location"])) == 5


def test_a_booking_follows_the_hours_in_force_on_its_day(clinic):
    from clinic.scheduling.services import appointment_book

    location = clinic["location"]
    setup_services.opening_hours_set(
        location=location, week={day: [(time(13), time(17))] for day in range(5)}, now=NOW,
        from_day=NEXT_MONDAY + timedelta(days=7),
    )  # fmt: skip
    fields = {
        "patient": make_patient(), "practitioner": clinic["practitioners"][0],
        "room": clinic["rooms"][0], "appointment_type": clinic["type"], "by": clinic["desk"],
    }  # fmt: skip

    appointment_book(start=at(NEXT_MONDAY, 10), **fields)
    with pytest.raises(ValidationError, match="outside the clinic's opening hours"):
        appointment_book(start=at(NEXT_MONDAY + timedelta(days=7), 10), **fields)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ({0: [(time(17), time(9))]}, "Monday: 17:00 to 09:00 ends before it starts."),
        (
            {2: [(time(9), time(13)), (time(12), time(17))]},
            "Wednesday: 09:00 to 13:00 and 12:00 to 17:00 overlap.",
        ),
    ],
)
def test_opening_hours_set_refuses_a_week_that_makes_no_sense(clinic, week, message):
    before = _opening(clinic["location"])

    with pytest.raises(ValidationError) as excinfo:
        setup_services.opening_hours_set(location=clinic["location"], week=week, now=NOW)

    assert excinfo.value.messages == [message]
    assert _opening(clinic["location"]) == before


def test_shorter_opening_hours_count_the_booked_appointments_they_leave_out(clinic):
    inside = book(clinic, at(NEXT_MONDAY, 10))
    book(clinic, at(NEXT_MONDAY, 15, 30))  # runs past the new 16:00 closing
    book(clinic, at(NEXT_MONDAY + timedelta(days=4), 10))  # a Friday: now closed
    book(clinic, at(NEXT_MONDAY, 16), status=S.CANCELLED)
    book(
        clinic, at(NEXT_MONDAY, 16), status=S.COMPLETED,
        room=clinic["rooms"][1], practitioner=clinic["practitioners"][1],
    )  # fmt: skip
    book(clinic, at(date(2026, 2, 27), 16))  # before NOW
    week = {day: [(time(9), time(16))] for day in range(4)}

    change = setup_services.opening_hours_set(location=clinic["location"], week=week, now=NOW)

    assert change.affected == 2
    assert Appointment.objects.get(pk=inside.pk).status == S.BOOKED


def test_opening_hours_are_judged_in_the_locations_own_time(clinic):
    # 09:00 in New York is 13:00 or 14:00 in London: inside a London day, outside New
    # York's morning hours.
    location = clinic["location"]
    location.time_zone = "America/New_York"
    location.save(update_fields=["time_zone"])
    book(clinic, at(NEXT_MONDAY, 9, zone=ZoneInfo("America/New_York")))

    morning = {0: [(time(6), time(8))]}
    assert setup_services.opening_hours_set(location=location, week=morning, now=NOW).affected == 1
    nine = {0: [(time(9), time(10))]}
    assert setup_services.opening_hours_set(location=location, week=nine, now=NOW).affected == 0


# --- Working hours ---------------------------------------------------------------------


def test_working_hours_set_is_per_practitioner_and_location(clinic):
    amara, lena = clinic["practitioners"]
    bristol = Location.objects.create(name="Bristol", time_zone="Europe/London")

    setup_services.working_hours_set(
        practitioner=amara, location=bristol, week={4: NINE_TO_FIVE}, now=NOW
    )

    assert WorkingHours.objects.filter(practitioner=amara, location=bristol).count() == 1
    assert WorkingHours.objects.filter(practitioner=amara, location=clinic["location"]).count() == 4
    assert WorkingHours.objects.filter(practitioner=lena).count() == 4
    assert not WorkingHours.objects.filter(valid_until__isnull=False).exists()


def test_working_hours_set_refuses_overlapping_hours(clinic):
    week = {0: [(time(9), time(12)), (time(11), time(17))]}

    with pytest.raises(ValidationError):
        setup_services.working_hours_set(
            practitioner=clinic["practitioners"][0], location=clinic["location"], week=week,
            now=NOW,
        )  # fmt: skip

    assert WorkingHours.objects.filter(practitioner=clinic["practitioners"][0]).count() == 4


def test_fewer_working_hours_count_only_that_practitioners_appointments_there(clinic):
    amara, lena = clinic["practitioners"]
    book(clinic, at(NEXT_MONDAY, 10), practitioner=amara)  # Monday: still working
    book(clinic, at(NEXT_MONDAY + timedelta(days=1), 10), practitioner=amara)  # Tuesday: off now
    book(
        clinic, at(NEXT_MONDAY + timedelta(days=1), 10), practitioner=lena, room=clinic["rooms"][1]
    )

    change = setup_services.working_hours_set(
        practitioner=amara, location=clinic["location"], week={0: NINE_TO_FIVE}, now=NOW
    )

    assert change.affected == 1


# --- Closures --------------------------------------------------------------------------


def test_closure_add_refuses_a_last_day_before_the_first(clinic):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.closure_add(
            location=clinic["location"], first_day=date(2026, 4, 6), last_day=date(2026, 4, 5),
            reason="", now=NOW,
        )  # fmt: skip

    assert errors_of(excinfo) == {"last_day": ["The last day cannot be before the first day."]}
    assert not Closure.objects.exists()


def test_closure_add_refuses_an_overlong_reason(clinic):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.closure_add(
            location=clinic["location"], first_day=date(2026, 4, 6), last_day=date(2026, 4, 6),
            reason="x" * 201, now=NOW,
        )  # fmt: skip

    assert "reason" in errors_of(excinfo)


def test_a_closure_counts_the_booked_appointments_on_its_days(clinic):
    monday, tuesday = NEXT_MONDAY, NEXT_MONDAY + timedelta(days=1)
    book(clinic, at(monday - timedelta(days=4), 16))  # the Thursday before
    book(clinic, at(monday, 9))
    book(clinic, at(tuesday, 16))
    book(clinic, at(tuesday, 16), status=S.NO_SHOW, room=clinic["rooms"][1])
    book(clinic, at(tuesday + timedelta(days=1), 9))  # the day it opens again

    change = setup_services.closure_add(
        location=clinic["location"], first_day=monday, last_day=tuesday,
        reason=" Refurbishment ", now=NOW,
    )  # fmt: skip

    assert change.affected == 2
    assert change.saved.reason == "Refurbishment"


def test_closure_remove_removes_it(clinic):
    change = setup_services.closure_add(
        location=clinic["location"], first_day=NEXT_MONDAY, last_day=NEXT_MONDAY, reason="",
        now=NOW,
    )  # fmt: skip

    setup_services.closure_remove(closure=change.saved)

    assert not Closure.objects.exists()


# --- Leave -----------------------------------------------------------------------------


@pytest.mark.parametrize("hours", [-1, 0])
def test_leave_add_refuses_an_end_not_after_the_start(clinic, hours):
    start = at(NEXT_MONDAY, 9)

    with pytest.raises(ValidationError) as excinfo:
        setup_services.leave_add(
            practitioner=clinic["practitioners"][0], starts_at=start,
            ends_at=start + timedelta(hours=hours), reason="", now=NOW,
        )  # fmt: skip

    assert errors_of(excinfo) == {"ends_at": ["The leave must end after it starts."]}
    assert not Leave.objects.exists()


def test_leave_add_refuses_times_without_a_time_zone(clinic):
    with pytest.raises(ValidationError):
        setup_services.leave_add(
            practitioner=clinic["practitioners"][0], starts_at=datetime(2026, 3, 9, 9),  # noqa: DTZ001
            ends_at=datetime(2026, 3, 9, 12), reason="", now=NOW,  # noqa: DTZ001
        )  # fmt: skip


def test_leave_counts_the_practitioners_booked_appointments_during_it(clinic):
    amara, lena = clinic["practitioners"]
    book(clinic, at(NEXT_MONDAY, 9), practitioner=amara)  # ends as the leave starts
    book(clinic, at(NEXT_MONDAY, 10, 30), practitioner=amara, room=clinic["rooms"][1])
    book(clinic, at(NEXT_MONDAY, 12, 30), practitioner=amara)  # runs past its end
    book(clinic, at(NEXT_MONDAY, 11), practitioner=lena)

    change = setup_services.leave_add(
        practitioner=amara, starts_at=at(NEXT_MONDAY, 10), ends_at=at(NEXT_MONDAY, 13),
        reason="Training", now=NOW,
    )  # fmt: skip

    assert change.affected == 2
    assert change.saved.reason == "Training"


# --- Appointment types -----------------------------------------------------------------

TYPE: dict[str, Any] = {
    "name": "Consultation",
    "kind": "consultation",
    "duration_minutes": 30,
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 10,
    "is_active": True,
}


def test_appointment_type_save_adds_and_changes_a_type(db):
    added = setup_services.appointment_type_save(**TYPE)

    changed = setup_services.appointment_type_save(
        appointment_type=added, **(TYPE | {"duration_minutes": 45, "is_active": False})
    )

    assert changed.pk == added.pk
    assert AppointmentType.objects.get(pk=added.pk).duration_minutes == 45
    assert not AppointmentType.objects.get(pk=added.pk).is_active


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"buffer_before_minutes": -1}, "buffer_before_minutes"),
        ({"kind": "massage"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_appointment_type_save_refuses_bad_values(db, change, field):
    # The catalog migration ships the treatment session type; nothing is added to it.
    shipped = set(AppointmentType.objects.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as excinfo:
        setup_services.appointment_type_save(**(TYPE | change))

    assert field in errors_of(excinfo)
    assert set(AppointmentType.objects.values_list("pk", flat=True)) == shipped


def test_appointment_type_names_are_unique(clinic):
    with pytest.raises(ValidationError) as excinfo:
        setup_services.appointment_type_save(**(TYPE | {"name": "Treatment session"}))

    assert "name" in errors_of(excinfo)
