"""Journeys on a 360 x 740 phone, from the links in the patient's emails: book session 2
from the nudge; move an appointment from the reminder; be refused inside the late window
and given the clinic's number. axe-core finds no serious or critical violation on any
patient page (the confirm / ask-to-cancel page included)."""

import importlib
import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.scheduling.services import appointment_book, appointment_cancel
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from patients.models import Patient
from tests.browser.accessibility import assert_accessible, context_args
from tests.factories import UserFactory, make_patient, make_practitioner, make_staff
from tests.treatments.plans.plan_setup import book_plan, clinic_setting, complete, sessions
from treatments.models import TreatmentSession
from treatments.plans.nudges import next_session_nudges_schedule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Data the migrations ship, gone from the flushed database of a browser test.
SHIPPED = [
    "treatments.migrations.0006_consent_text",
    "treatments.migrations.0012_catalog_and_plan_permissions",
]
PHONE_NUMBER = "+441174960123"
K = PatientMessage.Kind


@pytest.fixture
def browser_context_args(browser_context_args):
    return context_args(browser_context_args, phone=True)


def _send_now(kind: str) -> str:
    """Send the waiting messages of a kind now (no quiet hours, whatever the hour of the
    test); the text of the last one sent."""
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(0), "quiet_until": time(0)}
    )
    PatientMessage.objects.filter(kind=kind, status=PatientMessage.Status.PENDING).update(
        due_at=timezone.now()
    )
    mail.outbox.clear()
    messages_dispatch()
    sent = PatientMessage.objects.filter(kind=kind, status=PatientMessage.Status.SENT)
    assert sent.exists(), f"no {kind} was sent"
    return str(mail.outbox[-1].body)


def _link(text: str, part: str) -> str:
    found = re.search(rf"https?://\S+/{part}/\S+/", text)
    assert found is not None, f"no /{part}/ link in the email"
    return urlsplit(found.group(0)).path


def _unexpected(errors: list[str]) -> list[str]:
    """Console errors, less the browser's note of a spent link's 410 (which is the point)."""
    return [e for e in errors if "status of 410" not in e]


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} pixels wide on a 360-pixel phone"


# --- Booking the next session from the nudge --------------------------------------------------


def _plan_waiting_for_session_two(practitioner):
    """A course whose first session took place and whose second, booked with it, was
    cancelled: it waits for a time in its window, and the nudge goes out."""
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    setting = clinic_setting(practitioner)
    Location.objects.filter(pk=setting["location"].pk).update(phone=PHONE_NUMBER)
    plan = book_plan(setting)
    Patient.objects.filter(pk=plan.patient_id).update(first_name="Ines", last_name="Okonkwo")
    plan.refresh_from_db()
    first, second, *_ = sessions(plan)
    complete(first, practitioner)
    appointment_cancel(
        appointment=second.appointment, reason="Will book online", by=setting["desk"],
        now=timezone.now(),
    )  # fmt: skip
    second.refresh_from_db()
    opening = datetime.combine(second.window_first, time(10), tzinfo=plan.location.zone)
    assert next_session_nudges_schedule(now=opening), "the nudge is scheduled"
    return plan


def test_a_patient_books_session_2_from_the_nudge(
    live_server, page: Page, screenshot, console_errors
):
    practitioner = UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])
    plan = _plan_waiting_for_session_two(practitioner)
    nudge = _send_now(K.NEXT_SESSION)
    assert "0117 496 0123" in nudge
    path = _link(nudge, "book")

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Hello Ines")).to_be_visible()
    expect(page.get_by_text("Okonkwo")).to_have_count(0)
    expect(page.get_by_text("session 2 of")).to_be_visible()
    assert_accessible(page)
    _no_horizontal_scroll(page)
    first_time = page.get_by_test_id("times-own").first.get_by_role("button").first
    box = first_time.bounding_box()
    assert box is not None
    assert box["height"] >= 44, "a time is a big enough target for a finger"
    label = first_time.get_attribute("aria-label") or ""
    first_time.focus()
    page.keyboard.press("Enter")  # the keyboard books as a tap does

    expect(page.get_by_test_id("booked")).to_contain_text("Session 2 of 4 is booked")
    assert_accessible(page)
    screenshot("patient-books-session-2-from-the-nudge")
    second = sessions(plan)[1]
    assert second.status == TreatmentSession.Status.BOOKED
    local = second.appointment.starts_at.astimezone(plan.location.zone)
    assert f"at {local:%H:%M}" in label
    # The usual confirmation follows, with its own link to change it.
    confirmation = _send_now(K.CONFIRMATION)
    assert "/visit/" in confirmation
    # The link is spent.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="This link can no longer be used")).to_be_visible()
    assert_accessible(page)
    assert _unexpected(console_errors) == []


# --- Moving and cancelling from a reminder ----------------------------------------------------


def _clinic_open_all_day() -> tuple[Location, Room, PractitionerProfile, AppointmentType]:
    bath = Location.objects.create(name="Bath", time_zone="Europe/London", phone=PHONE_NUMBER)
    room = Room.objects.create(location=bath, name="Room 1")
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.create(
            location=bath, weekday=weekday, opens=time(0), closes=time(23, 59)
        )
        WorkingHours.objects.create(
            practitioner=practitioner, location=bath, weekday=weekday,
            starts=time(0), ends=time(23, 59),
        )  # fmt: skip
    kind = AppointmentType.objects.create(name="Review", kind="review", duration_minutes=30)
    return bath, room, practitioner, kind


def _book(start: datetime) -> Appointment:
    bath, room, practitioner, kind = _clinic_open_all_day()
    return appointment_book(
        patient=make_patient(first_name="Zoë", last_name="Martin", email="zoe@example.org"),
        practitioner=practitioner, room=room, appointment_type=kind,
        start=start.astimezone(bath.zone), by=make_staff(),
    )  # fmt: skip


def test_a_patient_moves_an_appointment_from_the_reminder(
    live_server, page: Page, screenshot, console_errors
):
    day = timezone.localdate() + timedelta(days=3)
    appointment = _book(datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone()))
    path = _link(_send_now(K.REMINDER), "visit")

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Hello Zoë")).to_be_visible()
    expect(page.get_by_text("Martin")).to_have_count(0)
    assert_accessible(page)
    _no_horizontal_scroll(page)
    # The cancel step asks first, and "keep it" changes nothing.
    page.get_by_role("link", name="Cancel this appointment").click()
    expect(page.get_by_role("heading", name="Cancel this appointment, Zoë?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="No, keep it").click()
    # Another time, the day after at 11:00.
    later = page.get_by_role("button", name=re.compile(r"^Move to .* at 11:00 with"))
    later.first.click()

    expect(page.get_by_test_id("moved")).to_contain_text("Your appointment has moved")
    assert_accessible(page)
    screenshot("patient-moves-from-the-reminder")
    appointment.refresh_from_db()
    assert appointment.version == 2
    assert appointment.starts_at.astimezone(appointment.location.zone).time() == time(11)
    # The old link is spent; the new time's email carries a new one.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="This link can no longer be used")).to_be_visible()
    assert "/visit/" in _send_now(K.RESCHEDULED)
    assert _unexpected(console_errors) == []


def test_a_time_just_taken_is_said_and_the_patient_cancels_instead(
    live_server, page: Page, screenshot, console_errors
):
    day = timezone.localdate() + timedelta(days=3)
    appointment = _book(datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone()))
    path = _link(_send_now(K.REMINDER), "visit")
    page.goto(f"{live_server.url}{path}")
    wanted = page.get_by_role("button", name=re.compile(r"^Move to .* at 11:00 with")).first
    start = datetime.fromisoformat(str(wanted.get_attribute("value")).split("@")[0])

    # While the page is open, the front desk gives that time to someone else.
    appointment_book(
        patient=make_patient(first_name="Carl"), practitioner=appointment.practitioner,
        room=appointment.room, appointment_type=appointment.appointment_type, start=start,
        by=make_staff(),
    )  # fmt: skip
    wanted.click()
    taken = page.get_by_test_id("patient-error")
    expect(taken).to_have_text("That time was just taken. Please pick another.")
    assert_accessible(page)

    page.get_by_role("link", name="Cancel this appointment").click()
    page.get_by_test_id("cancel-confirm").click()
    expect(page.get_by_role("heading", name="Your appointment is cancelled")).to_be_visible()
    assert_accessible(page)
    _no_horizontal_scroll(page)
    screenshot("patient-cancels-from-the-reminder")
    appointment.refresh_from_db()
    assert appointment.is_cancelled
    assert appointment.starts_at.astimezone(appointment.location.zone).time() == time(10)
    # The press that lost answered 409 (Conflict), as it should.
    assert [e for e in _unexpected(console_errors) if "status of 409" not in e] == []


def test_inside_the_late_window_the_patient_is_given_the_phone_number(
    live_server, page: Page, screenshot, console_errors
):
    soon = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    soon += timedelta(minutes=-soon.minute % 15)
    if soon.astimezone(timezone.get_current_timezone()).time() >= time(23):
        soon += timedelta(hours=2)  # start and end on the same local day
    appointment = _book(soon)
    path = _link(_send_now(K.CONFIRMATION), "visit")

    page.goto(f"{live_server.url}{path}")
    refused = page.get_by_test_id("too-late")
    expect(refused).to_contain_text("can no longer be changed online")
    expect(refused.get_by_role("link", name="0117 496 0123")).to_have_attribute(
        "href", "tel:01174960123"
    )
    expect(page.get_by_role("button")).to_have_count(0)  # no time to pick, nothing to cancel
    assert_accessible(page)
    _no_horizontal_scroll(page)
    screenshot("patient-refused-inside-the-late-window")
    appointment.refresh_from_db()
    assert (appointment.version, appointment.is_upcoming) == (1, True)
    assert _unexpected(console_errors) == []


# --- The pages a patient already had ----------------------------------------------------------


def test_the_confirm_or_ask_to_cancel_page_is_accessible(live_server, page: Page):
    day = timezone.localdate() + timedelta(days=3)
    _book(datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone()))
    path = _link(_send_now(K.REMINDER), "m")

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("button", name="Confirm I will come")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm I will come").click()
    expect(page.get_by_test_id("reply-done")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/m/not-a-link/")
    assert_accessible(page)
