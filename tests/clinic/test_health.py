"""/healthz: database, broker and beat freshness as JSON, 200 when all are well, 503 if not."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic import health
from clinic.models import BeatHeartbeat
from clinic.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


def test_the_heartbeat_task_records_when_it_ran():
    beat_heartbeat()

    beat = BeatHeartbeat.objects.get()
    assert timezone.now() - beat.last_beat_at < timedelta(seconds=5)


def test_the_heartbeat_is_on_beats_schedule_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]

    assert entry["task"] == beat_heartbeat.name
    assert entry["schedule"] == 60.0


def test_healthy_when_database_broker_and_beat_are_well(client):
    beat_heartbeat()

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "beat": True,
    }


def test_unhealthy_before_beat_has_ever_run(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "detail": "no heartbeat yet"}


def test_unhealthy_when_beats_heartbeat_is_stale(client):
    BeatHeartbeat.objects.create(
        last_beat_at=timezone.now() - settings.BEAT_STALE_AFTER - timedelta(seconds=30)
    )

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["ok"] is False


def test_unhealthy_when_the_broker_cannot_be_reached(client, settings):
    beat_heartbeat()
    # Nothing listens on port 9 of the loopback address.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "detail": "unreachable"}
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.fixture
def silent_broker(settings):
    """A broker address that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    listener = threading.Thread(target=accept, daemon=True)
    listener.start()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    yield accepted
    # The probe's own attempt ends on its socket timeout; wait for it so that it cannot
    # answer for the next test.
    if health._attempt is not None:
        health._attempt.join(10)
    stop.set()
    listener.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_broker_that_never_answers_is_reported_within_3_seconds(client, silent_broker):
    beat_heartbeat()

    started = time.monotonic()
    response = client.get(reverse("healthz"))
    waited = time.monotonic() - started

    assert waited < 3
    assert silent_broker, "the probe reached the silent broker"
    assert response.status_code == 503
    # "unreachable" if the attempt's own socket timeout ends it first on a slow machine
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["broker"]["detail"] in {"not answering", "unreachable"}


def _waiting_attempts() -> int:
    return sum(t.name == "healthz-broker" for t in threading.enumerate())


def test_probes_while_the_broker_is_silent_each_answer_and_never_pile_up(client, silent_broker):
    beat_heartbeat()

    for _ in range(4):
        started = time.monotonic()
        assert client.get(reverse("healthz")).status_code == 503
        assert time.monotonic() - started < 3
        assert _waiting_attempts() <= 1

    assert health._attempt is not None
    health._attempt.join(10)
    assert not health._attempt.is_alive(), "the waiting attempt ends on its socket timeout"


def test_healthz_needs_no_sign_in_and_says_only_ok_or_not(client):
    beat_heartbeat()

    body = client.get(reverse("healthz")).json()

    # Nothing about which database or broker runs behind the app.
    assert body["checks"]["database"] == {"ok": True, "detail": "ok"}
    assert body["checks"]["broker"] == {"ok": True, "detail": "ok"}
    assert set(body) == {"status", "checks"}


def test_healthz_answers_only_get(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_beat_records_a_heartbeat_as_soon_as_it_starts():
    from celery.signals import beat_init

    beat_init.send(sender=None)

    assert BeatHeartbeat.objects.exists()
