"""Day and week views: who may look, bad dates, free times to book from, htmx swaps,
and a cost that does not grow."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.scheduling.models import Appointment, Location, OpeningHours, Room, WorkingHours
from clinic.scheduling.services import appointment_book
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

    columns = {column.name: column.appointments for column in response.context["columns"]}
    assert len(columns[str(amara)]) == 2
    assert len(columns[str(lena)]) == 1


def test_the_day_by_room_groups_by_room(front_desk_client):
    make_appointment(starts_at=_at(DAY, 9))

    response = front_desk_client.get(
        reverse("scheduling:calendar_day"), {"date": DAY.isoformat(), "by": "room"}
    )

    assert [len(column.appointments) for column in response.context["columns"]] == [1]


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


@pytest.mark.parametrize(
    ("view", "by", "queries"),
    [("scheduling:calendar_day", "practitioner", 15), ("scheduling:calendar_day", "room", 15),
     ("scheduling:calendar_week", "", 5)],
)  # fmt: skip
def test_the_calendar_costs_the_same_for_ten_or_two_hundred_appointments(
    front_desk_client, django_assert_num_queries, frozen_now, view, by, queries
):
    # Twenty practitioners, each with up to ten one-hour appointments from 08:00, working
    # until 20:00, so that free times show after the last appointment even at 200.
    practitioners = [make_practitioner() for _ in range(20)]
    location = Location.objects.create(name="Bath", time_zone="Europe/London")
    OpeningHours.objects.create(location=location, weekday=0, opens=time(8), closes=time(20))
    for practitioner in practitioners:
        WorkingHours.objects.create(
            practitioner=practitioner, location=location, weekday=0, starts=time(8), ends=time(20)
        )
    made = 0

    def fill(count: int) -> None:
        nonlocal made
        for n in range(made, made + count):
            start = _at(DAY, 8) + timedelta(hours=n // 20)
            make_appointment(starts_at=start, practitioner=practitioners[n % 20])
        made += count

    # session, user, role permissions, [day view: appointment types, locations, then the
    # availability: opening hours, closures, practitioners, their working hours, leave,
    # rooms, active appointments as busy time], the day's appointments with patients,
    # practitioners, rooms and types, [day view: the practitioner or room columns],
    # roles (menu)
    params = {"date": DAY.isoformat(), "by": by} if by else {"date": DAY.isoformat()}
    fill(10)
    with django_assert_num_queries(queries):
        response = front_desk_client.get(reverse(view), params)
    assert view.endswith("week") or 'data-testid="free-slot"' in response.content.decode()
    fill(190)
    with django_assert_num_queries(queries):
        response = front_desk_client.get(reverse(view), params)
    content = response.content.decode()
    assert content.count('data-testid="calendar-appointment"') == 200
    assert view.endswith("week") or 'data-testid="free-slot"' in content


# --- Free times to book from ------------------------------------------------------------

MONDAY = DAY  # the clinic fixture's practitioners work Monday to Thursday, 09:00 to 17:00


class _FreeSlotLinks(HTMLParser):
    """The free-slot links of a rendered day, by the column they are in."""

    def __init__(self) -> None:
        super().__init__()
        self.column = ""
        self.links: dict[str, list[dict[str, str]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and "calendar-column" in (found.get("class") or ""):
            self.column = found.get("aria-label") or ""
        if tag == "a" and found.get("data-testid") == "free-slot":
            url = urlsplit(found["href"] or "")
            assert url.path == reverse("scheduling:new")
            params = {name: values[0] for name, values in parse_qs(url.query).items()}
            self.links.setdefault(self.column, []).append(params)


def _free_links(response) -> dict[str, list[dict[str, str]]]:
    parser = _FreeSlotLinks()
    parser.feed(response.content.decode())
    return parser.links


def _day(client, headers=None, **params):
    return client.get(
        reverse("scheduling:calendar_day"), {"date": MONDAY.isoformat(), **params}, headers=headers
    )


def _book_at(clinic, hour, *, practitioner=0, room=0, kind=None):
    return appointment_book(
        patient=clinic["patient"], practitioner=clinic["practitioners"][practitioner],
        room=clinic["rooms"][room], appointment_type=kind or clinic["type"],
        start=_at(MONDAY, hour), by=clinic["desk"],
    )  # fmt: skip


def test_free_slot_links_carry_type_practitioner_room_date_and_time(
    front_desk_client, clinic, consultation, frozen_now
):
    first, second = clinic["practitioners"]
    room_1, room_2 = clinic["rooms"]
    _book_at(clinic, 10)  # the first practitioner in Room 1, 10:00 to 11:00 (+10 minutes)

    links = _free_links(_day(front_desk_client))

    # The default type is the consultation (30 minutes): free until the session, and again
    # once its buffer is over.
    firsts = {link["start_time"]: link for link in links[str(first)]}
    assert {"09:00", "09:15", "09:30", "11:15"} <= firsts.keys()
    assert not {"09:45", "10:00", "10:45", "11:00"} & firsts.keys()
    assert firsts["09:00"] == {
        "appointment_type": str(consultation.pk),
        "practitioner": str(first.pk),
        "room": str(room_1.pk),
        "day": "2026-11-23",
        "start_time": "09:00",
    }
    # The other practitioner is free at 10:00, but only in the room nobody is using.
    seconds = {link["start_time"]: link for link in links[str(second)]}
    assert seconds["10:00"]["room"] == str(room_2.pk)
    assert seconds["09:00"]["room"] == str(room_1.pk)


def test_by_room_each_free_time_names_a_free_practitioner(
    front_desk_client, clinic, consultation, frozen_now
):
    first, second = clinic["practitioners"]
    _book_at(clinic, 10)

    links = _free_links(_day(front_desk_client, by="room"))

    room_1 = {link["start_time"]: link for link in links["Room 1"]}
    room_2 = {link["start_time"]: link for link in links["Room 2"]}
    assert "10:00" not in room_1
    assert room_2["10:00"]["practitioner"] == str(second.pk)
    assert room_2["09:00"]["practitioner"] == str(first.pk)


def test_free_times_follow_the_chosen_type(front_desk_client, clinic, consultation, frozen_now):
    first = clinic["practitioners"][0]
    _book_at(clinic, 10)

    response = _day(front_desk_client, type=clinic["type"].pk)

    # An hour-long session with a 10-minute buffer no longer fits before 10:00.
    starts = {link["start_time"] for link in _free_links(response)[str(first)]}
    assert "09:00" not in starts
    assert "11:15" in starts
    assert response.context["offer"].appointment_type == clinic["type"]
    # Moving between days and views keeps the type.
    assert f"type={clinic['type'].pk}" in response.context["links"]["next"]
    assert f"type={clinic['type'].pk}" in response.context["links"]["by_room"]


def test_no_free_time_is_offered_in_the_past(client, front_desk, clinic, consultation):
    with time_machine.travel(_at(MONDAY, 12, 5), tick=False):
        client.force_login(front_desk)
        links = _free_links(_day(client))
    starts = sorted(link["start_time"] for link in links[str(clinic["practitioners"][0])])
    assert starts[0] == "12:15"

    with time_machine.travel(_at(MONDAY + timedelta(days=1), 8), tick=False):
        client.force_login(front_desk)
        assert _free_links(_day(client)) == {}


def test_the_free_times_sit_between_the_appointments(
    front_desk_client, clinic, consultation, frozen_now
):
    _book_at(clinic, 10)

    response = _day(front_desk_client)

    column = next(c for c in response.context["columns"] if c.key == clinic["practitioners"][0].pk)
    kinds = ["free" if getattr(entry, "is_free", False) else "booked" for entry in column.entries]
    assert kinds == ["free", "booked", "free"]
    assert column.entries[0].starts[-1].label == "09:30"
    assert column.entries[2].starts[0].label == "11:15"


@pytest.mark.parametrize("bad", ["999999", "consultation"])
def test_an_unknown_type_is_explained_and_the_first_consultation_shown(
    front_desk_client, clinic, consultation, frozen_now, bad
):
    response = _day(front_desk_client, type=bad)

    assert response.status_code == 200
    assert response.context["offer"].appointment_type == consultation
    assert "There is no such appointment type" in response.content.decode()
    assert _free_links(response)


def test_with_two_locations_the_first_is_shown_or_the_one_chosen(
    front_desk_client, clinic, consultation, frozen_now
):
    wells = Location.objects.create(name="Wells", time_zone="Europe/London")
    OpeningHours.objects.create(location=wells, weekday=0, opens=time(9), closes=time(12))
    annex = Room.objects.create(location=wells, name="Annex")
    WorkingHours.objects.create(
        practitioner=clinic["practitioners"][1], location=wells, weekday=0,
        starts=time(9), ends=time(12),
    )  # fmt: skip

    first = _free_links(_day(front_desk_client, by="room"))
    chosen = _day(front_desk_client, by="room", location=wells.pk)

    assert set(first) == {"Room 1", "Room 2"}  # Bath, first by name
    assert set(_free_links(chosen)) == {"Annex"}
    assert {link["room"] for link in _free_links(chosen)["Annex"]} == {str(annex.pk)}
    assert f"location={wells.pk}" in chosen.context["links"]["next"]
    assert 'id="calendar-location"' in chosen.content.decode()


def test_practitioners_see_the_day_without_free_times_to_book(
    practitioner_client, clinic, consultation, frozen_now
):
    response = _day(practitioner_client)

    assert response.status_code == 200
    assert _free_links(response) == {}
    assert 'id="calendar-type"' not in response.content.decode()


# --- htmx: the body alone when moving between days and views ----------------------------


def test_htmx_gets_the_calendar_body_alone_and_a_plain_visit_the_page(
    front_desk_client, clinic, consultation, frozen_now
):
    partial = _day(front_desk_client, headers={"HX-Request": "true"})
    page = _day(front_desk_client)
    restore = _day(
        front_desk_client, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert partial.templates[0].name == "scheduling/_calendar_day_body.html"
    assert "<html" not in partial.content.decode()
    assert "<title>Monday 23 November" in partial.content.decode()
    assert 'id="calendar-day"' in partial.content.decode()
    assert "<html" in page.content.decode()
    assert "<html" in restore.content.decode()
    assert "HX-Request" in page["Vary"]


def test_day_navigation_works_as_links_and_through_htmx(
    front_desk_client, clinic, consultation, frozen_now
):
    content = _day(front_desk_client).content.decode()

    for name in ("Previous day", "Next day", "By room"):
        link = re.search(rf'<a [^>]*href="([^"]+)"[^>]*hx-get="([^"]+)"[^>]*>{name}</a>', content)
        assert link is not None, name
        assert link.group(1) == link.group(2)
    assert 'hx-target="#calendar-day"' in content
    assert 'hx-push-url="true"' in content


# --- Actions from the calendar card -------------------------------------------------------


def test_confirming_from_the_card_answers_with_the_card(front_desk_client, clinic, frozen_now):
    appointment = _book_at(clinic, 10)

    response = front_desk_client.post(
        reverse("scheduling:action", args=[appointment.pk, "confirm"]),
        {"by": "room"},
        headers={"HX-Request": "true"},
    )

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert response.templates[0].name == "scheduling/_calendar_card.html"
    content = response.content.decode()
    assert f'id="appointment-card-{appointment.pk}"' in content
    assert "Confirmed" in content
    assert ">Confirm<" not in content  # a confirmed appointment is not confirmed twice


def test_a_refused_card_action_says_why_on_the_card(front_desk_client, clinic, frozen_now):
    appointment = _book_at(clinic, 10)  # Monday, after "now": too early for a no-show

    response = front_desk_client.post(
        reverse("scheduling:action", args=[appointment.pk, "no-show"]),
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "has not started yet" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_the_cards_offer_actions_only_to_the_front_desk(
    role_clients, clinic, consultation, frozen_now
):
    _book_at(clinic, 10)

    with time_machine.travel(datetime(2026, 11, 23, 8, tzinfo=UTC), tick=False):
        desk = _day(role_clients["front_desk"]).content.decode()
        practitioner = _day(role_clients["practitioner"]).content.decode()

    assert "Check in" in desk
    assert "Check in" not in practitioner
