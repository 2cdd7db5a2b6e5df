"""Everyone changes their own password; a forgotten one is reset by an emailed link,
without saying whether an account has the address, and throttled."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.staff.models import PasswordLinkRequest
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["front_desk", "practitioner", "manager", "outsider"])
def test_everyone_signed_in_changes_their_own_password(role_clients, who):
    client = role_clients[who]
    new = "a quiet clinic by the river"

    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    # Still signed in after the change.
    assert client.get(reverse("password_change")).status_code == 200


def test_a_wrong_old_password_or_a_weak_new_one_is_refused(front_desk_client):
    response = front_desk_client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "short", "new_password2": "short"},
    )

    errors = response.context["form"].errors
    assert response.status_code == 200
    assert errors["old_password"]
    assert errors["new_password2"]


def test_an_anonymous_visitor_cannot_change_a_password(client):
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("login"))


def _forgot(client: Client, email: str, ip: str = "198.51.100.9"):
    return client.post(reverse("password_forgot"), {"email": email}, REMOTE_ADDR=ip)


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(
    client, front_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _forgot(client, front_desk.email.upper())
        unknown = _forgot(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_forgot_sent")
    [email] = mail.outbox
    assert email.to == [front_desk.email]
    assert PasswordLinkRequest.objects.count() == 2
    assert not PasswordLinkRequest.objects.filter(email_digest__contains="@").exists()


def test_a_switched_off_account_gets_no_link(
    client, front_desk, django_capture_on_commit_callbacks
):
    front_desk.is_active = False
    front_desk.save()
    with django_capture_on_commit_callbacks(execute=True):
        _forgot(client, front_desk.email)

    assert mail.outbox == []


def test_requests_for_one_address_are_throttled(
    client, front_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answers = [_forgot(client, front_desk.email, f"198.51.100.{n}") for n in range(5)]

    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


def test_requests_from_one_client_address_are_throttled(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    answers = [_forgot(client, f"person{n}@example.org") for n in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many requests" in answers[-1].content.decode()


@pytest.mark.parametrize("junk", ["", "not an address", "a@" + "b" * 300 + ".org", "x\x00@y.org"])
def test_a_bad_address_is_refused_with_a_message(client, junk):
    response = client.post(reverse("password_forgot"), {"email": junk})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_a_bad_link_says_it_no_longer_works(client):
    response = client.get(reverse("password_set", args=["MQ", "not-a-token"]))

    assert response.status_code == 200
    assert not response.context["validlink"]


def test_the_nightly_purge_forgets_requests_older_than_their_hour(client):
    from datetime import timedelta

    from django.utils import timezone

    from clinic.staff.tasks import purge_sign_in_records

    _forgot(client, "someone@example.org")
    PasswordLinkRequest.objects.create(
        email_digest="0" * 64, ip_address=None, requested_at=timezone.now() - timedelta(hours=2)
    )

    purge_sign_in_records()

    assert PasswordLinkRequest.objects.count() == 1
