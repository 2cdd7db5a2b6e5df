"""The client address used by sign-in throttling and the audit log cannot be forged."""

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from clinic.staff.client_ip import client_ip
from clinic.staff.middleware import AuditlogMiddleware
from tests.factories import TEST_PASSWORD

FORGED = "203.0.113.66"


def _request(remote: str, forwarded: str | None = None):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


@override_settings(BEHIND_PROXY=False)
def test_without_a_proxy_a_forwarded_header_is_ignored():
    assert client_ip(_request("198.51.100.7", FORGED)) == "198.51.100.7"


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=1)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        # The client wrote the left entry itself; our proxy appended the right one.
        (f"{FORGED}, 198.51.100.7", "198.51.100.7"),
        (f"{FORGED},198.51.100.7", "198.51.100.7"),
        (None, "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_behind_one_proxy_the_address_it_saw_is_used(forwarded, expected):
    assert client_ip(_request("10.0.0.2", forwarded)) == expected


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=2)
def test_behind_two_proxies_the_second_entry_from_the_right_is_used():
    assert client_ip(_request("10.0.0.3", f"{FORGED}, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


def _sign_in(client: Client, password: str, forwarded_for: str):
    return client.post(
        reverse("login"),
        {"username": "desk", "password": password},
        headers={"X-Forwarded-For": forwarded_for},
    )


@pytest.mark.django_db
@override_settings(BEHIND_PROXY=False)
def test_a_forged_header_cannot_dodge_the_sign_in_lock(front_desk):
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "guess", f"203.0.113.{n}")

    assert _sign_in(client, TEST_PASSWORD, "203.0.113.200").status_code == 429


@pytest.mark.django_db
@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=1)
def test_behind_a_proxy_colleagues_at_other_addresses_are_not_locked_out(front_desk):
    attacker, colleague = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(attacker, "guess", "198.51.100.66")

    assert _sign_in(colleague, TEST_PASSWORD, "198.51.100.7").status_code == 302


@pytest.mark.django_db
@override_settings(BEHIND_PROXY=False)
def test_the_audit_log_records_the_real_address_not_a_forged_one(manager, front_desk):
    def view(request):
        front_desk.first_name = "Changed"
        front_desk.save(update_fields=["first_name"])
        return HttpResponse()

    request = _request("198.51.100.7", FORGED)
    request.user = manager

    AuditlogMiddleware(view)(request)

    entry = LogEntry.objects.get_for_object(front_desk).filter(actor=manager).get()
    assert entry.remote_addr == "198.51.100.7"
    assert "clinic.staff.middleware.AuditlogMiddleware" in settings.MIDDLEWARE
