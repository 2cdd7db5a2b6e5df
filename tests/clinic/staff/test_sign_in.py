"""Signing in and out, a clear message on a wrong password, and throttling with a cool-off."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_right_password_signs_in_and_lands_on_today(front_desk):
    client = Client()

    response = _sign_in(client, "desk", TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("today")
    assert client.get(reverse("today")).status_code == 200


def test_a_wrong_password_says_so_plainly(front_desk):
    response = _sign_in(Client(), "desk", "not the password")

    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_switched_off_account_cannot_sign_in(front_desk):
    front_desk.is_active = False
    front_desk.save(update_fields=["is_active"])

    response = _sign_in(Client(), "desk", TEST_PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_repeated_wrong_passwords_lock_out_even_the_right_one(front_desk):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "desk", "guess")

    response = _sign_in(client, "desk", TEST_PASSWORD)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_try_fewer_than_the_limit_still_lets_the_right_password_in(front_desk):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "desk", "guess")

    assert _sign_in(client, "desk", TEST_PASSWORD).status_code == 302


def test_the_lock_lifts_by_itself_after_the_cool_off(front_desk):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, "desk", "guess")
        assert _sign_in(client, "desk", TEST_PASSWORD).status_code == 429

    later = start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert _sign_in(client, "desk", TEST_PASSWORD).status_code == 302


def test_a_lock_on_one_user_name_does_not_lock_out_a_colleague(front_desk, practitioner):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "desk", "guess")

    assert _sign_in(client, "prac", TEST_PASSWORD).status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(front_desk_client):
    assert front_desk_client.get(reverse("logout")).status_code == 405

    response = front_desk_client.post(reverse("logout"))

    assert response.status_code == 302
    assert front_desk_client.get(reverse("today")).status_code == 302


def test_a_signed_in_user_visiting_the_login_page_goes_to_today(front_desk_client):
    response = front_desk_client.get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("today")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "desk"},
        {"password": TEST_PASSWORD},
        {"username": "x" * 1000, "password": "y"},
        {"username": "de\x00sk", "password": TEST_PASSWORD},
        {"username": "desk", "password": "p\x00w"},
        {"username": "' OR 1=1 --", "password": "' OR 1=1 --"},
    ],
)
def test_malformed_sign_in_attempts_get_the_form_back_not_an_error(front_desk, data):
    response = Client().post(reverse("login"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in response.wsgi_request.session


def test_audit_filters_with_a_nul_byte_are_refused_cleanly(manager_client):
    response = manager_client.get(reverse("audit_log"), {"actor": "bo\x00ss"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_attempts_during_the_lock_do_not_extend_it(front_desk):
    """Someone behind the clinic's shared address trying a colleague's name every few
    minutes must not keep them locked out: the pause ends when it began plus the cool-off."""
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, "desk", "guess")
    for minutes in (5, 10, 14):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert _sign_in(client, "desk", "guess").status_code == 429

    later = start + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert _sign_in(client, "desk", TEST_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("url_name", "message"),
    [("login", "at most 150 characters"), ("admin:login", "the administration uses the clinic")],
)
def test_a_user_name_longer_than_the_record_allows_is_refused_with_a_message(url_name, message):
    """Over 255 characters once reached django-axes' failed-attempt record (a DataError, a
    500, on PostgreSQL)."""
    from axes.models import AccessAttempt

    client = Client()
    response = client.post(
        reverse(url_name), {"username": "x" * 300, "password": "guess"}, follow=True
    )

    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("login")
    assert message in response.content.decode()
    assert not AccessAttempt.objects.exists()
