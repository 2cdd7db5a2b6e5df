"""Journeys: the front desk books a consultation from a free time on the time grid, finding
the patient by part of the name; drags a card to a free time and onto a clash; moves an
appointment from its page; reads a New York location in its own time, a closed day, and
the printable day list; sees on a card that its patient asked to cancel and whether they
are cleared for treatment."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Closure,
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
    make_cleared_patient,
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
    page.locator(".ec-toolbar").get_by_role("button", name=re.compile("next", re.I)).click()
    expect(page).to_have_url(re.compile(rf"date={tomorrow:%Y-%m-%d}"))
    expect(page.get_by_label("Free times for")).to_have_value(
        str(AppointmentType.objects.get(name="Consultation").pk)
    )

    page.locator(".book-free", has_text="Book 10:00").click()
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
    card = page.locator(".book-card", has_text="Zoë Martin")
    expect(card).to_contain_text("10:00\N{EN DASH}10:30")
    expect(page.locator(".book-free", has_text="Book 10:00")).to_have_count(0)
    screenshot("calendar-book-from-slot")
    assert Appointment.objects.get().patient.first_name == "Zoë"
    assert console_errors == []


def test_a_late_answer_for_the_day_left_does_not_replace_the_day_shown(
    live_server, page: Page, console_errors
):
    """The front desk goes on to tomorrow while today's data is still on its way: when it
    comes, tomorrow's free times stay."""
    page.set_viewport_size({"width": 1024, "height": 768})
    _clinic()
    today = timezone.localdate()
    _sign_in(page, live_server.url)
    held: list[Route] = []

    def hold_today(route):
        if f"start={today:%Y-%m-%d}" in route.request.url and not held:
            held.append(route)  # answered only once tomorrow is drawn
        else:
            route.continue_()

    page.route("**/calendar/data/**", hold_today)
    ended: list[str] = []
    for event in ("requestfinished", "requestfailed"):
        page.on(
            event,
            lambda r, event=event: (
                ended.append(event) if f"start={today:%Y-%m-%d}" in r.url else None
            ),
        )
    page.goto(f"{live_server.url}/calendar/?date={today:%Y-%m-%d}")
    page.locator(".ec-toolbar").get_by_role("button", name=re.compile("next", re.I)).click()
    free = page.locator(".book-free", has_text="Book 10:00")
    expect(free).to_be_visible()
    assert len(held) == 1

    held[0].continue_()
    # Today's request ends one way or the other: answered late, or dropped by the page.
    for _ in range(100):
        if ended:
            break
        page.wait_for_timeout(50)
    assert ended
    page.wait_for_timeout(300)  # and the grid has done whatever it does with the answer

    expect(free).to_be_visible()
    assert [e for e in console_errors if "aborted" not in e.lower()] == []


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
def test_the_day_list_fits_a_tablet(live_server, page: Page, console_errors, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    _clinic(practitioners=5)
    _sign_in(page, live_server.url)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(f"{live_server.url}/calendar/list/?date={tomorrow:%Y-%m-%d}")

    # The page itself does not scroll sideways; free times are large enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.get_by_test_id("free-slot").first.bounding_box()
    assert box is not None
    assert box["height"] >= 40
    assert box["width"] >= 56
    page.get_by_role("link", name="By room").click()
    expect(page).to_have_url(re.compile("by=room"))
    expect(page.get_by_role("region", name="Room 2")).to_be_visible()
    page.get_by_label("Free times for").select_option(label="Treatment session (60 min)")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"type=\d+"))
    assert console_errors == []


# --- The time grid: drag, clash, zones, closed days, the printable list ----------------


def _tomorrow_at(hour: int, minute: int = 0) -> datetime:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return datetime.combine(tomorrow, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _book(practitioner: PractitionerProfile, hour: int, *, room: str = "Room 1", first="Zoë"):
    return appointment_book(
        patient=make_patient(first_name=first, last_name="Martin"),
        practitioner=practitioner,
        room=Room.objects.get(name=room),
        appointment_type=AppointmentType.objects.get(name="Treatment session"),
        start=_tomorrow_at(hour),
        by=make_staff(username=f"booker{hour}"),
    )


def _drag_down(page: Page, card, minutes: int) -> None:
    """Drag a card down the grid by so many minutes, as a hand would."""
    hours = page.locator(".ec-sidebar")
    top = hours.get_by_text("11:00", exact=True).first.bounding_box()
    below = hours.get_by_text("12:00", exact=True).first.bounding_box()
    box = card.bounding_box()
    assert top is not None
    assert below is not None
    assert box is not None
    per_minute = (below["y"] - top["y"]) / 60
    x, y = box["x"] + box["width"] / 2, box["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 6, steps=3)
    page.mouse.move(x, y + minutes * per_minute, steps=12)
    page.mouse.up()


def _open_tomorrow(page: Page, base: str) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(f"{base}/calendar/?date={tomorrow:%Y-%m-%d}")
    expect(page.locator(".book-card").first).to_be_visible()


def test_front_desk_drags_a_card_to_a_free_time(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1280, "height": 900})
    (amara,) = _clinic()
    appointment = _book(amara, 11)
    _sign_in(page, live_server.url)
    _open_tomorrow(page, live_server.url)

    card = page.locator(".book-card", has_text="Zoë Martin")
    _drag_down(page, card, 180)

    expect(page.get_by_test_id("book-message")).to_contain_text(re.compile(r"Moved to .* at 14:00"))
    expect(page.locator(".book-card", has_text="Zoë Martin")).to_contain_text(
        "14:00\N{EN DASH}15:00"
    )
    screenshot("calendar-drag-to-a-free-time")
    appointment.refresh_from_db()
    assert appointment.starts_at == _tomorrow_at(14)
    assert PatientMessage.objects.filter(
        appointment=appointment, kind=PatientMessage.Kind.RESCHEDULED
    ).exists()
    assert console_errors == []


def test_a_drag_onto_a_clash_says_why_and_the_card_goes_back(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1280, "height": 900})
    amara, lena = _clinic(practitioners=2)
    appointment = _book(amara, 11)
    _book(lena, 14, first="Ada")  # Room 1 is taken from 14:00
    _sign_in(page, live_server.url)
    _open_tomorrow(page, live_server.url)

    card = page.locator(".book-card", has_text="Zoë Martin")
    _drag_down(page, card, 180)

    expect(page.get_by_test_id("book-message")).to_have_text(
        "That slot was just taken. Choose another time."
    )
    expect(page.locator(".book-card", has_text="Zoë Martin")).to_contain_text(
        "11:00\N{EN DASH}12:00"
    )
    screenshot("calendar-drag-onto-a-clash")
    appointment.refresh_from_db()
    assert appointment.starts_at == _tomorrow_at(11)
    assert [e for e in console_errors if "409" not in e] == []


def test_a_new_york_appointment_shows_its_own_time_with_the_zone_named(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1280, "height": 900})
    new_york = Location.objects.create(name="Manhattan", time_zone="America/New_York")
    Room.objects.create(location=new_york, name="Suite 1")
    AppointmentType.objects.create(name="Consultation", kind="consultation", duration_minutes=30)
    ines = make_practitioner(user__first_name="Ines", user__last_name="Costa")
    zone = ZoneInfo("America/New_York")
    tomorrow = timezone.now().astimezone(zone).date() + timedelta(days=1)
    for weekday in range(7):
        OpeningHours.objects.create(
            location=new_york, weekday=weekday, opens=time(9), closes=time(21)
        )
        WorkingHours.objects.create(
            practitioner=ines, location=new_york, weekday=weekday, starts=time(9), ends=time(21)
        )
    appointment_book(
        patient=make_patient(first_name="Zoë", last_name="Martin"), practitioner=ines,
        room=Room.objects.get(name="Suite 1"),
        appointment_type=AppointmentType.objects.get(name="Consultation"),
        start=datetime.combine(tomorrow, time(19, 30), tzinfo=zone), by=make_staff(username="b"),
    )  # fmt: skip
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/calendar/?date={tomorrow:%Y-%m-%d}")

    card = page.locator(".book-card", has_text="Zoë Martin")
    expect(card).to_contain_text("19:30\N{EN DASH}20:00")
    expect(page.get_by_test_id("zone-note")).to_contain_text("America/New_York time (E")
    screenshot("calendar-new-york-in-its-own-time")
    assert console_errors == []


def test_a_closed_day_is_shaded_and_labelled(live_server, page: Page, screenshot, console_errors):
    page.set_viewport_size({"width": 1280, "height": 900})
    _clinic(practitioners=2)
    tomorrow = timezone.localdate() + timedelta(days=1)
    Closure.objects.create(
        location=Location.objects.get(), first_day=tomorrow, last_day=tomorrow,
        reason="Staff training",
    )  # fmt: skip
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/calendar/?date={tomorrow:%Y-%m-%d}")

    shades = page.locator(".book-shade", has_text="Closed: Staff training")
    expect(shades).to_have_count(2)  # one in each practitioner's column
    expect(page.locator(".book-free")).to_have_count(0)
    screenshot("calendar-closed-day")
    assert console_errors == []


def test_the_day_list_prints_one_practitioner_a_page(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1024, "height": 768})
    amara, lena = _clinic(practitioners=2)
    _book(amara, 11)
    _book(lena, 14, room="Room 2", first="Ada")
    _sign_in(page, live_server.url)
    _open_tomorrow(page, live_server.url)

    page.get_by_test_id("day-list-link").click()
    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("link", name="Next day")).to_be_hidden()
    expect(page.get_by_test_id("free-slot").first).to_be_hidden()
    amara_list = page.get_by_role("region", name="Amara Okafor")
    expect(amara_list.get_by_test_id("calendar-appointment")).to_contain_text("Zoë Martin")
    expect(page.get_by_role("region", name="Lena Fischer")).to_contain_text("Ada Martin")
    breaks = amara_list.evaluate("el => getComputedStyle(el).breakAfter")
    assert breaks == "page"
    screenshot("calendar-printable-day-list")
    assert console_errors == []


def test_a_card_shows_a_request_to_cancel_and_the_clearance_in_words(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1280, "height": 900})
    amara, lena = _clinic(practitioners=2)
    asked = _book(amara, 11)
    PatientMessage.objects.filter(appointment=asked).update(cancel_request_open=True)
    cleared = make_cleared_patient(lena.user, consent=False).patient
    cleared.first_name, cleared.last_name = "Ada", "Cole"
    cleared.save(update_fields=["first_name", "last_name"])
    appointment_book(
        patient=cleared,
        practitioner=lena,
        room=Room.objects.get(name="Room 2"),
        appointment_type=AppointmentType.objects.get(name="Treatment session"),
        start=_tomorrow_at(14),
        by=make_staff(username="booker"),
    )
    _sign_in(page, live_server.url)
    _open_tomorrow(page, live_server.url)

    zoe = page.locator(".book-card", has_text="Zoë Martin")
    expect(zoe.get_by_test_id("card-badge").first).to_have_text("Asked to cancel")
    expect(zoe.get_by_text("Asked to cancel")).to_be_visible()
    expect(zoe.get_by_text("Needs review")).to_be_visible()
    expect(zoe).to_have_attribute("aria-label", re.compile("Asked to cancel"))
    ada = page.locator(".book-card", has_text="Ada Cole")
    expect(ada.get_by_text("Cleared for treatment")).to_be_visible()
    expect(ada.get_by_text("Asked to cancel")).to_have_count(0)
    screenshot("calendar-card-badges")
    assert console_errors == []


def test_the_grids_today_button_goes_to_the_locations_day(live_server, page: Page, console_errors):
    """The server's clock is set to 20:00 on a day in London, already the next morning in
    Auckland, and days away from the browser's own date: "today" is Auckland's day."""
    auckland = Location.objects.create(name="Auckland", time_zone="Pacific/Auckland")
    Room.objects.create(location=auckland, name="Room 1")
    AppointmentType.objects.create(name="Consultation", kind="consultation", duration_minutes=30)
    server_now = datetime.combine(
        timezone.localdate() + timedelta(days=9), time(20), tzinfo=ZoneInfo("Europe/London")
    )
    there = server_now.astimezone(ZoneInfo("Pacific/Auckland")).date()
    with time_machine.travel(server_now, tick=True):
        _sign_in(page, live_server.url)
        page.goto(
            f"{live_server.url}/calendar/?location={auckland.pk}"
            f"&date={there + timedelta(days=5):%Y-%m-%d}"
        )
        expect(page).to_have_url(re.compile(f"date={there + timedelta(days=5):%Y-%m-%d}"))

        page.get_by_role("button", name="today").click()

        expect(page).to_have_url(re.compile(f"date={there:%Y-%m-%d}"))
    assert console_errors == []


def test_a_consultation_card_says_whether_its_history_came(
    live_server, page: Page, screenshot, console_errors
):
    page.set_viewport_size({"width": 1280, "height": 900})
    amara, lena = _clinic(practitioners=2)
    consultation = AppointmentType.objects.get(name="Consultation")
    came = None
    for first, who, room in (("Ada", amara, "Room 1"), ("Bea", lena, "Room 2")):
        booked = appointment_book(
            patient=make_patient(first_name=first, last_name="Hale"), practitioner=who,
            room=Room.objects.get(name=room), appointment_type=consultation,
            start=_tomorrow_at(10), by=make_staff(username=f"booker-{first}"),
        )  # fmt: skip
        came = came or booked
    assert came is not None
    Appointment.objects.filter(pk=came.pk).update(history_received_at=timezone.now())
    _book(amara, 14)
    _sign_in(page, live_server.url)
    _open_tomorrow(page, live_server.url)

    ada = page.locator(".book-card", has_text="Ada Hale")
    expect(ada.get_by_text("History received")).to_be_visible()
    expect(ada).to_have_attribute("aria-label", re.compile("History received"))
    bea = page.locator(".book-card", has_text="Bea Hale")
    expect(bea.get_by_text("No history yet")).to_be_visible()
    zoe = page.locator(".book-card", has_text="Zoë Martin")
    expect(zoe).to_be_visible()
    expect(zoe.get_by_text(re.compile("history", re.IGNORECASE))).to_have_count(0)
    screenshot("calendar-card-history")
    assert console_errors == []
