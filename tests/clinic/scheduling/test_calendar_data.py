"""The time grid's data for one location and range, and a drop that moves a card."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import (
    Appointment,
    Closure,
    Leave,
    Location,
    OpeningHours,
    Room,
    WorkingHours,
)
from clinic.scheduling.services import appointment_book
from clinic.staff.roles import Role
from tests.factories import make_cleared_patient, make_patient, make_practitioner
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)
LONDON = ZoneInfo("Europe/London")


def _data(client, start=MONDAY, days=1, **params):
    end = start + timedelta(days=days)
    return client.get(
        reverse("scheduling:calendar_data"),
        {"start": start.isoformat(), "end": end.isoformat(), **params},
    )


def _book(clinic, hour, *, practitioner=0, room=0, minute=0, patient=None):
    return appointment_book(
        patient=patient or clinic["patient"], practitioner=clinic["practitioners"][practitioner],
        room=clinic["rooms"][room], appointment_type=clinic["type"],
        start=datetime.combine(MONDAY, time(hour, minute), tzinfo=LONDON), by=clinic["desk"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 200), ("manager", 200), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_who_reads_the_grid(role_clients, clinic, who, expected):
    assert _data(role_clients[who]).status_code == expected


def test_cards_come_in_the_locations_wall_clock_with_what_the_desk_may_do(
    front_desk_client, clinic, frozen_now
):
    booked = _book(clinic, 10)

    data = _data(front_desk_client).json()

    [card] = data["appointments"]
    assert card[:4] == [booked.pk, clinic["practitioners"][0].pk, "2026-11-23T10:00",
                        "2026-11-23T11:00"]  # fmt: skip
    assert card[4] == clinic["patient"].full_name
    assert data["types"][str(clinic["type"].pk)] == "Treatment session"
    assert card[6] == "booked"
    # Days before: confirm, move, cancel; no check-in before its day, no no-show before it
    # starts. On its day, check-in too.
    assert card[8] == "cmx"
    with time_machine.travel(datetime(2026, 11, 23, 8, tzinfo=LONDON), tick=False):
        [on_the_day] = _data(front_desk_client).json()["appointments"]
    assert on_the_day[8] == "cimx"
    people = sorted(clinic["practitioners"], key=lambda p: (p.user.last_name, p.user.first_name))
    assert data["columns"] == [[p.pk, str(p)] for p in people]  # by name
    assert data["zone"] == ""  # the clinic's own zone is not named


def test_the_manager_reads_without_actions_or_free_times(manager_client, clinic, frozen_now):
    _book(clinic, 10)

    data = _data(manager_client, type=clinic["type"].pk).json()

    assert data["appointments"][0][8] == ""
    assert data["free"] == []


def test_free_starts_carry_the_booking_address(front_desk_client, clinic, frozen_now):
    _book(clinic, 10)

    free = _data(front_desk_client, type=clinic["type"].pk).json()["free"]

    first = clinic["practitioners"][0].pk
    starts = {row[1] for row in free if row[0] == first}
    assert "2026-11-23T09:00" not in starts  # an hour and its buffer do not fit before 10:00
    assert "2026-11-23T11:15" in starts
    data = _data(front_desk_client, type=clinic["type"].pk).json()
    assert data["freeType"] == clinic["type"].pk
    nine = [row for row in free if row[1] == "2026-11-23T09:00"]
    # At 09:00 only the second practitioner has the hour free; each start names a room.
    assert {row[0] for row in nine} == {clinic["practitioners"][1].pk}
    assert all(row[2] in {room.pk for room in clinic["rooms"]} for row in free)


def test_a_new_york_appointment_keeps_its_own_wall_clock_and_names_the_zone(
    front_desk_client, clinic, frozen_now
):
    new_york = Location.objects.create(name="Manhattan", time_zone="America/New_York")
    room = Room.objects.create(location=new_york, name="Suite 1")
    OpeningHours.objects.create(location=new_york, weekday=0, opens=time(9), closes=time(21))
    practitioner = make_practitioner()
    WorkingHours.objects.create(
        practitioner=practitioner, location=new_york, weekday=0, starts=time(9), ends=time(21)
    )
    booked = appointment_book(
        patient=clinic["patient"], practitioner=practitioner, room=room,
        appointment_type=clinic["type"], by=clinic["desk"],
        start=datetime(2026, 11, 23, 19, 30, tzinfo=ZoneInfo("America/New_York")),
    )  # fmt: skip

    data = _data(front_desk_client, location=new_york.pk).json()
    london = _data(front_desk_client).json()

    assert [card[2] for card in data["appointments"]] == ["2026-11-23T19:30"]
    assert "America/New_York time (EST)" in data["zone"]
    assert london["appointments"] == []  # the day view shows only the chosen location
    page = front_desk_client.get(reverse("scheduling:calendar_day"), {"location": new_york.pk})
    assert "America/New_York time (EST)" in page.content.decode()
    detail = front_desk_client.get(reverse("scheduling:appointment", args=[booked.pk]))
    assert "Monday 23 November 2026" in detail.content.decode()  # not Tuesday, as in London
    assert "19:30\N{EN DASH}20:30 (America/New York, EST)" in detail.content.decode()
    assert f"date=2026-11-23&amp;location={new_york.pk}" in detail.content.decode()


def test_closed_days_hours_off_and_leave_are_shaded_and_labelled(
    front_desk_client, clinic, frozen_now
):
    Closure.objects.create(
        location=clinic["location"], first_day=MONDAY + timedelta(days=1),
        last_day=MONDAY + timedelta(days=1), reason="Staff training",
    )  # fmt: skip
    first = clinic["practitioners"][0]
    Leave.objects.create(
        practitioner=first, reason="Dentist",
        starts_at=datetime.combine(MONDAY, time(14), tzinfo=LONDON),
        ends_at=datetime.combine(MONDAY, time(16), tzinfo=LONDON),
    )  # fmt: skip

    shades = _data(front_desk_client, days=7).json()["shades"]

    assert [None, "2026-11-24T09:00", "2026-11-24T17:00", "Closed: Staff training"] in shades
    assert [first.pk, "2026-11-23T14:00", "2026-11-23T16:00", "Leave: Dentist"] in shades
    friday_off = [first.pk, "2026-11-27T09:00", "2026-11-27T17:00", "Day off"]
    assert friday_off in shades  # the fixture's practitioners do not work Fridays
    assert [None, "2026-11-28T09:00", "2026-11-28T17:00", "Closed"] in shades  # Saturday


@pytest.mark.parametrize(
    "params",
    [{"start": "2026-11-23", "end": "2026-12-23"}, {"start": "2026-11-23", "end": "2026-11-23"},
     {"start": "9999-12-31", "end": "nonsense"}, {"start": ""},
     {"start": "0001-01-01", "end": "0001-01-02"}, {"start": "9999-12-30", "end": "9999-12-31"}],
)  # fmt: skip
def test_a_bad_range_is_refused_with_words_never_a_500(front_desk_client, clinic, params):
    response = front_desk_client.get(reverse("scheduling:calendar_data"), params)

    assert response.status_code == 400
    assert response.json()["error"]


def test_the_signed_in_practitioners_own_column_comes_first(client, clinic, frozen_now):
    second = clinic["practitioners"][1]
    second.user.groups.add(Group.objects.get(name=Role.PRACTITIONER.label))
    sign_in(client, second.user)

    columns = _data(client).json()["columns"]

    assert columns[0][0] == second.pk


# --- A drop is a move ---------------------------------------------------------------


def _drop(client, appointment, start, column=None, by="practitioner"):
    return client.post(
        reverse("scheduling:calendar_drop", args=[appointment.pk]),
        {"start": start, "column": column or appointment.practitioner_id, "by": by},
    )


def test_a_drop_on_a_free_time_moves_it_and_writes_the_new_time(
    front_desk_client, clinic, frozen_now
):
    appointment = _book(clinic, 10)

    response = _drop(
        front_desk_client, appointment, "2026-11-23T13:15", appointment.practitioner_id
    )

    assert response.status_code == 200
    assert response.json()["message"] == "Moved to Monday 23 November at 13:15."
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime(2026, 11, 23, 13, 15, tzinfo=LONDON)
    assert PatientMessage.objects.filter(
        kind=PatientMessage.Kind.RESCHEDULED, appointment=appointment
    ).exists()


def test_a_drop_into_another_rooms_column_moves_it_there(front_desk_client, clinic, frozen_now):
    appointment = _book(clinic, 10)
    other = clinic["rooms"][1]

    response = _drop(front_desk_client, appointment, "2026-11-23T10:00", other.pk, by="room")

    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.room == other


def test_a_drop_onto_a_clash_answers_409_and_nothing_moves(front_desk_client, clinic, frozen_now):
    appointment = _book(clinic, 10)
    _book(clinic, 13, room=1)

    response = _drop(
        front_desk_client, appointment, "2026-11-23T13:00", appointment.practitioner_id
    )

    assert response.status_code == 409
    assert response.json()["error"] == "That slot was just taken. Choose another time."
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime(2026, 11, 23, 10, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "column", "words"),
    [("2026-11-23T22:00", "own", "hours"), ("yesterday", "own", "not a time"),
     ("2026-11-23T13:00", "other", "keeps its practitioner"),
     ("0001-01-01T00:00", "own", "when the clinic opened"),
     ("9999-12-31T23:45", "own", "(two years ahead)"),
     ("2026-11-16T10:00", "own", "That time has passed")],
)  # fmt: skip
def test_a_refused_drop_says_why(front_desk_client, clinic, frozen_now, start, column, words):
    appointment = _book(clinic, 10)
    target = appointment.practitioner_id if column == "own" else clinic["practitioners"][1].pk

    response = _drop(front_desk_client, appointment, start, target)

    assert response.status_code == 400
    assert words in response.json()["error"]
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.version == 1


@pytest.mark.parametrize(("who", "expected"), [("practitioner", 403), ("manager", 403),
                                               ("outsider", 403), ("anonymous", 302)])  # fmt: skip
def test_only_the_front_desk_drops(role_clients, clinic, frozen_now, who, expected):
    appointment = _book(clinic, 10)

    response = _drop(
        role_clients[who], appointment, "2026-11-23T13:00", appointment.practitioner_id
    )

    assert response.status_code == expected
    appointment.refresh_from_db()
    assert appointment.version == 1


def test_the_column_filter_shows_one_and_is_remembered(front_desk_client, clinic, frozen_now):
    first, second = clinic["practitioners"]
    _book(clinic, 10)
    _book(clinic, 11, practitioner=1, room=1)

    front_desk_client.get(reverse("scheduling:calendar_day"), {"only": second.pk})
    remembered = front_desk_client.get(reverse("scheduling:calendar_day"))
    data = _data(front_desk_client, only=second.pk).json()

    assert remembered.context["config"]["only"] == second.pk
    assert data["columns"] == [[second.pk, str(second)]]
    assert [card[1] for card in data["appointments"]] == [second.pk]
    assert {column[0] for column in data["everyColumn"]} == {first.pk, second.pk}
    by_room = front_desk_client.get(reverse("scheduling:calendar_day"), {"by": "room"})
    assert by_room.context["config"]["only"] is None  # a practitioner is not a room


# --- The cards' badges ----------------------------------------------------------------


def _cards(client, **params):
    return {card[0]: card for card in _data(client, **params).json()["appointments"]}


def _ask_to_cancel(appointment):
    """The patient's reply asking to cancel, as the outbox records it."""
    PatientMessage.objects.filter(appointment=appointment).update(cancel_request_open=True)


def test_a_card_whose_patient_asked_to_cancel_says_so_and_no_other(
    front_desk_client, clinic, frozen_now
):
    asked = _book(clinic, 10)
    other = _book(clinic, 10, practitioner=1, room=1, patient=make_patient())
    _ask_to_cancel(asked)

    data = _data(front_desk_client).json()
    cards = {card[0]: card for card in data["appointments"]}

    assert cards[asked.pk][9] == 1
    assert cards[other.pk][9] == 0
    assert data["badges"]["cancel"][0] == "Asked to cancel"


def test_a_cancelled_appointments_old_request_carries_no_badge(
    front_desk_client, clinic, frozen_now
):
    asked = _book(clinic, 10)
    _ask_to_cancel(asked)
    Appointment.objects.filter(pk=asked.pk).update(status=Appointment.Status.CANCELLED)

    assert _cards(front_desk_client)[asked.pk][9] == 0


def test_each_card_carries_the_clearance_word_the_front_desk_sees(
    front_desk_client, clinic, frozen_now
):
    from treatments.consultations.services import consultation_sign, consultation_start

    practitioner = clinic["practitioners"][0].user
    cleared = _book(clinic, 10, patient=make_cleared_patient(practitioner).patient)
    unseen = _book(clinic, 10, practitioner=1, room=1)  # no signed consultation yet
    refused_patient = make_patient()
    consultation = consultation_start(patient=refused_patient, practitioner=practitioner)
    consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")
    refused = _book(clinic, 13, patient=refused_patient)

    data = _data(front_desk_client).json()
    cards = {card[0]: card for card in data["appointments"]}

    assert cards[cleared.pk][10] == "yes"
    assert cards[unseen.pk][10] == "review"
    assert cards[refused.pk][10] == "no"
    assert data["badges"]["yes"][0] == "Cleared for treatment"
    assert data["badges"]["no"][0] == "Not cleared for treatment"


def test_the_manager_who_does_not_see_patients_gets_no_clearance(
    manager_client, clinic, frozen_now
):
    booked = _book(
        clinic, 10, patient=make_cleared_patient(clinic["practitioners"][0].user).patient
    )

    assert _cards(manager_client)[booked.pk][10] == ""


def test_the_badges_are_columns_of_the_cards_query_however_many_cards(
    front_desk_client, clinic, frozen_now
):
    _book(clinic, 9)

    def sql() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert _data(front_desk_client).status_code == 200
        return [query["sql"] for query in queries.captured_queries]

    # The grid's own queries (counted in tests/test_page_query_counts.py); the badges, the
    # open requests to cancel and the patients' clearance, are asked inside the one that
    # reads the cards.
    before = sql()
    for hour in (11, 13, 15):
        _ask_to_cancel(_book(clinic, hour, patient=make_patient()))
    _book(clinic, 9, practitioner=1, room=1, patient=make_cleared_patient(
        clinic["practitioners"][1].user).patient)  # fmt: skip
    after = sql()

    assert len(after) == len(before)
    asking = [query for query in after if "messaging_patientmessage" in query]
    assert len(asking) == 1
    assert "treatments_consultation" in asking[0]
    assert 'FROM "scheduling_appointment"' in asking[0]


def test_the_day_list_shows_both_badges(front_desk_client, clinic, frozen_now):
    booked = _book(
        clinic, 10, patient=make_cleared_patient(clinic["practitioners"][0].user).patient
    )
    _ask_to_cancel(booked)

    page = front_desk_client.get(
        reverse("scheduling:calendar_list"), {"date": MONDAY.isoformat()}
    ).content.decode()

    assert 'data-testid="card-cancel-request"' in page
    assert "Asked to cancel" in page
    assert "Cleared for treatment" in page


# --- A consultation's medical history from home -----------------------------------------


def _consultation(clinic, hour, *, received=False, room=0):
    from clinic.scheduling.models import AppointmentType

    kind, _ = AppointmentType.objects.get_or_create(
        name="Consultation", defaults={"kind": "consultation", "duration_minutes": 30}
    )
    appointment = appointment_book(
        patient=make_patient(), practitioner=clinic["practitioners"][0], room=clinic["rooms"][room],
        appointment_type=kind, by=clinic["desk"],
        start=datetime.combine(MONDAY, time(hour), tzinfo=LONDON),
    )  # fmt: skip
    if received:
        _history_sent(appointment)
    return appointment


def _history_sent(appointment):
    """The patient sends their history from home, with something the desk must not see."""
    from django.utils import timezone

    from treatments.models import HomeHistory

    HomeHistory.objects.create(
        patient=appointment.patient, appointment=appointment,
        answers={"allergies": "Penicillin-SECRET"}, submitted_at=timezone.now(),
    )  # fmt: skip
    Appointment.objects.filter(pk=appointment.pk).update(history_received_at=timezone.now())


def test_a_consultation_card_says_whether_its_history_came_and_nothing_of_it(
    front_desk_client, clinic, frozen_now
):
    came = _consultation(clinic, 9, received=True)
    waiting = _consultation(clinic, 11)
    session = _book(clinic, 14)

    response = _data(front_desk_client)
    cards = {card[0]: card for card in response.json()["appointments"]}

    assert cards[came.pk][11] == "history"
    assert cards[waiting.pk][11] == "nohistory"
    assert cards[session.pk][11] == ""  # not a consultation: nothing to say
    badges = response.json()["badges"]
    assert badges["history"][0] == "History received"
    assert badges["nohistory"][0] == "No history yet"
    assert "SECRET" not in response.content.decode()


def test_the_history_badge_asks_no_query_of_its_own(front_desk_client, clinic, frozen_now):
    _consultation(clinic, 9)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _data(front_desk_client).status_code == 200
        return len(queries)

    before = count()
    _consultation(clinic, 11, received=True)
    _consultation(clinic, 13, room=1)
    assert count() == before


def test_the_day_list_shows_the_history_badge(front_desk_client, clinic, frozen_now):
    _consultation(clinic, 9, received=True)
    _consultation(clinic, 11)
    _book(clinic, 14)

    page = front_desk_client.get(
        reverse("scheduling:calendar_list"), {"date": MONDAY.isoformat()}
    ).content.decode()

    assert page.count('data-testid="card-history"') == 2
    assert "History received" in page
    assert "No history yet" in page
    assert "SECRET" not in page
