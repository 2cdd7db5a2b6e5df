"""/healthz: database, broker and beat freshness as JSON, 200 when all are well, 503 if not."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

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
