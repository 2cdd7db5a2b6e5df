"""Each role's "Today" page: what it shows, and a query count that does not grow."""

import pytest
from django.urls import reverse

from clinic.tasks import beat_heartbeat
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db


def test_front_desk_sees_todays_appointments(front_desk_client):
    html = front_desk_client.get(reverse("today")).content.decode()

    assert "Today's appointments" in html
    assert 'data-testid="home-practitioner"' not in html
    assert 'data-testid="home-manager"' not in html


def test_practitioner_sees_their_day(practitioner_client):
    html = practitioner_client.get(reverse("today")).content.decode()

    assert "Your day" in html
    assert 'data-testid="home-front-desk"' not in html
    assert 'data-testid="home-manager"' not in html


def test_manager_sees_the_clinic_summary(manager_client):
    beat_heartbeat()

    response = manager_client.get(reverse("today"))

    html = response.content.decode()
    assert 'data-testid="home-manager"' in html
    assert 'data-testid="home-front-desk"' not in html
    assert dict(response.context["summary"]["staff_by_role"])["Clinic manager"] == 1
    assert "Running" in html


def test_manager_summary_warns_when_the_scheduler_is_silent(manager_client):
    html = manager_client.get(reverse("today")).content.decode()

    assert "Needs attention" in html


def test_someone_with_two_roles_sees_both(db):
    from django.test import Client

    from clinic.staff.roles import Role

    both = make_staff(roles=[Role.PRACTITIONER, Role.CLINIC_MANAGER])
    client = Client()
    client.force_login(both)

    html = client.get(reverse("today")).content.decode()

    assert 'data-testid="home-practitioner"' in html
    assert 'data-testid="home-manager"' in html


@pytest.mark.parametrize("who", ["front_desk", "practitioner"])
def test_today_query_count_is_pinned(role_clients, who, django_assert_num_queries):
    # session, user, roles, role permissions (menu)
    with django_assert_num_queries(4):
        role_clients[who].get(reverse("today"))


def test_manager_today_query_count_does_not_grow_with_staff(
    manager_client, django_assert_num_queries
):
    # session, user, roles, staff per role, audit events in 24 h, five latest audit
    # events, beat heartbeat, role permissions (menu)
    with django_assert_num_queries(8):
        manager_client.get(reverse("today"))
    UserFactory.create_batch(30)
    with django_assert_num_queries(8):
        manager_client.get(reverse("today"))
