"""Journeys: the front desk books a consultation from a free time on the calendar, finding
the patient by part of the name; and moves an appointment from its page."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
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
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import (
    UserFactory,
    make_patient,
    make_practitioner,
    make_staff,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str) -> None:
    UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
    sign_in(page, base, "desk")


def _clinic(practitioners: int = 1) -> list[PractitionerProfile]:
    """A clinic open every day from 08:00 to 20:00, its practitioners working throughout."""
    bath = Location.objects.create(name="Bath", time_zone="Europe/London")
    for name in ("Room 1", "Room 2"):
        Room.objects.create(location=bath, name=name)
    AppointmentType.objects.create(name="Consultation", kind="consultation", duration_minutes=30)
    AppointmentType.objects.create(
        name="Treatment session", kind="treatment", duration_minutes=60, buffer_after_minutes=10
    )
    people = [
        make_practitioner(user__first_name=first, user__last_name=last)
        for first, last in [("Amara", "Okafor"), ("Lena", "Fischer"), ("Priya", "Shah"),
                            ("Tom", "Reed"), ("Ines", "Costa")][:practitioners]
    ]  # fmt: skip
    for weekday in range(7):
        OpeningHours.objects.create(location=bath, weekday=weekday, opens=time(8), closes=time(20))
        for profile in people:
            WorkingHours.objects.create(
                practitioner=profile, location=bath, weekday=weekday,
                starts=time(8), ends=time(20),
            )  # fmt: skip
    return people


def test_front_desk_books_a_consultation_from_a_free_time(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1024, "height": 768})
    (amara,) = _clinic()
    make_patient(first_name="Zoë", last_name="Martin")
    make_patient(first_name="Zara", last_name="Moreau")
    tomorrow = timezone.localdate() + timedelta(days=1)
    _sign_in(page, live_server.url)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    # The next day comes in place (htmx), and the address follows it.
    page.get_by_role("link", name="Next day").click()
    expect(page).to_have_url(re.compile(rf"date={tomorrow:%Y-%m-%d}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{tomorrow:%A} {tomorrow.day}"
                                                               f" {tomorrow:%B %Y}")  # fmt: skip
    expect(page.get_by_label("Free times for")).to_have_value(
        str(AppointmentType.objects.get(name="Consultation").pk)
    )

    column = page.get_by_role("region", name="Amara Okafor")
    column.get_by_role("link", name="Book at 10:00").click()
    expect(page.get_by_test_id("slot-summary")).to_contain_text("Amara Okafor")
    expect(page.get_by_test_id("slot-summary")).to_contain_text("10:00")

    # Part of the name, without the accent, finds her among the patients.
    page.get_by_label("Find a patient").press_sequentially("zoe mar", delay=30)
    pick = page.get_by_test_id("patient-pick")
    expect(pick.get_by_role("link", name=re.compile("Martin, Zoë"))).to_be_visible()
    expect(pick.get_by_role("link", name=re.compile("Moreau"))).to_have_count(0)
    pick.get_by_role("link", name=re.compile("Martin, Zoë")).click()

    expect(page.get_by_role("heading", name="Book an appointment for Zoë Martin")).to_be_visible()
    expect(page.get_by_label("Type")).to_have_value(
        str(AppointmentType.objects.get(name="Consultation").pk)
    )
    expect(page.get_by_label("Practitioner")).to_have_value(str(amara.pk))
    expect(page.get_by_label("Date")).to_have_value(f"{tomorrow:%Y-%m-%d}")
    expect(page.get_by_label("Time")).to_have_value("10:00")
    page.get_by_role("button", name="Book", exact=True).click()

    expect(page.get_by_text("Booked for Zoë Martin.")).to_be_visible()
    page.get_by_role("link", name="Show the day on the calendar").click()
    card = page.get_by_role("region", name="Amara Okafor").get_by_test_id("calendar-appointment")
    expect(card).to_contain_text("Zoë Martin")
    expect(card).to_contain_text("10:00\N{EN DASH}10:30")
    expect(column.get_by_role("link", name="Book at 10:00")).to_have_count(0)
    screenshot("calendar-book-from-slot")
    assert Appointment.objects.get().patient.first_name == "Zoë"
    assert console_errors == []


def test_front_desk_moves_an_appointment_from_its_page(live_server, page: Page, console_errors):
    (amara,) = _clinic()
    zone = timezone.get_current_timezone()
    tomorrow = timezone.localdate() + timedelta(days=1)
    appointment = appointment_book(
        patient=make_patient(first_name="Zoë", last_name="Martin"),
        practitioner=amara,
        room=Room.objects.get(name="Room 1"),
        appointment_type=AppointmentType.objects.get(name="Treatment session"),
        start=datetime.combine(tomorrow, time(11), tzinfo=zone),
        by=make_staff(username="booker"),
    )
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/appointments/{appointment.pk}/")

    # Outside the hours: the service says so on the form.
    page.get_by_label("New time").fill("07:00")
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_test_id("move-error")).to_contain_text("outside the clinic's opening hours")

    # One click on a nearby free time.
    page.get_by_test_id("nearby-times").get_by_role("button", name="Move to 11:15").click()
    expect(page.get_by_text(re.compile(r"Moved to .* at 11:15\."))).to_be_visible()

    page.get_by_label("New time").fill("15:30")
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_text(re.compile(r"Moved to .* at 15:30\."))).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.starts_at.astimezone(zone).time() == time(15, 30)
    assert appointment.version == 3
    assert console_errors == []


@pytest.mark.parametrize("size", [(1024, 768), (768, 1024)])
def test_the_day_fits_a_tablet(live_server, page: Page, console_errors, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    _clinic(practitioners=5)
    _sign_in(page, live_server.url)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(f"{live_server.url}/calendar/?date={tomorrow:%Y-%m-%d}")

    columns = page.get_by_test_id("calendar-columns")
    # The columns scroll sideways inside their box; the page itself does not.
    assert columns.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.get_by_test_id("free-slot").first.bounding_box()
    assert box is not None
    assert box["height"] >= 40
    assert box["width"] >= 56
    # By room, through htmx, and the type select still there after the swap.
    page.get_by_role("link", name="By room").click()
    expect(page).to_have_url(re.compile("by=room"))
    expect(page.get_by_role("region", name="Room 2")).to_be_visible()
    page.get_by_label("Free times for").select_option(label="Treatment session (60 min)")
    expect(page).to_have_url(re.compile(r"type=\d+"))
    assert console_errors == []
