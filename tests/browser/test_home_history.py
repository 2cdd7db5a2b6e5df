"""On a 360 x 740 phone, from the link in her consultation's confirmation: the patient
answers about her health (warfarin among her medicines), finds her answers kept after a
reload, reads the consent form, checks and sends; the clinic then has them with a
finding, and the link shows what was sent. axe-core finds no serious or critical
violation on any of these pages."""

import importlib
import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page

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
from tests.browser.accessibility import assert_accessible, context_args
from tests.browser.journeys import fill_in_history_at_home
from tests.factories import make_patient, make_practitioner, make_staff
from treatments.models import HomeHistory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The consent text the migrations ship, gone from the flushed database of a browser test.
SHIPPED = ["treatments.migrations.0006_consent_text"]


@pytest.fixture
def browser_context_args(browser_context_args):
    return context_args(browser_context_args, phone=True)


def _consultation_confirmed() -> tuple[Appointment, str]:
    """A consultation in five days, booked by the front desk; its confirmation sent now.
    Returns the appointment and the email's text."""
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    location = Location.objects.create(
        name="Bath", time_zone="Europe/London", phone="+441174960123"
    )
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=time(8), closes=time(19)
        )
        WorkingHours.objects.create(
            practitioner=practitioner, location=location, weekday=weekday,
            starts=time(8), ends=time(19),
        )  # fmt: skip
    day = (timezone.now() + timedelta(days=5)).astimezone(location.zone).date()
    appointment = appointment_book(
        patient=make_patient(first_name="Ines", last_name="Okonkwo", email="ines@example.org"),
        practitioner=practitioner,
        room=Room.objects.create(location=location, name="Room 1"),
        appointment_type=AppointmentType.objects.create(
            name="Consultation", kind="consultation", duration_minutes=45
        ),
        start=datetime.combine(day, time(10), tzinfo=location.zone),
        by=make_staff(),
    )
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(0), "quiet_until": time(0)}
    )
    mail.outbox.clear()
    messages_dispatch()
    confirmation = PatientMessage.objects.get(kind=PatientMessage.Kind.CONFIRMATION)
    assert confirmation.status == PatientMessage.Status.SENT
    return appointment, str(mail.outbox[-1].body)


def _history_path(text: str) -> str:
    found = re.search(r"https?://\S+/history/\S+/", text)
    assert found is not None, "no /history/ link in the email"
    return urlsplit(found.group(0)).path


def test_a_patient_tells_the_clinic_about_her_health_from_the_confirmation(
    live_server, page: Page, screenshot, console_errors
):
    appointment, email = _consultation_confirmed()
    assert "Tell us about your health before your visit: about 5 minutes." in email
    shots: list[str] = []

    def checkpoint(page: Page, name: str) -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"the {name} page is {width} pixels wide on a 360-pixel phone"
        assert_accessible(page)
        if name in ("questionnaire", "received"):
            screenshot(f"home-history-{name}")
        shots.append(name)

    fill_in_history_at_home(page, f"{live_server.url}{_history_path(email)}", checkpoint=checkpoint)

    assert shots == ["questionnaire", "consent", "review", "received"]
    history = HomeHistory.objects.get(appointment=appointment)
    assert history.is_submitted
    assert history.answers["cold_sore_history"] is True
    assert history.medicines[0]["medicine_key"] == "warfarin"
    assert {f["code"] for f in history.findings} >= {"blood_thinners", "cold_sore_history"}
    appointment.refresh_from_db()
    assert appointment.history_received_at is not None
    assert console_errors == []
