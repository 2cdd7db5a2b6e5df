"""Journey: a patient opens the link in their reminder, confirms, and the link then says
it was already used; the front desk sees the appointment confirmed and the reminder sent."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
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
from clinic.scheduling.services import appointment_book
from clinic.staff.roles import Role
from tests.browser.journeys import sign_in
from tests.factories import UserFactory, make_patient, make_practitioner, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _booked_appointment() -> Appointment:
    bath = Location.objects.create(name="Bath", time_zone="Europe/London")
    room = Room.objects.create(location=bath, name="Room 1")
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.create(location=bath, weekday=weekday, opens=time(8), closes=time(20))
        WorkingHours.objects.create(
            practitioner=practitioner, location=bath, weekday=weekday,
            starts=time(8), ends=time(20),
        )  # fmt: skip
    day = timezone.localdate() + timedelta(days=3)
    return appointment_book(
        patient=make_patient(first_name="Zoë", last_name="Martin", email="zoe@example.org"),
        practitioner=practitioner,
        room=room,
        appointment_type=AppointmentType.objects.create(
            name="Consultation", kind="consultation", duration_minutes=30
        ),
        start=datetime.combine(day, time(10), tzinfo=bath.zone),
        by=make_staff(),
    )


def _reminder_link() -> str:
    """Send the reminders now (no quiet hours, whatever the hour of the test) and take
    the link from the first one."""
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(0), "quiet_until": time(0)}
    )
    PatientMessage.objects.filter(kind=PatientMessage.Kind.REMINDER).update(due_at=timezone.now())
    messages_dispatch()
    reminder = next(m for m in mail.outbox if m.subject.startswith("Reminder"))
    link = re.search(r"https?://\S+/m/\S+/", str(reminder.body))
    assert link is not None
    return urlsplit(link.group(0)).path


def test_the_confirm_link_in_a_reminder_works_once(
    live_server, page: Page, screenshot, console_errors
):
    appointment = _booked_appointment()
    path = _reminder_link()

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", name="Hello Zoë")).to_be_visible()
    expect(page.get_by_text("Martin")).to_have_count(0)
    page.get_by_role("button", name="Confirm I will come").click()
    expect(page.get_by_test_id("reply-done")).to_contain_text("your appointment is confirmed")
    screenshot("patient-confirms-from-reminder")
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED

    # The same link later: it says it was used, and offers nothing to press.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_text("This link has already been used.")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)

    # The front desk sees what was sent and the reply on the appointment's page.
    UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])
    sign_in(page, live_server.url, "desk")
    page.goto(f"{live_server.url}/appointments/{appointment.pk}/")
    panel = page.get_by_test_id("messages-panel")
    expect(panel.get_by_text("Confirmed").first).to_be_visible()
    expect(panel.get_by_text("Sent").first).to_be_visible()
    assert console_errors == []
