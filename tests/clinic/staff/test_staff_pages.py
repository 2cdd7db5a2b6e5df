"""The clinic manager's staff accounts: list, invite, roles, switch off, password links."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.staff.access import user_roles
from clinic.staff.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db

NEW = {
    "username": "lwong",
    "first_name": "Lucy",
    "last_name": "Wong",
    "email": "lucy@clinic.example",
    "roles": ["practitioner"],
}


@pytest.mark.parametrize("name", ["staff_list", "staff_new"])
@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("front_desk", 403),
                                             ("practitioner", 403), ("outsider", 403)])  # fmt: skip
def test_only_the_manager_opens_the_staff_pages(role_clients, name, who, status):
    assert role_clients[who].get(reverse(name)).status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(reverse("staff_list"))["Location"].startswith(reverse("login"))


def test_the_list_shows_everyone_with_roles_and_switched_off_accounts(manager_client, front_desk):
    UserFactory(username="gone", first_name="Gone", is_active=False)

    html = manager_client.get(reverse("staff_list")).content.decode()

    assert "desk" in html
    assert "Front desk" in html
    assert "Switched off" in html


def test_inviting_a_colleague_emails_a_one_time_link_to_set_a_password(
    manager_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("staff_new"), NEW)

    user = User.objects.get(username="lwong")
    assert response.status_code == 302
    assert not user.has_usable_password()
    assert user_roles(user) == {Role.PRACTITIONER}
    assert hasattr(user, "practitioner_profile")
    [email] = mail.outbox
    assert email.to == ["lucy@clinic.example"]
    link = re.search(r"https?://\S+/accounts/password/set/\S+", str(email.body)).group(0)  # type: ignore[union-attr]
    path = link.split("://", 1)[1].partition("/")[2]

    client = Client()
    form = client.get("/" + path, follow=True)
    assert form.context["validlink"]
    password = "a quiet clinic by the river"
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)
    # The link works once.
    assert not Client().get("/" + path, follow=True).context["validlink"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"username": "boss"}, "username"), ({"roles": []}, "roles"), ({"email": "nope"}, "email"),
     ({"username": "x" * 151}, "username"), ({"roles": ["owner"]}, "roles"),
     ({"username": "bad name!"}, "username")],
)  # fmt: skip
def test_a_bad_invitation_is_refused_with_a_message(manager_client, change, field):
    response = manager_client.post(reverse("staff_new"), {**NEW, **change})

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert mail.outbox == []


def test_the_manager_changes_roles(manager_client, front_desk):
    response = manager_client.post(
        reverse("staff_detail", args=[front_desk.pk]),
        {"first_name": "Rosa", "last_name": "B", "email": "r@clinic.example",
         "roles": ["front_desk", "practitioner"]},
    )  # fmt: skip

    assert response.status_code == 302
    front_desk = User.objects.get(pk=front_desk.pk)
    assert user_roles(front_desk) == {Role.FRONT_DESK, Role.PRACTITIONER}


def test_a_manager_cannot_take_their_own_manager_role(manager_client, manager):
    response = manager_client.post(
        reverse("staff_detail", args=[manager.pk]),
        {"first_name": "H", "last_name": "M", "email": "h@clinic.example", "roles": ["front_desk"]},
    )

    assert response.status_code == 200
    assert user_roles(User.objects.get(pk=manager.pk)) == {Role.CLINIC_MANAGER}


def test_switching_off_stops_sign_in_and_deletes_nothing(manager_client, front_desk):
    response = manager_client.post(reverse("staff_switch", args=[front_desk.pk, "off"]))

    assert response.status_code == 302
    front_desk.refresh_from_db()
    assert not front_desk.is_active
    signed = Client().post(reverse("login"), {"username": "desk", "password": TEST_PASSWORD})
    assert signed.status_code == 200

    manager_client.post(reverse("staff_switch", args=[front_desk.pk, "on"]))
    front_desk.refresh_from_db()
    assert front_desk.is_active


def test_a_manager_cannot_switch_themself_off(manager_client, manager):
    manager_client.post(reverse("staff_switch", args=[manager.pk, "off"]))

    manager.refresh_from_db()
    assert manager.is_active


def test_an_unknown_switch_is_not_found(manager_client, front_desk):
    assert (
        manager_client.post(reverse("staff_switch", args=[front_desk.pk, "x"])).status_code == 404
    )


@pytest.mark.parametrize("name", ["staff_switch", "staff_password_link", "staff_mfa_reset"])
@pytest.mark.parametrize("who", ["front_desk", "practitioner", "outsider"])
def test_only_the_manager_acts_on_accounts(role_clients, front_desk, name, who):
    args = [front_desk.pk, "off"] if name == "staff_switch" else [front_desk.pk]

    assert role_clients[who].post(reverse(name, args=args)).status_code == 403
    front_desk.refresh_from_db()
    assert front_desk.is_active


def test_the_manager_sends_a_password_link(
    manager_client, front_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("staff_password_link", args=[front_desk.pk]))

    [email] = mail.outbox
    assert email.to == [front_desk.email]
    assert "/accounts/password/set/" in email.body


def test_a_missing_colleague_is_not_found(manager_client):
    assert manager_client.get(reverse("staff_detail", args=[99999])).status_code == 404


def test_staff_detail_is_for_the_manager_only(role_clients, front_desk):
    assert (
        role_clients["practitioner"].get(reverse("staff_detail", args=[front_desk.pk])).status_code
        == 403
    )
    assert (
        role_clients["manager"].get(reverse("staff_detail", args=[front_desk.pk])).status_code
        == 200
    )


def test_the_manager_sees_staff_in_the_setup_menu(manager):
    html = sign_in(Client(), manager).get(reverse("today")).content.decode()

    assert reverse("staff_list") in html


def test_a_manager_cannot_reach_a_superuser_or_the_patients_online_account(manager_client):
    from clinic.messaging.self_service import self_service_user
    from tests.factories import make_staff

    root = make_staff(username="root2", is_staff=True, is_superuser=True)
    online = self_service_user()

    for user in (root, online):
        page = manager_client.get(reverse("staff_detail", args=[user.pk]))
        assert page.status_code == 404
        link = manager_client.post(reverse("staff_password_link", args=[user.pk]))
        assert link.status_code == 404
    listed = manager_client.get(reverse("staff_list")).content.decode()
    assert "root2" not in listed
    assert "patient-online" not in listed
