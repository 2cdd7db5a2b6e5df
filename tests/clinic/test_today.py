"""Each role's "Today" page: what it shows, and a query count that does not grow."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.tasks import beat_heartbeat
from tests.factories import UserFactory, make_staff
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db


def test_front_desk_sees_todays_arrivals(front_desk_client):
    html = front_desk_client.get(reverse("today")).content.decode()

    assert "Today's arrivals" in html
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
    assert 'data-testid="book-read-only"' in html  # the book, read-only


def test_manager_summary_warns_when_the_scheduler_is_silent(manager_client):
    html = manager_client.get(reverse("today")).content.decode()

    assert "Needs attention" in html


def test_someone_with_two_roles_sees_both(db):
    from django.test import Client

    from clinic.staff.roles import Role

    both = make_staff(roles=[Role.PRACTITIONER, Role.CLINIC_MANAGER])
    client = Client()
    sign_in(client, both)

    html = client.get(reverse("today")).content.decode()

    assert 'data-testid="home-practitioner"' in html
    assert 'data-testid="home-manager"' in html


@pytest.mark.parametrize(("who", "queries"), [("front_desk", 4), ("practitioner", 5)])
def test_today_query_count_is_pinned(role_clients, who, queries, django_assert_num_queries):
    # session, user, (the practitioner's second factor), roles, the locations (front desk,
    # none yet) or the day's appointments (practitioner)
    with django_assert_num_queries(queries):
        role_clients[who].get(reverse("today"))


def test_manager_today_query_count_does_not_grow_with_staff(
    manager_client, django_assert_num_queries
):
    # session, user, the second factor, roles, staff per role, audit events in 24 h, five
    # latest audit events, beat heartbeat
    with django_assert_num_queries(8):
        manager_client.get(reverse("today"))
    UserFactory.create_batch(30)
    with django_assert_num_queries(8):
        manager_client.get(reverse("today"))


def _today_at(hour: int):
    from datetime import datetime, time

    from django.utils import timezone

    return datetime.combine(
        timezone.localdate(), time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_front_desk_sees_every_arrival_today_at_a_fixed_cost(
    front_desk_client, django_assert_num_queries
):
    from tests.factories import make_appointment

    for hour in (9, 10, 11):
        make_appointment(starts_at=_today_at(hour))
    # session, user, roles, locations, the arrivals with patients, practitioners, rooms
    # and types, cancel requests, closures, leave, unbooked sessions, failed messages (the
    # menu uses the roles read with the login)
    with django_assert_num_queries(10):
        response = front_desk_client.get(reverse("today"))
    assert response.content.decode().count('data-testid="appointment-row"') == 3

    for hour in range(9, 18):
        make_appointment(starts_at=_today_at(hour))
    with django_assert_num_queries(10):
        response = front_desk_client.get(reverse("today"))
    assert response.content.decode().count('data-testid="appointment-row"') == 12


def test_a_practitioner_sees_only_their_own_day(practitioner_client, practitioner):
    from tests.factories import make_appointment

    mine = make_appointment(starts_at=_today_at(10), practitioner=practitioner.practitioner_profile)
    make_appointment(starts_at=_today_at(11))
    make_appointment(starts_at=_today_at(10) + timedelta(days=1),
                     practitioner=practitioner.practitioner_profile)  # fmt: skip

    html = practitioner_client.get(reverse("today")).content.decode()

    assert html.count('data-testid="appointment-row"') == 1
    assert mine.patient.full_name in html
