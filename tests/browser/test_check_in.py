"""Journey: the front desk checks a patient in on the day, then undoes it; tomorrow's
appointment offers no check-in yet."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.scheduling.services import appointment_book
from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_patient, make_practitioner, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A Monday morning in Bath (GMT in November); the clock runs on from there.
MONDAY_MORNING = datetime(2026, 11, 23, 9, tzinfo=UTC)


def _today_and_tomorrow() -> tuple[Appointment, Appointment]:
    bath = Location.objects.create(name="Bath", time_zone="Europe/London")
    room = Room.objects.create(location=bath, name="Room 1")
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.create(location=bath, weekday=weekday, opens=time(8), closes=time(20))
        WorkingHours.objects.create(
            practitioner=practitioner, location=bath, weekday=weekday,
            starts=time(8), ends=time(20),
        )  # fmt: skip
    kind = AppointmentType.objects.create(
        name="Consultation", kind="consultation", duration_minutes=30
    )
    desk = make_staff()
    today = MONDAY_MORNING.date()
    booked = [
        appointment_book(
            patient=make_patient(first_name="Zoë", last_name="Martin"),
            practitioner=practitioner,
            room=room,
            appointment_type=kind,
            start=datetime.combine(day, time(11), tzinfo=bath.zone),
            by=desk,
        )
        for day in (today, today + timedelta(days=1))
    ]
    return booked[0], booked[1]


def test_check_in_is_offered_on_the_day_only_and_can_be_undone(
    live_server, page: Page, screenshot, console_errors
):
    with time_machine.travel(MONDAY_MORNING, tick=True):
        today, tomorrow = _today_and_tomorrow()
        UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
        sign_in(page, live_server.url, "desk")

        page.goto(f"{live_server.url}/appointments/{tomorrow.pk}/")
        expect(page.get_by_test_id("status")).to_have_text("Booked")
        expect(page.get_by_role("button", name="Check in")).to_have_count(0)

        page.goto(f"{live_server.url}/appointments/{today.pk}/")
        page.get_by_role("button", name="Check in").click()
        expect(page.get_by_test_id("status")).to_have_text("Checked in")
        screenshot("front-desk-checks-in-then-undoes")
        page.get_by_role("button", name="Undo check-in").click()
        expect(page.get_by_test_id("status")).to_have_text("Booked")
        expect(page.get_by_role("button", name="Check in")).to_be_visible()

    today.refresh_from_db()
    assert today.status == Appointment.Status.BOOKED
    assert console_errors == []
