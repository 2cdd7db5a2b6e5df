"""The outbox: messages written with the booking, stale ones stopped, each sent once at
its local time across daylight-saving changes, retried with backoff, then failed; a
preparation never sent for an appointment that moved, was cancelled or began; many
messages scheduled or stopped at once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.services import (
    MessageToSchedule,
    message_schedule,
    messages_cancel_pending_by_key,
    messages_dispatch,
    messages_schedule_many,
    recover_abandoned,
    retry_delay,
)
from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment

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
        (K.HISTORY_REMINDER, "48 hours before"),  # a consultation's history not yet sent
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
@pytest.mark.django_db  # named here: the place comes through getfixturevalue, which the
# test ordering cannot see, and the test must run with the other database tests.
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
    # The confirmation, the two reminders and the medical-history reminder.
    assert PatientMessage.objects.filter(status=St.SENT).count() == 4


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
        "Please tell us about your health before your visit on Friday 12 June 2026 · "
        "Microneedling Clinic",
        "Reminder: your appointment on Friday 12 June 2026 · Microneedling Clinic",
    ]
    for _, email in sent:
        assert "14:00 BST (Europe/London)" in email.body
        assert "10:00" not in email.body
    old = PatientMessage.objects.filter(appointment_version=1, kind=K.REMINDER)
    assert set(old.values_list("status", flat=True)) == {St.CANCELLED}
    assert sent[0][1].attachments[0][0] == "appointment.ics"


def test_a_move_or_cancel_a_treatment_plan_made_still_tells_the_patient(place):
    """``by_plan`` keeps the plan from following its own change; the patient is told."""
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        appointment = book(place, datetime(2026, 6, 10, 9, tzinfo=UTC))
        moved = booking.appointment_move(
            appointment=appointment,
            start=datetime(2026, 6, 12, 13, tzinfo=UTC),
            by=place["desk"],
            by_plan=True,
        )
        booking.appointment_cancel(
            appointment=moved, reason="Plan cancelled", by=place["desk"],
            now=timezone.now(), by_plan=True,
        )  # fmt: skip

    kinds = PatientMessage.objects.filter(appointment=appointment).values_list("kind", flat=True)
    assert {K.RESCHEDULED, K.CANCELLATION} <= set(kinds)


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


# --- Preparation emails: the dispatcher's own checks ---------------------------------------


def _preparation(appointment, due):
    return message_schedule(
        patient=appointment.patient, appointment=appointment, kind=K.PREPARATION,
        key=f"test:preparation:{appointment.pk}:v{appointment.version}", due_at=due,
        time_zone=appointment.location.time_zone, payload={"steps": []},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("what", "status", "reason"),
    [
        ("moved", St.CANCELLED, "The appointment moved; a newer message replaces this one."),
        ("cancelled", St.CANCELLED, "The appointment is cancelled."),
        ("began", St.SKIPPED, "Too late: the appointment had started."),
    ],
)
def test_a_preparation_does_not_go_for_an_appointment_that_moved_was_cancelled_or_began(
    place, what, status, reason
):
    booked_at = datetime(2026, 6, 1, 9, tzinfo=UTC)
    start = datetime(2026, 6, 10, 9, tzinfo=UTC)
    with time_machine.travel(booked_at, tick=False):
        appointment = book(place, start)
        preparation = _preparation(appointment, datetime(2026, 6, 3, 9, tzinfo=UTC))
        dispatch_at(booked_at)  # the confirmation
    due = preparation.due_at
    if what == "moved":
        # The outbox stops a moved appointment's confirmation and reminders itself; a
        # preparation belongs to whoever scheduled it, and the dispatcher still checks.
        with time_machine.travel(booked_at, tick=False):
            booking.appointment_move(
                appointment=appointment, start=start + timedelta(days=1), by=place["desk"]
            )
        assert PatientMessage.objects.get(pk=preparation.pk).status == St.PENDING
    elif what == "cancelled":
        # Cancelled without the outbox hearing of it: the dispatcher still checks.
        Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    else:
        due = start + timedelta(minutes=1)
    before = len(mail.outbox)

    dispatch_at(due)

    assert [e.subject for e in mail.outbox[before:] if "Getting ready" in e.subject] == []
    preparation.refresh_from_db()
    assert (preparation.status, preparation.skip_reason) == (status, reason)


# --- Helpers for callers that schedule or stop many messages -------------------------------


def test_pending_messages_are_cancelled_by_key_prefix_and_only_those(place):
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=UTC), tick=False):
        now = timezone.now()
        for key in ("nudge:plan:1:a", "nudge:plan:1:b", "nudge:plan:12:a"):
            message_schedule(
                patient=place["patient"], kind=K.NEXT_SESSION, key=key, due_at=now,
                time_zone="Europe/London",
            )  # fmt: skip
    PatientMessage.objects.filter(key="nudge:plan:1:b").update(status=St.SENT, sent_at=now)

    assert messages_cancel_pending_by_key(prefix="nudge:plan:1:", reason="Booked.") == 1

    statuses = dict(PatientMessage.objects.values_list("key", "status"))
    assert statuses == {
        "nudge:plan:1:a": St.CANCELLED,
        "nudge:plan:1:b": St.SENT,
        "nudge:plan:12:a": St.PENDING,
    }
    with pytest.raises(ValueError, match="prefix"):
        messages_cancel_pending_by_key(prefix="", reason="Everything?")


def _to_schedule(place, key, due):
    return MessageToSchedule(
        patient=place["patient"], kind=K.NEXT_SESSION, key=key, due_at=due,
        time_zone="Europe/London", about=key, payload={"key": key},
    )  # fmt: skip


def test_many_messages_go_in_one_insert_leaving_keys_already_there(
    place, django_assert_num_queries
):
    noon = datetime(2026, 6, 1, 11, tzinfo=UTC)  # 12:00 BST
    evening = datetime(2026, 6, 1, 21, tzinfo=UTC)  # 22:00 BST: quiet hours
    message_schedule(
        patient=place["patient"], kind=K.NEXT_SESSION, key="there", due_at=noon,
        time_zone="Europe/London",
    )  # fmt: skip
    wanted = [
        _to_schedule(place, "there", noon),
        _to_schedule(place, "new", noon),
        _to_schedule(place, "late", evening),
        _to_schedule(place, "new", evening),  # the same key again is the same message
    ]

    # the keys already there, the settings, the insert inside its savepoint
    with django_assert_num_queries(5):
        made = messages_schedule_many(messages=wanted)

    assert [(m.key, m.due_at) for m in made] == [
        ("new", noon),
        ("late", datetime(2026, 6, 2, 7, tzinfo=UTC)),  # 08:00 BST
    ]
    assert all(m.pk for m in made)
    assert PatientMessage.objects.count() == 3
    assert messages_schedule_many(messages=wanted) == []


def test_a_key_written_meanwhile_by_another_worker_is_not_written_twice(place, monkeypatch):
    from clinic.messaging import services

    noon = datetime(2026, 6, 1, 11, tzinfo=UTC)
    real_settings = services.message_settings

    def another_worker_first():
        # Between reading the keys and inserting, someone else writes one of them.
        config = real_settings()
        message_schedule(
            patient=place["patient"], kind=K.NEXT_SESSION, key="raced", due_at=noon,
            time_zone="Europe/London", about="theirs", config=config,
        )  # fmt: skip
        return config

    monkeypatch.setattr(services, "message_settings", another_worker_first)

    made = messages_schedule_many(
        messages=[_to_schedule(place, "raced", noon), _to_schedule(place, "calm", noon)]
    )

    assert [(m.key, m.about) for m in made] == [("raced", "theirs"), ("calm", "calm")]
    assert PatientMessage.objects.count() == 2
