"""A patient who finds no time for a plan session joins the waitlist from the page where
they looked, and leaves it there; a freed time they accept books that session (not a loose
appointment) through the plan's own booking; the link alone says whose session it is."""

import importlib
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from clinic.messaging import links
from clinic.messaging.models import PatientMessage
from clinic.messaging.self_service import self_service_user
from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment, FreedSlot, WaitlistEntry, WaitlistOffer
from clinic.scheduling.waitlist import OfferPassed, offer_accept, waitlist_add
from clinic.staff.role_grants import grant_role_permissions
from patients.models import Patient
from patients.validators import normalise_phone
from tests.browser.conftest import ROLE_MIGRATIONS
from tests.factories import make_patient
from tests.lock_conflicts import deadlock
from tests.treatments.plans.plan_setup import clinic_setting, sessions
from tests.treatments.plans.test_nudges import MONDAY, _after_session_one
from treatments.models import TreatmentSession
from treatments.plans import patient_booking, patient_waitlist
from treatments.plans import services as plan_services
from treatments.plans.services import plan_cancel, plan_pause

pytestmark = pytest.mark.django_db
ST = TreatmentSession.Status
# A Tuesday inside session 2's window (21 December to 4 January), 10:00 in London.
IN_WINDOW = datetime(2026, 12, 22, 10, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def setting(practitioner, clock):
    return clinic_setting(practitioner)


@pytest.fixture
def plan(setting, clock):
    """Session 1 done; session 2 proposed, its window 21 December to 4 January."""
    plan = _after_session_one(setting, clock)
    Patient.objects.filter(pk=plan.patient_id).update(
        first_name="Ines", last_name="Okonkwo", email="ines@example.org",
        consents_to_transactional_email=True,
    )  # fmt: skip
    plan.refresh_from_db()
    return plan


def _second(plan) -> TreatmentSession:
    return sessions(plan)[1]


def _token(session) -> str:
    return links.purpose_token(links.BOOK_SESSION, session.pk)


def _page(session) -> str:
    return reverse("treatments:book_session", args=[_token(session)])


def _waitlist_url(session) -> str:
    return reverse("treatments:book_session_waitlist", args=[_token(session)])


def _join(client, session, with_whom="own"):
    return client.post(_waitlist_url(session), {"action": "join", "with_whom": with_whom})


def _someone_else_in_the_window(plan, setting) -> Appointment:
    """Another patient's appointment with the plan's practitioner inside the window, as
    long as the plan's sessions: the time a cancellation will free."""
    return booking.appointment_book(
        patient=make_patient(first_name="Carl"), practitioner=plan.preferred_practitioner,
        room=setting["rooms"][0], appointment_type=plan.treatment.appointment_type,
        start=IN_WINDOW, duration_minutes=plan.session_minutes, by=setting["desk"],
        now=timezone.now(),
    )  # fmt: skip


def test_the_page_offers_the_waitlist_to_a_patient_the_clinic_may_email(client, plan):
    response = client.get(_page(_second(plan)))

    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="join-waitlist"' in text
    assert f"{plan.preferred_practitioner} only" in text
    assert 'name="with_whom"' in text
    # Above the times, which can fill a phone's screen many times over: where the
    # waitlist is, and whom the first times are with.
    assert text.index('href="#waitlist"') < text.index('data-testid="book-times"')
    assert 'id="waitlist"' in text
    assert f"Times with {plan.preferred_practitioner} come first" in text


def test_a_patient_who_cannot_be_emailed_is_told_to_call(client, plan):
    Patient.objects.filter(pk=plan.patient_id).update(consents_to_transactional_email=False)
    type(plan.location).objects.filter(pk=plan.location_id).update(
        phone=normalise_phone("01225 000111")
    )
    plan.location.refresh_from_db()

    page = client.get(_page(_second(plan))).content.decode()
    joined = _join(client, _second(plan))

    assert 'data-testid="join-waitlist"' not in page
    assert "No time suits you? Call us on" in page
    assert plan.location.phone_display in page
    assert joined.status_code == 400
    assert "Please call the clinic" in joined.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_joining_puts_the_session_on_the_list_for_its_window_with_the_plan_s_practitioner(
    client, plan
):
    second = _second(plan)

    response = _join(client, second)

    assert response.status_code == 302
    assert response["Location"] == f"{_page(second)}?waitlist=joined#waitlist"
    entry = WaitlistEntry.objects.get()
    assert entry.patient == plan.patient
    assert entry.location == plan.location
    assert entry.appointment_type == plan.treatment.appointment_type
    assert entry.practitioner == plan.preferred_practitioner
    assert (entry.earliest, entry.latest) == (date(2026, 12, 21), date(2027, 1, 4))
    assert entry.duration_minutes == plan.session_minutes
    assert entry.joined_online
    assert entry.added_by is None
    assert entry.purpose == f"plan-session:{second.pk}"
    assert entry.purpose_label.startswith("Session 2 of")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="waitlist-joined"' in page
    assert "Until Monday 4 January" in page
    assert 'data-testid="join-waitlist"' not in page
    # The patient is the actor of what they did.
    done = LogEntry.objects.get(changes__has_key="patient action", action=LogEntry.Action.UPDATE)
    assert done.changes == {"patient action": ["", "joined the waitlist"]}
    assert done.actor is None
    assert done.actor_email == f"patient #{plan.patient.pk}"
    created = LogEntry.objects.get_for_object(entry).get(action=LogEntry.Action.CREATE)
    assert created.actor_email == f"patient #{plan.patient.pk}"


def test_any_practitioner_leaves_the_practitioner_open(client, plan):
    _join(client, _second(plan), with_whom="any")

    assert WaitlistEntry.objects.get().practitioner is None


def test_joining_twice_says_until_when(client, plan):
    second = _second(plan)
    _join(client, second)

    again = _join(client, second)

    assert again.status_code == 400
    assert "You are already on the list until Monday 4 January." in again.content.decode()
    assert WaitlistEntry.objects.count() == 1


def test_leaving_takes_the_session_off_the_list(client, plan):
    second = _second(plan)
    _join(client, second)

    response = client.post(_waitlist_url(second), {"action": "leave"})

    assert response["Location"] == f"{_page(second)}?waitlist=left#waitlist"
    entry = WaitlistEntry.objects.get()
    assert entry.status == WaitlistEntry.Status.REMOVED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="waitlist-left"' in page
    assert 'data-testid="join-waitlist"' in page
    again = client.post(_waitlist_url(second), {"action": "leave"})
    assert again.status_code == 400
    assert "You are not on the waitlist" in again.content.decode()


@pytest.mark.parametrize(
    "data",
    [{}, {"action": "join"}, {"action": "join", "with_whom": "me"}, {"action": "\x00" * 3}],
)
def test_a_bad_answer_is_refused_with_a_message(client, plan, data):
    response = client.post(_waitlist_url(_second(plan)), data)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_a_get_goes_back_to_the_page(client, plan):
    response = client.get(_waitlist_url(_second(plan)))

    assert response.status_code == 302
    assert response["Location"] == _page(_second(plan))


def test_bad_tampered_and_foreign_links_answer_404(client, plan):
    second = _second(plan)
    token = _token(second)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    change = links.purpose_token(links.CHANGE_APPOINTMENT, second.pk)
    missing = links.purpose_token(links.BOOK_SESSION, 999999)

    for bad in ("nonsense", tampered, change, missing):
        url = reverse("treatments:book_session_waitlist", args=[bad])
        response = client.post(url, {"action": "join", "with_whom": "any"})
        assert response.status_code == 404, bad
    assert not WaitlistEntry.objects.exists()


def test_an_expired_link_or_a_paused_plan_answers_410(client, plan, clock, settings):
    second = _second(plan)
    url = _waitlist_url(second)
    plan_pause(plan=plan)
    assert _join(client, second).status_code == 410

    clock.move_to(timezone.now() + settings.MESSAGE_LINK_MAX_AGE + timedelta(minutes=1), tick=False)

    response = client.post(url, {"action": "join", "with_whom": "any"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_joining_is_throttled(client, plan, settings):
    settings.PATIENT_LINK_RATE_PER_LINK = 2
    second = _second(plan)

    statuses = [_join(client, second).status_code for _ in range(3)]

    assert statuses == [302, 400, 429]


def test_a_freed_time_accepted_books_the_session_itself(client, plan, setting):
    second = _second(plan)
    theirs = _someone_else_in_the_window(plan, setting)
    _join(client, second)

    booking.appointment_cancel(
        appointment=theirs, reason="Unwell", by=setting["desk"], now=timezone.now()
    )
    offer = WaitlistOffer.objects.get(entry__patient=plan.patient)
    assert PatientMessage.objects.filter(kind="waitlist_offer", patient=plan.patient).exists()
    response = client.post(
        reverse("messaging:offer", args=[links.offer_token(offer.pk)]), {"action": "accept"}
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == ST.BOOKED
    appointment = second.appointment
    assert appointment is not None
    assert (appointment.patient, appointment.starts_at) == (plan.patient, IN_WINDOW)
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=plan.session_minutes)
    entry = WaitlistEntry.objects.get()
    assert (entry.status, entry.appointment) == ("booked", appointment)
    assert FreedSlot.objects.get().status == "booked"
    # The session is booked: its link has done its work.
    assert client.get(_page(second)).status_code == 410
    made = LogEntry.objects.get_for_object(appointment).get(action=LogEntry.Action.CREATE)
    assert made.actor_email == f"patient #{plan.patient.pk}"


def test_while_held_the_time_is_not_offered_on_the_page_and_then_it_is(client, plan, setting):
    theirs = _someone_else_in_the_window(plan, setting)
    # Another patient waits for any time with this practitioner.
    other_plan_patient = make_patient(email="ada@example.org")
    waitlist_add(
        patient=other_plan_patient, location=plan.location,
        appointment_type=plan.treatment.appointment_type,
        practitioner=plan.preferred_practitioner, earliest=date(2026, 12, 21),
        latest=date(2026, 12, 23), today=MONDAY.date(), by=setting["desk"],
    )  # fmt: skip
    booking.appointment_cancel(
        appointment=theirs, reason="Unwell", by=setting["desk"], now=timezone.now()
    )
    offer = WaitlistOffer.objects.get()

    def offered_at_ten() -> bool:
        days = client.get(_page(_second(plan))).context["days"]
        return any(
            o.start == IN_WINDOW and o.practitioner_id == plan.preferred_practitioner_id
            for d in days
            for o in (*d.own, *d.others)
        )

    assert not offered_at_ten()
    WaitlistOffer.objects.filter(pk=offer.pk).update(expires_at=timezone.now())
    assert offered_at_ten()


def test_pausing_the_plan_takes_its_session_off_the_list_and_lets_the_held_time_go(
    client, plan, setting
):
    second = _second(plan)
    theirs = _someone_else_in_the_window(plan, setting)
    _join(client, second)
    booking.appointment_cancel(
        appointment=theirs, reason="Unwell", by=setting["desk"], now=timezone.now()
    )
    offer = WaitlistOffer.objects.get()
    plan_pause(plan=plan)

    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert FreedSlot.objects.get().status == "open"
    assert WaitlistEntry.objects.get().status == "removed"


def test_the_patient_s_own_refusal_does_not_waste_the_time(plan, setting, client):
    second = _second(plan)
    theirs = _someone_else_in_the_window(plan, setting)
    _join(client, second)
    next_in_line = make_patient(first_name="Ben", email="ben@example.org")
    ben = waitlist_add(
        patient=next_in_line, location=plan.location,
        appointment_type=plan.treatment.appointment_type, practitioner=None,
        earliest=date(2026, 12, 21), latest=date(2026, 12, 23), today=MONDAY.date(),
        by=setting["desk"],
    )  # fmt: skip
    booking.appointment_cancel(
        appointment=theirs, reason="Unwell", by=setting["desk"], now=timezone.now()
    )
    offer = WaitlistOffer.objects.get(entry__patient=plan.patient)
    # The plan is on hold by the time they answer (written behind the services' back, so
    # that the entry stays): a refusal that is theirs, not the time's.
    type(plan).objects.filter(pk=plan.pk).update(status="paused")

    result = offer_accept(offer=offer, now=timezone.now(), by=self_service_user())

    assert result.appointment is None
    assert "cannot be booked online" in result.problem
    slot = FreedSlot.objects.get()
    assert slot.status == "open"  # still free: offered to the next
    assert WaitlistOffer.objects.get(entry=ben).is_pending


def test_booking_the_session_from_the_page_takes_it_off_the_list(client, plan):
    second = _second(plan)
    _join(client, second)
    days = client.get(_page(second)).context["days"]
    offer = days[0].own[0]

    response = client.post(
        _page(second), {"choice": f"{offer.start.isoformat()}@{offer.practitioner_id}"}
    )

    assert response.status_code == 200
    entry = WaitlistEntry.objects.get()
    assert (entry.status, entry.removed_reason) == ("removed", "The session is booked.")


# --- Locks: one order, and a lost one is "try again" --------------------------------------

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks"
)


# Data the migrations ship, gone once a race before this one flushed the database.
SHIPPED = [
    "treatments.migrations.0006_consent_text",
    "treatments.migrations.0012_catalog_and_plan_permissions",
]


@pytest.fixture
def shipped(transactional_db):
    for module in ROLE_MIGRATIONS:
        grant_role_permissions(apps, importlib.import_module(module).ROLE_PERMISSIONS)
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)


def _until_one_waits_for_a_lock() -> None:
    """Wait (ten seconds at most) until a connection waits for a row another holds."""
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("Nothing waited for a lock.")


def _offered(client, plan, setting) -> WaitlistOffer:
    """Session 2 waits; a cancellation in its window offers the patient that time."""
    theirs = _someone_else_in_the_window(plan, setting)
    _join(client, _second(plan))
    booking.appointment_cancel(
        appointment=theirs, reason="Unwell", by=setting["desk"], now=timezone.now()
    )
    return WaitlistOffer.objects.get(entry__patient=plan.patient)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["pause", "cancel"])
def test_a_plan_write_and_an_acceptance_at_once_do_not_deadlock(
    shipped, client, plan, setting, monkeypatch, write
):
    """The plan's write holds the plan and is about to let the waitlist go while the
    patient accepts the offer: the acceptance must wait for the plan before it takes the
    freed time, or each holds what the other waits for."""
    offer = _offered(client, plan, setting)
    plan_locked, go = threading.Event(), threading.Event()
    leave = plan_services.sessions_leave_waitlist

    def leave_when_told(**kwargs):
        plan_locked.set()
        go.wait(10)
        return leave(**kwargs)

    monkeypatch.setattr(plan_services, "sessions_leave_waitlist", leave_when_told)
    errors: list[BaseException] = []
    answers: list[object] = []

    def run(action):
        try:
            answers.append(action())
        except OfferPassed:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def change_plan():
        if write == "pause":
            return plan_pause(plan=plan)
        return plan_cancel(plan=plan, reason="Moving away", by=setting["desk"], now=timezone.now())

    online = self_service_user()  # made here: its audited write would queue it early

    def accept():
        plan_locked.wait(10)
        return offer_accept(offer=offer, now=timezone.now(), by=online)

    threads = [threading.Thread(target=run, args=(a,)) for a in (change_plan, accept)]
    for thread in threads:
        thread.start()
    assert plan_locked.wait(10)
    _until_one_waits_for_a_lock()  # the acceptance has taken what locks it could
    go.set()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert not Appointment.objects.filter(patient=plan.patient, starts_at=IN_WINDOW).exists()
    assert _second(plan).status != ST.BOOKED
    assert WaitlistEntry.objects.get(patient=plan.patient).status == "removed"


def test_a_plan_change_that_loses_a_lock_asks_to_try_again(practitioner_client, plan, monkeypatch):
    monkeypatch.setattr(plan_services, "plan_pause", deadlock)

    response = practitioner_client.post(
        reverse("treatments:plan_status", args=[plan.pk, "pause"]), follow=True
    )

    assert response.status_code == 200
    assert "Please try again." in response.content.decode()


def test_booking_or_waiting_that_loses_a_lock_asks_to_try_again(client, plan, monkeypatch):
    second = _second(plan)
    monkeypatch.setattr(patient_booking, "plan_session_book_by_patient", deadlock)
    monkeypatch.setattr(patient_waitlist, "session_waitlist_join", deadlock)

    choice = f"{IN_WINDOW.isoformat()}@{plan.preferred_practitioner_id}"

    booked = client.post(_page(second), {"choice": choice})
    joined = _join(client, second)

    for response in (booked, joined):
        assert response.status_code == 409
        assert "Please try again." in response.content.decode()
