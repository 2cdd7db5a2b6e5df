"""Day and week views: who may look, bad dates, and a cost that does not grow."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_appointment, make_practitioner

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 23)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize("view", ["scheduling:calendar_day", "scheduling:calendar_week"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 200), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_who_opens_the_calendar(role_clients, view, who, expected):
    assert role_clients[who].get(reverse(view)).status_code == expected


def test_the_day_shows_each_practitioners_appointments_in_their_column(front_desk_client):
    amara, lena = make_practitioner(), make_practitioner()
    make_appointment(starts_at=_at(DAY, 9), practitioner=amara)
    make_appointment(starts_at=_at(DAY, 11), practitioner=amara)
    make_appointment(starts_at=_at(DAY, 10), practitioner=lena)
    make_appointment(starts_at=_at(DAY + timedelta(days=1), 10), practitioner=lena)

    response = front_desk_client.get(reverse("scheduling:calendar_day"), {"date": DAY.isoformat()})

    columns = dict(response.context["columns"])
    assert len(columns[str(amara)]) == 2
    assert len(columns[str(lena)]) == 1


def test_the_day_by_room_groups_by_room(front_desk_client):
    make_appointment(starts_at=_at(DAY, 9))

    response = front_desk_client.get(
        reverse("scheduling:calendar_day"), {"date": DAY.isoformat(), "by": "room"}
    )

    assert [len(items) for _, items in response.context["columns"]] == [1]


def test_an_appointment_with_a_switched_off_practitioner_still_shows(front_desk_client):
    gone = make_practitioner()
    make_appointment(starts_at=_at(DAY, 9), practitioner=gone)
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])

    response = front_desk_client.get(reverse("scheduling:calendar_day"), {"date": DAY.isoformat()})

    assert response.content.decode().count('data-testid="calendar-appointment"') == 1


@pytest.mark.parametrize("bad", ["2026-02-30", "tomorrow", "2026-13-01"])
@pytest.mark.parametrize("view", ["scheduling:calendar_day", "scheduling:calendar_week"])
def test_a_bad_date_is_explained_and_today_is_shown(front_desk_client, view, bad):
    response = front_desk_client.get(reverse(view), {"date": bad, "by": "sideways"})

    assert response.status_code == 200
    assert 'data-testid="calendar-error"' in response.content.decode()
    assert response.context["day"] == timezone.localdate()


def test_the_week_runs_monday_to_sunday_around_the_date(front_desk_client):
    make_appointment(starts_at=_at(DAY + timedelta(days=2), 9))  # Wednesday
    make_appointment(starts_at=_at(DAY + timedelta(days=7), 9))  # the next Monday

    response = front_desk_client.get(
        reverse("scheduling:calendar_week"), {"date": (DAY + timedelta(days=3)).isoformat()}
    )

    week = response.context["week"]
    assert [d for d, _ in week] == [DAY + timedelta(days=n) for n in range(7)]
    assert [len(items) for _, items in week] == [0, 0, 1, 0, 0, 0, 0]


@pytest.mark.parametrize(("view", "queries"), [("scheduling:calendar_day", 6),
                                               ("scheduling:calendar_week", 5)])  # fmt: skip
def test_the_calendar_costs_the_same_for_ten_or_two_hundred_appointments(
    front_desk_client, django_assert_num_queries, view, queries
):
    # Twenty practitioners, each with up to ten one-hour appointments from 08:00.
    practitioners = [make_practitioner() for _ in range(20)]
    made = 0

    def fill(count: int) -> None:
        nonlocal made
        for n in range(made, made + count):
            start = _at(DAY, 8) + timedelta(hours=n // 20)
            make_appointment(starts_at=start, practitioner=practitioners[n % 20])
        made += count

    # session, user, role permissions, the appointments with patients, practitioners,
    # rooms and types, [day view: the practitioner columns], roles (menu)
    fill(10)
    with django_assert_num_queries(queries):
        front_desk_client.get(reverse(view), {"date": DAY.isoformat()})
    fill(190)
    with django_assert_num_queries(queries):
        response = front_desk_client.get(reverse(view), {"date": DAY.isoformat()})
    assert response.content.decode().count('data-testid="calendar-appointment"') == 200
