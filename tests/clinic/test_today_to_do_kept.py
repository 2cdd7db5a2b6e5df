"""The front desk's to-do list is kept in the shared cache as drawn, and every write it
shows lists it afresh at the next visit (clinic/today.py).

The cache is only used when it is shared (SHARED_CACHE); these tests switch it on over the
test's own memory cache, which is what every web process would share. The generation
moves on once a write commits: the writes run inside django_capture_on_commit_callbacks.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import cancel_requests_close, recover_abandoned
from clinic.scheduling.models import AppointmentType, Closure, Leave
from clinic.scheduling.services import appointment_book, appointment_cancel
from clinic.today import TODO_KEPT_SECONDS
from tests.factories import make_patient

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)  # Monday, 15:00 in London
TUESDAY = NOW.date() + timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _book(bath, *, first_name="Ada", hour=10):
    kind, _ = AppointmentType.objects.get_or_create(
        name="Consultation", defaults={"kind": "consultation", "duration_minutes": 30}
    )
    return appointment_book(
        patient=make_patient(first_name=first_name, last_name="Lovelace"),
        practitioner=bath["practitioners"][0], room=bath["rooms"][0], appointment_type=kind,
        by=bath["desk"], start=datetime.combine(TUESDAY, time(hour), tzinfo=LONDON),
    )  # fmt: skip


def _to_do(client) -> str:
    html = client.get(reverse("today")).content.decode()
    return html[html.index('data-testid="to-do"') :]


def _failed(patient, **fields) -> PatientMessage:
    return PatientMessage.objects.create(
        key=f"failed-{PatientMessage.objects.count()}", patient=patient,
        kind=PatientMessage.Kind.REMINDER, time_zone="Europe/London", due_at=NOW, **fields,
    )  # fmt: skip


def test_the_list_is_kept_between_visits_and_the_arrivals_are_not(
    shared_cache, front_desk_client, bath, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _failed(make_patient(first_name="Cy"), status=PatientMessage.Status.FAILED)
    first = _to_do(front_desk_client)
    with CaptureQueriesContext(connection) as again:
        second = _to_do(front_desk_client)

    assert second == first
    assert "Not sent" in second
    read = " ".join(query["sql"] for query in again.captured_queries)
    assert "scheduling_appointment" in read  # the arrivals, afresh
    for table in ("messaging_patientmessage", "scheduling_closure", "treatments_treatmentsession"):
        assert table not in read


def _close_the_day(bath, appointment):
    Closure.objects.create(location=bath["location"], first_day=TUESDAY, last_day=TUESDAY)


def _leave(bath, appointment):
    Leave.objects.create(
        practitioner=bath["practitioners"][0], reason="Course",
        starts_at=datetime.combine(TUESDAY, time(9), tzinfo=LONDON),
        ends_at=datetime.combine(TUESDAY, time(12), tzinfo=LONDON),
    )  # fmt: skip


def _rename(bath, appointment):
    appointment.patient.first_name = "Augusta"
    appointment.patient.save()


def _give_up_a_message_in_a_worker(bath, appointment):
    # A worker died while sending it, at its last try: recover_abandoned gives it up with
    # one UPDATE, which sends no signal.
    assert recover_abandoned(now=NOW) == 1


def _nothing(appointment):
    pass


def _a_failed_message(appointment):
    _failed(appointment.patient, status=PatientMessage.Status.FAILED)


def _a_message_being_sent(appointment):
    _failed(appointment.patient, status=PatientMessage.Status.SENDING, attempts=99,
            claimed_at=NOW - timedelta(hours=2))  # fmt: skip


@pytest.mark.parametrize(
    ("before", "write", "shown"),
    [
        (_nothing, _close_the_day, "the clinic is closed"),
        (_nothing, _leave, "is on leave"),
        (_a_failed_message, _rename, "Augusta Lovelace"),
        (_a_message_being_sent, _give_up_a_message_in_a_worker, "Not sent"),
    ],
)
def test_a_write_it_shows_lists_it_afresh(
    shared_cache, front_desk_client, bath, clock, django_capture_on_commit_callbacks,
    before, write, shown,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        appointment = _book(bath)
        before(appointment)
    assert shown not in _to_do(front_desk_client)  # kept now

    with django_capture_on_commit_callbacks(execute=True):
        write(bath, appointment)

    assert shown in _to_do(front_desk_client)


def test_a_clash_dealt_with_and_a_cancel_request_closed_leave_the_list(
    shared_cache, front_desk_client, bath, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moved_away = _book(bath, first_name="Bea")
        asked = _book(bath, first_name="Cy", hour=14)
        _close_the_day(bath, moved_away)
        _failed(asked.patient, appointment=asked, cancel_request_open=True, sent_at=NOW,
                status=PatientMessage.Status.SENT)  # fmt: skip
    listed = _to_do(front_desk_client)
    assert "Needs moving" in listed
    assert "Asked to cancel" in listed

    with django_capture_on_commit_callbacks(execute=True):
        cancel_requests_close(appointment=asked)  # one UPDATE, no signal
    assert "Asked to cancel" not in _to_do(front_desk_client)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=moved_away, reason="Closed", by=bath["desk"], now=NOW)
    assert "Bea Lovelace" not in _to_do(front_desk_client)


def test_a_change_nothing_announced_lasts_only_as_long_as_the_entry(
    shared_cache, front_desk_client, bath, clock
):
    patient = make_patient(first_name="Dot")
    assert "Not sent" not in _to_do(front_desk_client)
    _failed(patient, status=PatientMessage.Status.PENDING)
    PatientMessage.objects.filter(patient=patient).update(status=PatientMessage.Status.FAILED)

    assert "Not sent" not in _to_do(front_desk_client)  # still the kept list
    clock.shift(timedelta(seconds=TODO_KEPT_SECONDS + 1))
    assert "Not sent" in _to_do(front_desk_client)


def test_without_a_shared_cache_the_list_is_read_every_visit(
    front_desk_client, bath, clock, settings
):
    settings.SHARED_CACHE = False
    assert "Not sent" not in _to_do(front_desk_client)
    _failed(make_patient(first_name="Eve"), status=PatientMessage.Status.PENDING)
    PatientMessage.objects.update(status=PatientMessage.Status.FAILED)
    assert "Not sent" in _to_do(front_desk_client)
