"""The book's pages: who may look, bad dates, the day list with free times to book from
(also the page without JavaScript), and a cost that does not grow. The grid's data and
drops are in test_calendar_data.py."""

import re
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.scheduling.models import Location, OpeningHours, Room, WorkingHours
from clinic.scheduling.services import appointment_book
from tests.factories import make_appointment, make_practitioner
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 23)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize(
    "view", ["scheduling:calendar_day", "scheduling:calendar_week", "scheduling:calendar_list"]
)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 200), ("manager", 200), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_who_opens_the_calendar(role_clients, view, who, expected):
    assert role_clients[who].get(reverse(view)).status_code == expected


def _list(client, day, **params):
    return client.get(reverse("scheduling:calendar_list"), {"date": day.isoformat(), **params})


def test_the_manager_sees_the_book_read_only(manager_client, clinic, frozen_now):
    page = manager_client.get(reverse("scheduling:calendar_day")).content.decode()

    assert 'data-testid="read-only"' in page
    assert "data-book-actions" not in page


def test_the_day_shows_each_practitioners_appointments_in_their_column(front_desk_client):
    amara, lena = make_practitioner(), make_practitioner()
    make_appointment(starts_at=_at(DAY, 9), practitioner=amara)
    make_appointment(starts_at=_at(DAY, 11), practitioner=amara)
    make_appointment(starts_at=_at(DAY, 10), practitioner=lena)
    make_appointment(starts_at=_at(DAY + timedelta(days=1), 10), practitioner=lena)

    response = _list(front_desk_client, DAY)

    columns = {column.name: column.appointments for column in response.context["columns"]}
    assert len(columns[str(amara)]) == 2
    assert len(columns[str(lena)]) == 1


def test_the_day_by_room_groups_by_room(front_desk_client):
    make_appointment(starts_at=_at(DAY, 9))

    response = _list(front_desk_client, DAY, by="room")

    assert [len(column.appointments) for column in response.context["columns"]] == [1]


def test_an_appointment_with_a_switched_off_practitioner_still_shows(front_desk_client):
    gone = make_practitioner()
    make_appointment(starts_at=_at(DAY, 9), practitioner=gone)
    gone.user.is_active = False
    gone.user.save(update_fields=["is_active"])

    response = _list(front_desk_client, DAY)

    assert response.content.decode().count('data-testid="calendar-appointment"') == 1


@pytest.mark.parametrize(
    "bad", ["2026-02-30", "tomorrow", "2026-13-01", "0001-01-01", "9999-12-31", "1999-12-31"]
)
@pytest.mark.parametrize(
    "view", ["scheduling:calendar_day", "scheduling:calendar_week", "scheduling:calendar_list"]
)
def test_a_bad_date_is_explained_and_today_is_shown(front_desk_client, view, bad):
    response = front_desk_client.get(reverse(view), {"date": bad, "by": "sideways"})

    assert response.status_code == 200
    assert 'data-testid="calendar-error"' in response.content.decode()
    day = response.context["day"] if "day" in response.context else response.context["choice"].day
    assert day == timezone.localdate()


def test_the_week_runs_monday_to_sunday_around_the_date(front_desk_client):
    make_appointment(starts_at=_at(DAY + timedelta(days=2), 9))  # Wednesday

    response = front_desk_client.get(
        reverse("scheduling:calendar_week"), {"date": (DAY + timedelta(days=3)).isoformat()}
    )

    config = response.context["config"]
    assert config["view"] == "week"
    assert config["date"] == (DAY + timedelta(days=3)).isoformat()


# The cards' badges (open requests to cancel, clearance) are columns of the appointments'
# query: no query of their own.
@pytest.mark.parametrize(
    ("view", "params", "queries"),
    [("scheduling:calendar_list", {"by": "practitioner"}, 14),
     ("scheduling:calendar_list", {"by": "room"}, 14),
     ("scheduling:calendar_data", {"by": "practitioner", "end": "2026-11-24"}, 17),
     ("scheduling:calendar_data", {"by": "room", "end": "2026-11-30"}, 16)],
)  # fmt: skip
def test_the_calendar_costs_the_same_for_ten_or_two_hundred_appointments(
    front_desk_client, django_assert_num_queries, frozen_now, view, params, queries
):
    # Twenty practitioners, each with up to ten one-hour appointments from 08:00, working
    # until 20:00, so that free times show after the last appointment even at 200.
    practitioners = [make_practitioner() for _ in range(20)]
    location = Location.objects.create(name="Bath", time_zone="Europe/London")
    Room.objects.create(location=location, name="Room 1")
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

    # session, user, role permissions, locations, appointment types, the session saved
    # (day list: not), the location's appointments with patients, practitioners, rooms,
    # types and badges, the columns (practitioners working here and their hours, or rooms),
    # [data: opening hours, closures, leave], the free starts (availability's seven),
    # [day list: roles (menu)]
    params = {"date": DAY.isoformat(), "start": DAY.isoformat(), **params}
    fill(10)
    with django_assert_num_queries(queries):
        response = front_desk_client.get(reverse(view), params)
    assert response.status_code == 200
    fill(190)
    with django_assert_num_queries(queries):
        response = front_desk_client.get(reverse(view), params)
    content = response.content.decode()
    assert 'data-testid="free-slot"' in content or response.json()["free"]


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
        if tag == "section" and "day-list-column" in (found.get("class") or ""):
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


def _day(client, **params):
    return client.get(reverse("scheduling:calendar_list"), {"date": MONDAY.isoformat(), **params})


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
        sign_in(client, front_desk)
        links = _free_links(_day(client))
    starts = sorted(link["start_time"] for link in links[str(clinic["practitioners"][0])])
    assert starts[0] == "12:15"

    with time_machine.travel(_at(MONDAY + timedelta(days=1), 8), tick=False):
        sign_in(client, front_desk)
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
    assert 'id="list-location"' in chosen.content.decode()


def test_practitioners_see_the_day_without_free_times_to_book(
    practitioner_client, clinic, consultation, frozen_now
):
    response = _day(practitioner_client)

    assert response.status_code == 200
    assert _free_links(response) == {}
    assert 'id="list-type"' not in response.content.decode()


# --- Plain links, and actions in one panel, never a form per card -----------------------


def test_day_navigation_works_as_plain_links(front_desk_client, clinic, consultation, frozen_now):
    response = _day(front_desk_client)
    content = response.content.decode()

    for name in ("Previous day", "Next day", "By room"):
        link = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{name}</a>', content)
        assert link is not None, name
    assert "date=2026-11-24" in response.context["links"]["next"]
    assert "hx-get" not in content


def test_the_day_list_has_no_form_per_card(front_desk_client, clinic, consultation, frozen_now):
    for hour in (10, 12, 14):
        _book_at(clinic, hour)

    content = _day(front_desk_client).content.decode()

    assert content.count('data-testid="calendar-appointment"') == 3
    assert "Check in" not in content
    assert content.count("<form") == 2  # signing out and the type's free times; none per card


def test_the_book_offers_its_actions_in_one_panel_to_the_front_desk_only(
    role_clients, clinic, consultation, frozen_now
):
    desk = role_clients["front_desk"].get(reverse("scheduling:calendar_day")).content.decode()
    practitioner = role_clients["practitioner"].get(reverse("scheduling:calendar_day"))

    assert desk.count("data-book-actions") == 1
    assert 'data-action="check-in"' in desk
    assert "data-book-actions" not in practitioner.content.decode()


def test_the_grids_today_is_the_locations_day(front_desk_client):
    """At 20:30 in London it is already tomorrow in Auckland: the grid's "today" button
    goes to Auckland's day, not the browser's or the clinic's."""
    auckland = Location.objects.create(name="Auckland", time_zone="Pacific/Auckland")
    london_evening = _at(DAY, 20, 30)

    with time_machine.travel(london_evening, tick=False):
        response = front_desk_client.get(
            reverse("scheduling:calendar_day"), {"location": auckland.pk}
        )

    config = response.context["config"]
    assert config["today"] == (DAY + timedelta(days=1)).isoformat()
    assert config["date"] == config["today"]
