"""A consultation's emails carry the link to the medical history at home while it is
still to come and the history is not in; a reminder goes 48 hours before unless it has
been sent, follows the appointment when it moves and stops when it is cancelled."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail, signing
from django.utils import timezone

from clinic.messaging import links
from clinic.messaging.content import PREVIEW_LINK, render
from clinic.messaging.models import PatientMessage
from clinic.messaging.services import HISTORY_SENT, messages_dispatch
from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment, AppointmentType

pytestmark = pytest.mark.django_db
K = PatientMessage.Kind
St = PatientMessage.Status
SENTENCE = "Tell us about your health before your visit"
BOOKED_AT = datetime(2026, 6, 1, 9, tzinfo=UTC)
START = datetime(2026, 6, 10, 9, tzinfo=UTC)


def book(place, start=START, appointment_type=None):
    with time_machine.travel(BOOKED_AT, tick=False):
        return booking.appointment_book(
            patient=place["patient"], practitioner=place["practitioner"], room=place["room"],
            appointment_type=appointment_type or place["type"], start=start, by=place["desk"],
        )  # fmt: skip


def _history_link(appointment) -> str:
    return links.home_history_url(appointment.pk)


def _linked(text: str) -> list[int]:
    """The appointments the history links in ``text`` name."""
    tokens = re.findall(r"/history/([^/\s\"]+)/", text)
    return [signing.loads(token, salt=links.HOME_HISTORY)["o"] for token in tokens]


def _confirmation(appointment) -> PatientMessage:
    return PatientMessage.objects.get(appointment=appointment, kind=K.CONFIRMATION)


def test_a_consultation_s_confirmation_carries_the_link_in_text_and_html(place):
    appointment = book(place)

    rendered = render(_confirmation(appointment), now=BOOKED_AT)

    assert SENTENCE in rendered.text
    assert _linked(rendered.text) == [appointment.pk]
    assert SENTENCE in rendered.html
    assert _linked(rendered.html) == [appointment.pk]
    assert "about 5 minutes" in rendered.text


def test_the_link_opens_the_questionnaire(place, client):
    appointment = book(place)
    url = _history_link(appointment)

    with time_machine.travel(BOOKED_AT, tick=False):
        response = client.get(urlsplit(url).path)

    assert response.status_code == 200


def test_a_treatment_s_confirmation_carries_no_history_link(place):
    treatment = AppointmentType.objects.create(
        name="Microneedling", kind="treatment", duration_minutes=60
    )
    appointment = book(place, appointment_type=treatment)

    rendered = render(_confirmation(appointment), now=BOOKED_AT)

    assert SENTENCE not in rendered.text
    assert "/history/" not in rendered.html


def test_no_link_once_the_history_is_received(place):
    appointment = book(place)
    Appointment.objects.filter(pk=appointment.pk).update(history_received_at=BOOKED_AT)

    rendered = render(_confirmation(appointment), now=BOOKED_AT)

    assert SENTENCE not in rendered.text
    assert "/history/" not in rendered.text


def test_no_link_for_a_consultation_that_has_passed(place):
    appointment = book(place)

    rendered = render(_confirmation(appointment), now=START + timedelta(hours=1))

    assert "/history/" not in rendered.text


def test_a_staff_preview_carries_no_working_link(place):
    appointment = book(place)

    rendered = render(_confirmation(appointment), now=BOOKED_AT, preview=True)

    assert SENTENCE in rendered.text
    assert PREVIEW_LINK in rendered.text
    assert "/history/" not in rendered.text
    assert "/history/" not in rendered.html


def test_the_new_time_email_and_the_reminder_carry_the_link_too(place):
    appointment = book(place)
    with time_machine.travel(BOOKED_AT + timedelta(hours=1), tick=False):
        moved = booking.appointment_move(
            appointment=appointment, start=START + timedelta(days=1), by=place["desk"]
        )
    for kind in (K.RESCHEDULED, K.REMINDER):
        pending = PatientMessage.objects.filter(appointment=moved, kind=kind, status=St.PENDING)
        rendered = render(pending.earliest("pk"), now=BOOKED_AT + timedelta(hours=2))
        assert _linked(rendered.text) == [moved.pk], kind


def test_booking_a_consultation_queues_the_history_reminder_48_hours_before(place):
    appointment = book(place)

    reminder = PatientMessage.objects.get(appointment=appointment, kind=K.HISTORY_REMINDER)

    assert reminder.due_at == START - timedelta(hours=48)
    assert reminder.status == St.PENDING


def test_no_history_reminder_for_a_treatment_or_when_less_than_48_hours_remain(place):
    treatment = AppointmentType.objects.create(
        name="Microneedling", kind="treatment", duration_minutes=60
    )
    book(place, appointment_type=treatment)
    book(place, start=BOOKED_AT + timedelta(hours=30))

    assert not PatientMessage.objects.filter(kind=K.HISTORY_REMINDER).exists()


def test_the_history_reminder_moves_with_the_appointment(place):
    appointment = book(place)
    new_start = START + timedelta(days=2)
    with time_machine.travel(BOOKED_AT + timedelta(hours=1), tick=False):
        booking.appointment_move(appointment=appointment, start=new_start, by=place["desk"])

    reminders = PatientMessage.objects.filter(kind=K.HISTORY_REMINDER).order_by("pk")

    assert [(r.status, r.due_at) for r in reminders] == [
        (St.CANCELLED, START - timedelta(hours=48)),
        (St.PENDING, new_start - timedelta(hours=48)),
    ]


def test_the_history_reminder_is_cancelled_with_the_appointment(place):
    appointment = book(place)
    with time_machine.travel(BOOKED_AT + timedelta(hours=1), tick=False):
        booking.appointment_cancel(
            appointment=appointment, reason="Unwell", by=place["desk"], now=timezone.now()
        )

    assert PatientMessage.objects.get(kind=K.HISTORY_REMINDER).status == St.CANCELLED


def test_the_history_reminder_goes_when_nothing_was_sent(place):
    appointment = book(place)
    due = START - timedelta(hours=48)
    with time_machine.travel(due, tick=False):
        messages_dispatch()

    reminder = PatientMessage.objects.get(kind=K.HISTORY_REMINDER)
    assert reminder.status == St.SENT
    email = next(m for m in mail.outbox if "tell us about your health" in m.subject.lower())
    assert _linked(str(email.body)) == [appointment.pk]


def test_the_history_reminder_is_skipped_with_the_reason_once_the_history_is_in(place):
    appointment = book(place)
    Appointment.objects.filter(pk=appointment.pk).update(history_received_at=BOOKED_AT)
    with time_machine.travel(START - timedelta(hours=48), tick=False):
        messages_dispatch()

    reminder = PatientMessage.objects.get(kind=K.HISTORY_REMINDER)
    assert reminder.status == St.SKIPPED
    assert reminder.skip_reason == HISTORY_SENT
