"""The outbox: messages written with the booking, stale ones stopped, each sent once at
its local time across daylight-saving changes, retried with backoff, then failed."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.services import (
    messages_dispatch,
    recover_abandoned,
    retry_delay,
)
from clinic.scheduling import services as booking

K = PatientMessage.Kind
St = PatientMessage.Status


def book(place, start):
    return booking.appointment_book(
        patient=place["patient"], practitioner=place["practitioner"], room=place["room"],
        appointment_type=place["type"], start=start, by=place["desk"],
    )  # fmt: skip


def dispatch_at(moment):
    with time_machine.travel(moment, tick=False):
        return messages_dispatch()


def walk(start, end, step=timedelta(minutes=15)):
    """Run dispatch every ``step`` from ``start`` to ``end``; who got what, and when."""
    sent = []
    moment = start
    while moment <= end:
        before = len(mail.outbox)
        dispatch_at(moment)
        sent += [(moment, email) for email in mail.outbox[before:]]
        moment += step
    return sent


def test_a_booking_writes_its_confirmation_and_reminders_in_the_same_transaction(place):
    start = datetime(2026, 6, 10, 9, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        appointment = book(place, start)
    kinds = sorted(
        PatientMessage.objects.filter(appointment=appointment).values_list("kind", "about")
    )
    assert kinds == [
        (K.CONFIRMATION, ""),
        (K.REMINDER, "48 hours before"),
        (K.REMINDER, "the day before at 18:00"),
    ]


def test_a_booking_rolled_back_leaves_no_message(place):
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False), transaction.atomic():
        book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
        transaction.set_rollback(True)
    assert not PatientMessage.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "start", "booked_at", "expected"),
    [
        # London, Monday after the spring change: 48 h before is 09:00 GMT on Saturday;
        # the day before at 18:00 is 18:00 BST on the change day.
        (
            "place",
            datetime(2026, 3, 30, 9, tzinfo=UTC),
            datetime(2026, 3, 20, 12, tzinfo=UTC),
            [datetime(2026, 3, 28, 9, tzinfo=UTC), datetime(2026, 3, 29, 17, tzinfo=UTC)],
        ),
        # London, Monday after the autumn change: 11:00 BST Saturday; 18:00 GMT Sunday.
        (
            "place",
            datetime(2026, 10, 26, 10, tzinfo=UTC),
            datetime(2026, 10, 16, 12, tzinfo=UTC),
            [datetime(2026, 10, 24, 10, tzinfo=UTC), datetime(2026, 10, 25, 18, tzinfo=UTC)],
        ),
        # New York, Monday after its spring change (8 March 2026): 10:00 EDT.
        (
            "new_york",
            datetime(2026, 3, 9, 14, tzinfo=UTC),
            datetime(2026, 3, 1, 15, tzinfo=UTC),
            [datetime(2026, 3, 7, 14, tzinfo=UTC), datetime(2026, 3, 8, 22, tzinfo=UTC)],
        ),
    ],
)
def test_each_reminder_goes_once_at_its_local_time_across_a_clock_change(
    request, fixture, start, booked_at, expected
):
    place = request.getfixturevalue(fixture)
    with time_machine.travel(booked_at, tick=False):
        appointment = book(place, start)

    sent = walk(booked_at, start + timedelta(hours=2))

    reminders = [(moment, email) for moment, email in sent if "Reminder" in email.subject]
    assert [moment for moment, _ in reminders] == expected
    assert len([e for _, e in sent if "is booked" in e.body]) == 1
    local = start.astimezone(appointment.location.zone)
    for _, email in reminders:
        assert f"{local:%H:%M} {local:%Z} ({appointment.location.time_zone})" in email.body
    assert PatientMessage.objects.filter(status=St.SENT).count() == 3


def test_a_move_stops_the_old_reminders_and_the_new_ones_show_the_new_time(place):
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        appointment = book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    dispatch_at(booked_at)  # the confirmation goes
    with time_machine.travel(booked_at + timedelta(hours=1), tick=False):
        booking.appointment_move(
            appointment=appointment, start=datetime(2026, 6, 12, 13, tzinfo=UTC), by=place["desk"]
        )

    sent = walk(booked_at + timedelta(hours=1), datetime(2026, 6, 12, 14, tzinfo=UTC))

    subjects = [email.subject for _, email in sent]
    assert subjects == [
        "Your appointment has moved to Friday 12 June 2026 · Microneedling Clinic",
        "Reminder: your appointment on Friday 12 June 2026 · Microneedling Clinic",
        "Reminder: your appointment on Friday 12 June 2026 · Microneedling Clinic",
    ]
    for _, email in sent:
        assert "14:00 BST (Europe/London)" in email.body
        assert "10:00" not in email.body
    old = PatientMessage.objects.filter(appointment_version=1, kind=K.REMINDER)
    assert set(old.values_list("status", flat=True)) == {St.CANCELLED}
    assert sent[0][1].attachments[0][0] == "appointment.ics"


def test_a_cancel_sends_the_notice_and_no_reminder(place):
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        appointment = book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
        booking.appointment_cancel(
            appointment=appointment, reason="Unwell", by=place["desk"], now=timezone.now()
        )

    sent = walk(booked_at, datetime(2026, 6, 10, 10, tzinfo=UTC), step=timedelta(hours=1))

    assert [email.subject for _, email in sent] == [
        "Your appointment on Wednesday 10 June 2026 is cancelled · Microneedling Clinic",
    ]
    calendar = sent[0][1].attachments[0]
    assert "METHOD:CANCEL" in calendar[1]
    assert "STATUS:CANCELLED" in calendar[1]
    # The confirmation was still due in the same minute: it is stopped, not sent.
    assert PatientMessage.objects.get(kind=K.CONFIRMATION).status == St.CANCELLED


def test_quiet_hours_hold_a_late_evening_confirmation_until_eight(place):
    evening = datetime(2026, 6, 1, 21, 30, tzinfo=UTC)  # 22:30 BST
    with time_machine.travel(evening, tick=False):
        book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    confirmation = PatientMessage.objects.get(kind=K.CONFIRMATION)
    assert confirmation.due_at == datetime(2026, 6, 2, 7, tzinfo=UTC)  # 08:00 BST

    dispatch_at(evening + timedelta(hours=2))
    assert mail.outbox == []
    dispatch_at(datetime(2026, 6, 2, 7, tzinfo=UTC))
    assert len(mail.outbox) == 1


def test_a_patient_without_email_consent_is_skipped_with_the_reason(place):
    place["patient"].consents_to_transactional_email = False
    place["patient"].save()
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))

    report = dispatch_at(booked_at)

    assert report.skipped == 1
    assert mail.outbox == []
    skipped = PatientMessage.objects.get(kind=K.CONFIRMATION)
    assert skipped.status == St.SKIPPED
    assert skipped.skip_reason == "The patient has not agreed to appointment and care emails."


def test_the_clinic_chooses_its_reminder_times(place):
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"reminder_hours_before": 24, "day_before_reminder_at": None}
    )
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        appointment = book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    reminders = PatientMessage.objects.filter(appointment=appointment, kind=K.REMINDER)
    assert list(reminders.values_list("due_at", flat=True)) == [datetime(2026, 6, 9, 9, tzinfo=UTC)]


def test_a_reminder_whose_time_has_passed_at_booking_is_not_written(place):
    with time_machine.travel(datetime(2026, 6, 9, 12, tzinfo=UTC), tick=False):
        appointment = book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    reminders = PatientMessage.objects.filter(appointment=appointment, kind=K.REMINDER)
    assert list(reminders.values_list("about", flat=True)) == ["the day before at 18:00"]


@pytest.mark.parametrize("attempts", [1, 2, 3, 6, 12])
def test_retries_back_off_exponentially_with_jitter(settings, attempts):
    settings.MESSAGE_RETRY_BASE = timedelta(seconds=60)
    step = min(3600, 60 * 2 ** (attempts - 1))
    delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
    assert all(step / 2 <= d <= step for d in delays)
    assert len(delays) > 1  # jittered


def test_a_refusing_mail_server_is_retried_then_shown_as_failed(place, settings):
    settings.EMAIL_BACKEND = "tests.clinic.messaging.backends.RefusingBackend"
    settings.MESSAGE_MAX_ATTEMPTS = 3
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    confirmation = PatientMessage.objects.get(kind=K.CONFIRMATION)

    report = dispatch_at(booked_at)
    confirmation.refresh_from_db()
    assert report.retried == 1
    assert confirmation.status == St.PENDING
    assert confirmation.attempts == 1
    assert (
        booked_at + timedelta(seconds=30)
        <= confirmation.due_at
        <= booked_at + timedelta(seconds=60)
    )
    assert "SMTPServerDisconnected" in confirmation.last_error

    dispatch_at(confirmation.due_at)
    confirmation.refresh_from_db()
    dispatch_at(confirmation.due_at)
    confirmation.refresh_from_db()
    assert confirmation.status == St.FAILED
    assert confirmation.attempts == 3


def test_two_dispatchers_never_send_the_same_message(place):
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    first = dispatch_at(booked_at)
    second = dispatch_at(booked_at)
    assert (first.sent, second.sent) == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@localhost>")


def test_a_message_a_dead_worker_left_sending_is_due_again(place, settings):
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
    PatientMessage.objects.filter(kind=K.CONFIRMATION).update(
        status=St.SENDING, claimed_at=booked_at, attempts=1
    )
    assert recover_abandoned(now=booked_at + timedelta(minutes=1)) == 0

    report = dispatch_at(booked_at + settings.MESSAGE_CLAIM_TIMEOUT + timedelta(seconds=1))

    assert report.recovered == 1
    assert report.sent == 1
    assert PatientMessage.objects.get(kind=K.CONFIRMATION).attempts == 2
