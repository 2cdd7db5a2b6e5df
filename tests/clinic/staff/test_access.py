"""Every page, tried by every role: who may open it, who is refused, who must sign in."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from clinic.staff.access import require_permission, user_roles
from clinic.staff.roles import CLINICAL_WORK, VIEW_AUDIT_LOG, Role
from tests.factories import make_staff
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db

ALLOWED, FORBIDDEN, SIGN_IN = 200, 403, 302

PAGES = {
    "today": {
        "front_desk": ALLOWED,
        "practitioner": ALLOWED,
        "manager": ALLOWED,
        "outsider": FORBIDDEN,
        "anonymous": SIGN_IN,
    },
    "audit_log": {
        "front_desk": FORBIDDEN,
        "practitioner": FORBIDDEN,
        "manager": ALLOWED,
        "outsider": FORBIDDEN,
        "anonymous": SIGN_IN,
    },
}


@pytest.mark.parametrize(
    ("url_name", "who", "expected"),
    [(url, who, code) for url, by_role in PAGES.items() for who, code in by_role.items()],
)
def test_each_role_reaches_only_what_it_may(role_clients, url_name, who, expected):
    response = role_clients[who].get(reverse(url_name))

    assert response.status_code == expected
    if expected == SIGN_IN:
        assert response["Location"].startswith(reverse("login"))


def test_a_refused_page_explains_itself(front_desk_client):
    response = front_desk_client.get(reverse("audit_log"))

    assert response.status_code == 403
    assert b"not available to you" in response.content


def test_an_account_without_a_role_is_told_to_ask_for_one(outsider_client):
    response = outsider_client.get(reverse("today"))

    assert b"no role yet" in response.content


def test_the_menu_offers_the_audit_log_only_to_the_manager(front_desk_client, manager_client):
    audit_url = reverse("audit_log").encode()

    assert audit_url not in front_desk_client.get(reverse("today")).content
    assert audit_url in manager_client.get(reverse("today")).content


def test_roles_come_from_groups(front_desk, practitioner, manager, outsider):
    assert user_roles(front_desk) == {Role.FRONT_DESK}
    assert user_roles(practitioner) == {Role.PRACTITIONER}
    assert user_roles(manager) == {Role.CLINIC_MANAGER}
    assert user_roles(outsider) == frozenset()


def test_role_permissions_are_granted_by_the_migration(front_desk, practitioner, manager):
    assert practitioner.has_perm(CLINICAL_WORK)
    assert not front_desk.has_perm(CLINICAL_WORK)
    assert not manager.has_perm(CLINICAL_WORK)
    assert manager.has_perm(VIEW_AUDIT_LOG)
    assert not practitioner.has_perm(VIEW_AUDIT_LOG)


def test_a_superuser_without_a_role_reaches_nothing_in_the_app(db):
    root = make_staff(username="root", is_staff=True, is_superuser=True)
    client = Client()
    sign_in(client, root)

    with pytest.raises(PermissionDenied):
        require_permission(root, CLINICAL_WORK)
    assert client.get(reverse("today")).status_code == 403
    assert client.get(reverse("audit_log")).status_code == 403


def test_a_superuser_who_is_also_manager_still_may_not_do_clinical_work(db):
    root = make_staff(username="root", is_superuser=True, roles=[Role.CLINIC_MANAGER])

    require_permission(root, VIEW_AUDIT_LOG)
    with pytest.raises(PermissionDenied):
        require_permission(root, CLINICAL_WORK)


def test_require_permission_refuses_the_wrong_role(front_desk, practitioner):
    require_permission(practitioner, CLINICAL_WORK)
    with pytest.raises(PermissionDenied):
        require_permission(front_desk, CLINICAL_WORK)


def test_require_permission_refuses_a_switched_off_account(practitioner):
    practitioner.is_active = False
    with pytest.raises(PermissionDenied):
        require_permission(practitioner, CLINICAL_WORK)
