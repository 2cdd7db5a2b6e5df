"""End to end: real Celery worker and beat processes on Redis send 200 due messages to a
real SMTP server, and each arrives exactly once: in the plain case, when dispatch runs
twice at once, when a worker is killed in the middle of a send, and when the mail server
is down for a while.

Only on PostgreSQL and Redis, the production pair: the worker and beat are separate
processes, and they must reach the test's own database and broker (the SQLite test
database lives in this process's memory; the filesystem broker is for one machine's demo).
"""

import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import time as wall_clock
from datetime import timedelta
from itertools import islice
from typing import TypeVar
from urllib.parse import quote, urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from clinic.messaging.content import message_id
from clinic.messaging.models import PatientMessage
from clinic.messaging.selectors import message_settings
from clinic.messaging.services import message_settings_save
from clinic.messaging.tasks import dispatch_due_messages
from clinic.messaging.timing import wall_time
from clinic.scheduling.models import AppointmentType, Location, OpeningHours, Room, WorkingHours
from clinic.scheduling.services import appointment_book
from tests.clinic.messaging.celery_processes import CeleryProcesses
from tests.clinic.messaging.smtp_sink import PORT, SmtpSink
from tests.factories import make_patient, make_practitioner, make_staff

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="real Celery processes share the test database: needs PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")),
        reason="real Celery processes share the broker: needs Redis (CELERY_BROKER_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

St = PatientMessage.Status
T = TypeVar("T")

MESSAGES = 200
# The worker's clocks, shortened so that a retry or a dead worker's claim comes round in
# seconds, not minutes. The SMTP timeout stays under half the claim, as the system check
# demands; the attempts are many, so that a mail server that is down is waited for.
FAST_CLOCKS = {
    "MESSAGE_DISPATCH_EVERY_SECONDS": "1",
    "MESSAGE_CLAIM_TIMEOUT_SECONDS": "8",
    "EMAIL_TIMEOUT_SECONDS": "3",
    "MESSAGE_RETRY_BASE_SECONDS": "1",
    "MESSAGE_MAX_ATTEMPTS": "50",
}
# Deadlines only matter when something is wrong; a passing run is far quicker.
DEADLINE = 90


def wait_for(condition: Callable[[], T], *, what: str, within: float = DEADLINE) -> T:
    """Poll until ``condition`` gives something true, or fail saying what never came."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {within:g} s for {what}; last seen: {value!r}")
        time.sleep(0.2)


def statuses() -> dict[str, int]:
    return dict(Counter(PatientMessage.objects.values_list("status", flat=True)))


def all_sent(sink: SmtpSink) -> bool:
    return statuses() == {St.SENT: MESSAGES} and len(sink.received) >= MESSAGES


def settle(processes: CeleryProcesses) -> None:
    """Let more dispatch runs finish than can run at once, so that at least one started
    after the last send: a late duplicate would have had its chance to arrive."""
    runs = processes.concurrency() + 1
    finished = processes.dispatch_runs_finished()
    wait_for(
        lambda: processes.dispatch_runs_finished() >= finished + runs,
        what=f"{runs} more dispatch runs to finish",
    )


def assert_each_arrived_once(sink: SmtpSink, outbox: dict[str, str]) -> None:
    assert sink.delivery_problems(set(outbox)) == []
    assert {item.message_id: item.recipients for item in sink.received} == {
        mid: (address,) for mid, address in outbox.items()
    }
    assert statuses() == {St.SENT: MESSAGES}


# --- Fixtures -----------------------------------------------------------------------------


def _book_one_each(count: int) -> None:
    """``count`` patients, each booked through the booking service (which writes the
    confirmation), on hourly slots from the day after tomorrow on."""
    location = Location.objects.create(name="Bath", time_zone="Europe/London")
    room = Room.objects.create(location=location, name="Room 1")
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=wall_clock(8), closes=wall_clock(19)
        )
        WorkingHours.objects.create(
            practitioner=practitioner, location=location, weekday=weekday,
            starts=wall_clock(8), ends=wall_clock(19),
        )  # fmt: skip
    # A review brings only its confirmation (a consultation would also bring the medical
    # history's reminder, due days later).
    review = AppointmentType.objects.create(name="Review", kind="review", duration_minutes=30)
    desk = make_staff()
    first_day = timezone.localdate(timezone.now(), location.zone) + timedelta(days=2)
    starts = (
        wall_time(first_day + timedelta(days=day), wall_clock(hour), location.zone)
        for day in range(count)
        for hour in range(8, 19)
    )
    for start in islice(starts, count):
        appointment_book(
            patient=make_patient(created_by=desk), practitioner=practitioner, room=room,
            appointment_type=review, start=start, by=desk,
        )  # fmt: skip


@pytest.fixture
def outbox(transactional_db) -> dict[str, str]:
    """200 confirmations due now, one per patient (consent and address set by the
    factory); each message's Message-ID with the address it goes to."""
    # The test runs at whatever hour the clock shows: no quiet hours, and no reminders
    # (they would be due days later and stay pending).
    message_settings_save(
        config=message_settings(), quiet_from=wall_clock(0), quiet_until=wall_clock(0),
        reminder_hours_before=0, day_before_reminder_at=None,
    )  # fmt: skip
    _book_one_each(MESSAGES)
    due = PatientMessage.objects.select_related("patient")
    assert due.count() == MESSAGES
    assert set(due.values_list("status", flat=True)) == {St.PENDING}
    assert not due.filter(due_at__gt=timezone.now()).exists()
    return {message_id(message): message.patient.email for message in due}


@pytest.fixture
def redis_broker():
    """The test's Redis database, empty before and after (no task left for the next run)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def sink():
    """The mail server the worker sends to; each test starts it when it wants it up."""
    server = SmtpSink(port=PORT)
    yield server
    server.stop()


def _test_database_url() -> str:
    """The environment's DATABASE_URL, pointed at pytest-django's test database."""
    test_database = connection.settings_dict["NAME"]
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{quote(test_database)}").geturl()


@pytest.fixture
def celery_processes(transactional_db, redis_broker, tmp_path):
    """Starts workers and beat on request, as production runs them (DEBUG off), pointed at
    the test database, the test's Redis and the sink; kills whatever is left at the end."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DEBUG": "false",
        "SECRET_KEY": "end-to-end-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "clinic.example.org",
        # The workers' audit entries join the test's chain.
        "AUDIT_CHAIN_KEY": settings.AUDIT_CHAIN_KEY,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{PORT}",
        "PYTHONUNBUFFERED": "1",
        **FAST_CLOCKS,
    }
    processes = CeleryProcesses(env=env, log_dir=tmp_path)
    yield processes
    processes.stop_all()


# --- The scenarios ------------------------------------------------------------------------


def test_a_worker_and_beat_send_each_due_message_once(outbox, sink, celery_processes):
    sink.start()
    celery_processes.beat()
    celery_processes.worker("worker", concurrency=2)

    wait_for(lambda: all_sent(sink), what="every message to be sent")
    settle(celery_processes)

    assert_each_arrived_once(sink, outbox)
    assert set(PatientMessage.objects.values_list("attempts", flat=True)) == {1}
    assert celery_processes.exited() == {}


def test_dispatch_delivered_twice_and_run_side_by_side_still_sends_each_once(
    outbox, sink, celery_processes
):
    # Each answer takes a moment, so that sends from different runs overlap.
    sink.answer_after = 0.02
    sink.start()
    # The same dispatch task delivered three times, and more besides, waiting before any
    # worker is up: the first runs start together.
    duplicate = str(uuid.uuid4())
    for _ in range(3):
        dispatch_due_messages.apply_async(task_id=duplicate)
    for _ in range(4):
        dispatch_due_messages.delay()
    celery_processes.worker("worker-a", concurrency=2)
    celery_processes.worker("worker-b", concurrency=2)
    celery_processes.beat()

    wait_for(lambda: all_sent(sink), what="every message to be sent")
    settle(celery_processes)

    assert_each_arrived_once(sink, outbox)
    # A claimed row is never claimed again, so no message took a second try.
    assert set(PatientMessage.objects.values_list("attempts", flat=True)) == {1}
    # The duplicate really was delivered more than once, and sends really overlapped.
    logs = celery_processes.log("worker-a") + celery_processes.log("worker-b")
    assert logs.count(f"dispatch_due_messages[{duplicate}] received") == 3
    assert sink.most_at_once >= 2
    assert celery_processes.exited() == {}


def test_a_worker_killed_mid_send_leaves_nothing_lost_and_nothing_twice(
    outbox, sink, celery_processes
):
    # The 51st message is held unanswered: its worker is waiting for the server's reply
    # to the message's data when it dies, so the server has not accepted that message.
    sink.hold_after(50)
    sink.start()
    celery_processes.beat()
    celery_processes.worker("first-worker", concurrency=1)
    wait_for(sink.held.is_set, what="the 51st message to reach the sink")

    assert celery_processes.kill("first-worker") == -9
    held = wait_for(lambda: sink.dropped, what="the sink to see the killed sender go")
    assert len(sink.received) == 50
    assert statuses() == {St.SENT: 50, St.SENDING: 1, St.PENDING: MESSAGES - 51}
    stranded = PatientMessage.objects.get(status=St.SENDING)
    assert [message_id(stranded)] == held
    first_claim = stranded.claimed_at
    assert first_claim is not None

    # The new worker sends the rest; the stranded row is due again once its claim runs
    # out (MESSAGE_CLAIM_TIMEOUT_SECONDS), and goes then, once.
    celery_processes.worker("second-worker", concurrency=1)
    wait_for(lambda: all_sent(sink), what="every message to be sent")
    settle(celery_processes)

    assert_each_arrived_once(sink, outbox)
    stranded.refresh_from_db()
    assert stranded.attempts == 2
    # Taken again only after its claim ran out, not sooner.
    assert stranded.claimed_at is not None
    assert stranded.claimed_at - first_claim >= timedelta(
        seconds=int(FAST_CLOCKS["MESSAGE_CLAIM_TIMEOUT_SECONDS"])
    )
    assert PatientMessage.objects.exclude(pk=stranded.pk).filter(attempts=1).count() == 199
    assert celery_processes.exited() == {}


def test_messages_wait_while_the_mail_server_is_down_and_all_go_once_it_is_back(
    outbox, sink, celery_processes
):
    celery_processes.beat()
    celery_processes.worker("worker", concurrency=2)

    # Down: every message is tried, refused, and put back to wait; none gives up.
    wait_for(
        lambda: not PatientMessage.objects.filter(attempts__lt=2).exists(),
        what="every message to be tried twice",
    )
    assert set(statuses()) <= {St.PENDING, St.SENDING}
    assert sink.received == []
    errors = set(PatientMessage.objects.values_list("last_error", flat=True))
    assert len(errors) == 1
    assert "Connection refused" in errors.pop()

    sink.start()
    wait_for(lambda: all_sent(sink), what="every message to be sent once the sink is back")
    settle(celery_processes)

    assert_each_arrived_once(sink, outbox)
    assert not PatientMessage.objects.filter(attempts__lt=2).exists()
    assert celery_processes.exited() == {}
