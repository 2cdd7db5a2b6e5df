"""A reminder due while the patient is checked in waits: it goes if the check-in is
undone before the start, and is skipped, with its reason, once the appointment starts."""

from datetime import UTC, datetime

import time_machine
from django.core import mail

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling import services as booking

K = PatientMessage.Kind
St = PatientMessage.Status
START = datetime(2026, 6, 10, 16, tzinfo=UTC)


def _checked_in_with_a_reminder_due(place):
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"reminder_hours_before": 2, "day_before_reminder_at": None}
    )
    with time_machine.travel(datetime(2026, 6, 10, 9, tzinfo=UTC), tick=False):
        appointment = booking.appointment_book(
            patient=place["patient"], practitioner=place["practitioner"], room=place["room"],
            appointment_type=place["type"], start=START, by=place["desk"],
        )  # fmt: skip
        messages_dispatch()  # the confirmation goes
    appointment = booking.appointment_check_in(
        appointment=appointment, now=datetime(2026, 6, 10, 13, tzinfo=UTC)
    )
    return appointment, PatientMessage.objects.get(appointment=appointment, kind=K.REMINDER)


def _dispatch_at(moment):
    with time_machine.travel(moment, tick=False):
        return messages_dispatch()


def test_a_reminder_waits_while_checked_in_and_goes_after_an_undo(place):
    appointment, reminder = _checked_in_with_a_reminder_due(place)
    sent_before = len(mail.outbox)

    _dispatch_at(datetime(2026, 6, 10, 14, tzinfo=UTC))
    reminder.refresh_from_db()
    assert reminder.status == St.PENDING
    assert len(mail.outbox) == sent_before

    booking.appointment_check_in_undo(
        appointment=appointment, now=datetime(2026, 6, 10, 14, 2, tzinfo=UTC)
    )
    _dispatch_at(datetime(2026, 6, 10, 14, 10, tzinfo=UTC))

    reminder.refresh_from_db()
    assert reminder.status == St.SENT
    assert len(mail.outbox) == sent_before + 1


def test_a_reminder_held_by_a_check_in_is_skipped_with_a_reason_once_it_starts(place):
    _, reminder = _checked_in_with_a_reminder_due(place)

    _dispatch_at(datetime(2026, 6, 10, 14, tzinfo=UTC))
    _dispatch_at(datetime(2026, 6, 10, 16, 5, tzinfo=UTC))

    reminder.refresh_from_db()
    assert reminder.status in (St.SKIPPED, St.CANCELLED)
    assert reminder.skip_reason
