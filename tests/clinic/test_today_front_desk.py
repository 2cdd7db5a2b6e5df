"""The front desk's Today for one location: arrivals cut at its own midnight with check-in
and no-show at hand, and the to-do list, windowed so that it stays light."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Closure, Leave, Location, Room
from clinic.scheduling.services import appointment_book, appointment_cancel
from clinic.today import ARRIVALS_SHOWN, TODO_SHOWN
from tests.factories import make_appointment, make_patient
from tests.signing_in import sign_in
from tests.treatments.plans.plan_setup import book_plan, clinic_setting, complete, sessions

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 23 November 2026, 15:00 in London, 10:00 in New York.
NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _today(client, **params):
    return client.get(reverse("today"), params)


def _book(bath, hour, *, day=MONDAY, practitioner=0, room=0, first_name="Zoë"):
    from clinic.scheduling.models import AppointmentType

    kind, _ = AppointmentType.objects.get_or_create(
        name="Consultation", defaults={"kind": "consultation", "duration_minutes": 30}
    )
    return appointment_book(
        patient=make_patient(first_name=first_name),
        practitioner=bath["practitioners"][practitioner],
        room=bath["rooms"][room], appointment_type=kind, by=bath["desk"],
        start=datetime.combine(day, time(hour), tzinfo=LONDON),
    )  # fmt: skip


def test_arrivals_come_in_time_order_with_check_in_and_no_show_at_hand(
    front_desk_client, bath, clock
):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        later, earlier = _book(bath, 16), _book(bath, 9, room=1, first_name="Ada")

    response = _today(front_desk_client)

    rows = response.context["desk"].arrivals.rows
    assert [row.pk for row in rows] == [earlier.pk, later.pk]
    html = response.content.decode()
    assert f"No-show: {earlier.patient.full_name}" in html  # it has started: it may be missed
    assert f"No-show: {later.patient.full_name}" not in html
    assert f"Check in {later.patient.full_name}" in html


def test_more_arrivals_ask_no_more_queries(front_desk_client, bath, clock):
    """Check-in is decided on the location's day: the location comes with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        _book(bath, 16)
    with CaptureQueriesContext(connection) as one:
        _today(front_desk_client)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        for hour in (10, 11, 16):
            _book(bath, hour, room=1, practitioner=1)
        _book(bath, 10)
    with CaptureQueriesContext(connection) as five:
        response = _today(front_desk_client)

    assert len(response.context["desk"].arrivals.rows) == 5
    assert response.content.decode().count(">Check in</button>") == 5
    assert len(five) == len(one)


def test_the_day_is_one_locations_cut_at_its_own_midnight(front_desk_client, bath, clock):
    new_york = Location.objects.create(name="Manhattan", time_zone="America/New_York")
    suite = Room.objects.create(location=new_york, name="Suite 1")
    late = make_appointment(  # 22:00 in New York is 03:00 the next day in London
        starts_at=datetime(2026, 11, 23, 22, tzinfo=NEW_YORK), room=suite
    )
    make_appointment(starts_at=datetime(2026, 11, 23, 16, tzinfo=LONDON))

    response = _today(front_desk_client, location=new_york.pk)

    assert [row.pk for row in response.context["desk"].arrivals.rows] == [late.pk]
    assert "22:00" in response.content.decode()


def test_the_arrivals_are_windowed(front_desk_client, bath, clock, django_assert_max_num_queries):
    for n in range(ARRIVALS_SHOWN + 2):
        make_appointment(starts_at=datetime.combine(MONDAY, time(8), tzinfo=LONDON)
                         + timedelta(minutes=10 * n))  # fmt: skip

    response = _today(front_desk_client)

    assert len(response.context["desk"].arrivals.rows) == ARRIVALS_SHOWN
    assert 'data-testid="more-arrivals"' in response.content.decode()


def test_a_patient_who_asked_to_cancel_is_on_the_list(front_desk_client, bath, clock):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        appointment = _book(bath, 11, day=MONDAY + timedelta(days=1))
    message = PatientMessage.objects.filter(appointment=appointment).earliest("pk")
    message.reply = PatientMessage.Reply.CANCEL_REQUESTED
    message.cancel_request_open = True  # as the patient's reply page leaves it
    message.save(update_fields=["reply", "cancel_request_open"])

    html = _today(front_desk_client).content.decode()

    assert html.count('data-testid="todo-cancel-request"') == 1
    assert appointment.patient.full_name in html


def _asks_to_cancel(appointment):
    message = PatientMessage.objects.filter(appointment=appointment).earliest("pk")
    message.reply = PatientMessage.Reply.CANCEL_REQUESTED
    message.cancel_request_open = True  # as the patient's reply page leaves it
    message.save(update_fields=["reply", "cancel_request_open"])


def test_more_cancel_requests_ask_no_more_queries(front_desk_client, bath, clock):
    """Each request shows its time in its location's zone: the location comes with it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tomorrow = MONDAY + timedelta(days=1)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        _asks_to_cancel(_book(bath, 10, day=tomorrow))
    with CaptureQueriesContext(connection) as one:
        _today(front_desk_client)
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        for hour in (11, 12, 13):
            _asks_to_cancel(_book(bath, hour, day=tomorrow))
    with CaptureQueriesContext(connection) as four:
        response = _today(front_desk_client)

    assert response.content.decode().count('data-testid="todo-cancel-request"') == 4
    assert len(four) == len(one)


def test_appointments_on_new_leave_or_closures_are_named_with_a_link_to_move_them(
    front_desk_client, bath, clock
):
    tuesday = MONDAY + timedelta(days=1)
    on_leave = _book(bath, 10, day=tuesday, first_name="Ada")
    closed = _book(bath, 10, day=tuesday + timedelta(days=1), first_name="Bea")
    fine = _book(bath, 14, day=tuesday, practitioner=1, room=1, first_name="Cy")
    Leave.objects.create(
        practitioner=bath["practitioners"][0], reason="Course",
        starts_at=datetime.combine(tuesday, time(9), tzinfo=LONDON),
        ends_at=datetime.combine(tuesday, time(12), tzinfo=LONDON),
    )  # fmt: skip
    Closure.objects.create(location=bath["location"], first_day=tuesday + timedelta(days=1),
                           last_day=tuesday + timedelta(days=1), reason="Flood")  # fmt: skip

    response = _today(front_desk_client)

    clashes = response.context["to_do"].clashes.rows
    assert [appointment for appointment, _ in clashes] == [on_leave, closed]
    assert clashes[0][1] == f"{bath['practitioners'][0]} is on leave"
    assert clashes[1][1] == "the clinic is closed (Flood)"
    html = response.content.decode()
    assert reverse("scheduling:appointment", args=[on_leave.pk]) in html
    assert fine.patient.full_name not in html


def test_a_cancelled_appointment_is_no_longer_a_clash(front_desk_client, bath, clock):
    tuesday = MONDAY + timedelta(days=1)
    appointment = _book(bath, 10, day=tuesday)
    Closure.objects.create(location=bath["location"], first_day=tuesday, last_day=tuesday)
    appointment_cancel(appointment=appointment, reason="Closed", by=bath["desk"], now=NOW)

    assert _today(front_desk_client).context["to_do"].clashes.rows == []


def test_failed_messages_are_on_the_list_and_windowed(front_desk_client, bath, clock):
    patient = make_patient()
    for n in range(TODO_SHOWN + 1):
        PatientMessage.objects.create(
            key=f"failed-{n}", patient=patient, kind=PatientMessage.Kind.REMINDER,
            time_zone="Europe/London", due_at=NOW, status=PatientMessage.Status.FAILED,
        )  # fmt: skip

    response = _today(front_desk_client)

    assert len(response.context["to_do"].failed_messages.rows) == TODO_SHOWN
    assert response.context["to_do"].failed_messages.more
    assert 'data-testid="todo-failed-message"' in response.content.decode()


def test_a_plan_session_whose_window_is_open_and_unbooked_is_on_the_list(
    client, front_desk, practitioner
):
    with time_machine.travel(datetime(2026, 11, 23, 8, tzinfo=UTC), tick=False) as clock:
        setting = clinic_setting(practitioner)
        plan = book_plan(setting)
        first, second, *_ = sessions(plan)
        clock.move_to(first.start + timedelta(hours=2), tick=False)
        complete(first, setting["practitioner"])
        appointment_cancel(
            appointment=second.appointment, reason="Will call", by=setting["desk"],
            now=timezone.now(),
        )  # fmt: skip
        sign_in(client, front_desk)
        before = client.get(reverse("today")).context["to_do"].unbooked_sessions.rows
        clock.move_to(datetime(2026, 12, 22, 9, tzinfo=UTC), tick=False)
        sign_in(client, front_desk)
        response = client.get(reverse("today"))

    assert before == []  # its window has not opened yet
    [(session, window)] = response.context["to_do"].unbooked_sessions.rows
    assert session.number == 2
    assert window.first <= date(2026, 12, 22)
    assert 'data-testid="todo-unbooked-session"' in response.content.decode()


def test_nothing_waiting_says_so(front_desk_client, bath, clock):
    assert "Nothing waiting." in _today(front_desk_client).content.decode()


@pytest.mark.parametrize(("who", "shown"), [("front_desk", True), ("practitioner", False),
                                            ("manager", False)])  # fmt: skip
def test_only_the_front_desk_has_the_to_do_list(role_clients, bath, clock, who, shown):
    html = role_clients[who].get(reverse("today")).content.decode()

    assert ('data-testid="to-do"' in html) is shown


def test_a_consultation_arriving_says_whether_its_history_came_and_nothing_of_it(
    front_desk_client, bath, clock
):
    from clinic.scheduling.models import Appointment, AppointmentType
    from treatments.models import HomeHistory

    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        came, waiting = _book(bath, 16), _book(bath, 10, first_name="Ada")
        session_type = AppointmentType.objects.create(
            name="Treatment session", kind="treatment", duration_minutes=60
        )
        session = appointment_book(
            patient=make_patient(first_name="Bo"), practitioner=bath["practitioners"][1],
            room=bath["rooms"][1], appointment_type=session_type, by=bath["desk"],
            start=datetime.combine(MONDAY, time(16), tzinfo=LONDON),
        )  # fmt: skip
    HomeHistory.objects.create(
        patient=came.patient, appointment=came, answers={"allergies": "Penicillin-SECRET"},
        submitted_at=NOW,
    )  # fmt: skip
    Appointment.objects.filter(pk=came.pk).update(history_received_at=NOW)

    html = _today(front_desk_client).content.decode()

    rows = {row.split("</tr>")[0] for row in html.split('data-testid="appointment-row"')[1:]}
    by_name = {
        name: next(row for row in rows if name in row)
        for name in (came.patient.full_name, waiting.patient.full_name, session.patient.full_name)
    }
    assert "History received" in by_name[came.patient.full_name]
    assert "No history yet" in by_name[waiting.patient.full_name]
    assert "history" not in by_name[session.patient.full_name].lower()
    assert "SECRET" not in html
