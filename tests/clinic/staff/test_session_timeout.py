"""Idle sign-out (30 minutes by default) and the absolute session lifetime (12 hours)."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(front_desk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client()
        client.post(reverse("login"), {"username": "desk", "password": TEST_PASSWORD})
    return client, start


def _get_at(client: Client, moment, **headers):
    with time_machine.travel(moment, tick=False):
        return client.get(reverse("today"), headers=headers)


def test_the_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert timedelta(minutes=30) == settings.SESSION_IDLE_TIMEOUT
    assert timedelta(hours=12) == settings.SESSION_ABSOLUTE_LIFETIME


def test_activity_within_the_idle_limit_keeps_the_session(signed_in):
    client, start = signed_in
    idle = settings.SESSION_IDLE_TIMEOUT

    # Three visits, each just inside the idle limit of the one before.
    for step in range(1, 4):
        assert _get_at(client, start + step * (idle - timedelta(minutes=1))).status_code == 200


def test_a_pause_longer_than_the_idle_limit_signs_out_with_a_reason(signed_in):
    client, start = signed_in

    response = _get_at(client, start + settings.SESSION_IDLE_TIMEOUT + timedelta(minutes=2))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    assert _get_at(client, start + timedelta(hours=1)).status_code == 302


def test_the_session_ends_after_its_absolute_lifetime_even_when_busy(signed_in):
    client, start = signed_in
    lifetime = settings.SESSION_ABSOLUTE_LIFETIME
    moment = start
    while moment + timedelta(minutes=20) < start + lifetime:
        moment += timedelta(minutes=20)
        assert _get_at(client, moment).status_code == 200

    response = _get_at(client, start + lifetime + timedelta(minutes=1))

    assert response.status_code == 302
    assert "sessions end after 12 hours" in client.get(response["Location"]).content.decode()


def test_an_htmx_request_after_timeout_redirects_the_whole_page(signed_in):
    client, start = signed_in

    response = _get_at(client, start + timedelta(hours=1), HX_Request="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")


def test_the_idle_limit_is_configurable(front_desk):
    # Read from SESSION_IDLE_MINUTES at start-up; here the setting is changed directly.
    from django.test import override_settings

    with override_settings(SESSION_IDLE_TIMEOUT=timedelta(minutes=5)):
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            client = Client()
            client.post(reverse("login"), {"username": "desk", "password": TEST_PASSWORD})
        assert _get_at(client, start + timedelta(minutes=4)).status_code == 200
        assert _get_at(client, start + timedelta(minutes=10)).status_code == 302


def test_stay_signed_in_counts_as_activity(signed_in):
    client, start = signed_in
    idle = settings.SESSION_IDLE_TIMEOUT

    with time_machine.travel(start + idle - timedelta(minutes=2), tick=False):
        assert client.post(reverse("keepalive")).status_code == 204

    assert _get_at(client, start + 2 * idle - timedelta(minutes=5)).status_code == 200


def test_stay_signed_in_is_too_late_once_the_session_has_ended(signed_in):
    client, start = signed_in

    with time_machine.travel(start + timedelta(hours=1), tick=False):
        response = client.post(reverse("keepalive"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_stay_signed_in_accepts_only_post(front_desk_client):
    assert front_desk_client.get(reverse("keepalive")).status_code == 405


def test_stay_signed_in_needs_a_session(client):
    response = client.post(reverse("keepalive"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
