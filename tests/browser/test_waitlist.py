"""Journeys, on a phone: a cancellation frees a time; the first patient waiting is offered
it by email and opens the offer; her hold runs out and the time goes to the next patient,
and her page says so; two patients holding the time press "Book this time" at the same
moment and one booking is made, the other told it was just taken. A patient lets her
offer go and the next leaves the list from his, each page checked by axe. And: a
patient who finds no time for her next session joins the waitlist from the page where
she looked; a cancellation frees a time; the offer's link books that session."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from clinic.messaging.links import offer_token
from clinic.messaging.models import MessageSettings
from clinic.messaging.services import messages_dispatch
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Leave,
    Location,
    OpeningHours,
    Room,
    WaitlistEntry,
    WaitlistOffer,
    WorkingHours,
)
from clinic.scheduling.services import appointment_book, appointment_cancel
from clinic.scheduling.waitlist import offers_pass_on, waitlist_add
from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from patients.models import Patient
from tests.browser.accessibility import assert_accessible, context_args
from tests.browser.test_patient_booking import K, _link, _plan_waiting_for_session_two, _send_now
from tests.factories import UserFactory, make_patient, make_practitioner, make_staff
from tests.treatments.plans.plan_setup import sessions
from treatments.models import TreatmentSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return context_args(browser_context_args, phone=True)


def _clinic_with_a_cancellation() -> tuple[Appointment, list]:
    bath = Location.objects.create(name="Bath", time_zone="Europe/London")
    room = Room.objects.create(location=bath, name="Room 1")
    practitioner = make_practitioner()
    for weekday in range(7):
        OpeningHours.objects.create(location=bath, weekday=weekday, opens=time(8), closes=time(20))
        WorkingHours.objects.create(
            practitioner=practitioner, location=bath, weekday=weekday,
            starts=time(8), ends=time(20),
        )  # fmt: skip
    kind = AppointmentType.objects.create(
        name="Treatment session", kind="treatment", duration_minutes=60
    )
    desk = make_staff()
    day = timezone.now().astimezone(bath.zone).date() + timedelta(days=3)
    booked = appointment_book(
        patient=make_patient(first_name="Carl"), practitioner=practitioner, room=room,
        appointment_type=kind, start=datetime.combine(day, time(10), tzinfo=bath.zone),
        by=desk, now=timezone.now(),
    )  # fmt: skip
    waiting = [
        waitlist_add(
            patient=make_patient(first_name=name, last_name="Waiting", email=f"{name}@example.org"),
            location=bath,
            appointment_type=kind,
            practitioner=None,
            earliest=day - timedelta(days=1),
            latest=day + timedelta(days=7),
            today=timezone.now().astimezone(bath.zone).date(),
            by=desk,
        )
        for name in ("ada", "ben", "cy")
    ]
    appointment_cancel(appointment=booked, reason="Unwell", by=desk, now=timezone.now())
    return booked, waiting


def _offer_link(to: str) -> str:
    """Send what is due now and take the offer's link from the email to ``to``."""
    messages_dispatch()
    email = next(m for m in reversed(mail.outbox) if m.to == [to] and "come free" in m.subject)
    link = re.search(r"https?://\S+/w/\S+/", str(email.body))
    assert link is not None
    return urlsplit(link.group(0)).path


def test_a_freed_time_goes_to_the_first_then_the_next_and_becomes_one_booking(
    live_server, page: Page, browser: Browser, screenshot, console_errors
):
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(0), "quiet_until": time(0)}
    )
    booked, (ada, ben, cy) = _clinic_with_a_cancellation()

    # Ada joined first: she is offered the time and opens the offer on her phone.
    ada_link = _offer_link("ada@example.org")
    page.goto(f"{live_server.url}{ada_link}")
    expect(page.get_by_role("heading", name="Hello Ada")).to_be_visible()
    expect(page.get_by_text("10:00")).to_be_visible()
    expect(page.get_by_text("Waiting")).to_have_count(0)
    assert_accessible(page)
    screenshot("waitlist-offer-on-a-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # She lets the page sit; her hold runs out and the time is offered to Ben.
    WaitlistOffer.objects.filter(entry=ada).update(expires_at=timezone.now())
    assert offers_pass_on(now=timezone.now()) == 1
    ben_page = browser.new_context(**context_args({}, phone=True)).new_page()
    ben_page.goto(f"{live_server.url}{_offer_link('ben@example.org')}")
    expect(ben_page.get_by_role("heading", name="Hello Ben")).to_be_visible()

    # Ada, back at her page, is told the time went on; she cannot book it.
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_text("This time is no longer held for you")).to_be_visible()
    assert_accessible(page)
    screenshot("waitlist-offer-passed-on")

    # One freed time must make one booking even when two patients hold it at once. No
    # path of the clinic offers a time twice, so the test gives Cy a second hold itself;
    # both press together, and only the lock on the freed time stands between them.
    ben_offer = WaitlistOffer.objects.get(entry=ben)
    cy_offer = WaitlistOffer.objects.create(
        slot=ben_offer.slot, entry=cy, offered_at=timezone.now(), expires_at=ben_offer.expires_at
    )
    cy_page = browser.new_context(**context_args({}, phone=True)).new_page()
    cy_page.goto(f"{live_server.url}/w/{offer_token(cy_offer.pk)}/")
    expect(cy_page.get_by_role("heading", name="Hello Cy")).to_be_visible()
    ben_button = ben_page.get_by_role("button", name="Book this time")
    cy_button = cy_page.get_by_role("button", name="Book this time")
    ben_button.click(no_wait_after=True)
    cy_button.click(no_wait_after=True)

    made = Appointment.objects.filter(starts_at=booked.starts_at, status="booked")
    answered = re.compile("it is booked|just taken|This time is no longer free")
    expect(ben_page.get_by_role("main")).to_contain_text(answered)
    expect(cy_page.get_by_role("main")).to_contain_text(answered)
    assert made.count() == 1
    winner = made.get().patient
    assert winner in (ben.patient, cy.patient)
    won, lost = (ben_page, cy_page) if winner == ben.patient else (cy_page, ben_page)
    expect(won.get_by_test_id("offer-booked")).to_be_visible()
    # Which words the other sees depends on whether the winner's booking was done when
    # that press arrived (the page then says so at once) or only when it reached the lock.
    expect(lost.get_by_role("main")).to_contain_text(
        re.compile("that time was just taken|This time is no longer free")
    )
    assert_accessible(won)
    assert_accessible(lost)
    assert WaitlistOffer.objects.filter(status="accepted").count() == 1
    # Ada's page answered 410 (Gone), as a passed offer should, and the other press 409
    # (Conflict) or 410; nothing else went wrong.
    refusals = ("status of 409", "status of 410")
    assert [e for e in console_errors if not any(r in e for r in refusals)] == []


def test_a_patient_lets_a_time_go_and_the_next_leaves_the_list(
    live_server, page: Page, browser: Browser, console_errors
):
    MessageSettings.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(0), "quiet_until": time(0)}
    )
    _booked, (ada, ben, cy) = _clinic_with_a_cancellation()

    page.goto(f"{live_server.url}{_offer_link('ada@example.org')}")
    page.get_by_role("button", name="No thanks").click()
    expect(page.get_by_test_id("offer-declined")).to_have_text(
        "Thank you for letting us know. You stay on the waitlist."
    )
    assert_accessible(page)

    ben_page = browser.new_context(**context_args({}, phone=True)).new_page()
    ben_page.goto(f"{live_server.url}{_offer_link('ben@example.org')}")
    ben_page.get_by_role("button", name="Take me off the waitlist").click()
    expect(ben_page.get_by_role("heading", name="You have left the waitlist")).to_be_visible()
    assert_accessible(ben_page)

    ada.refresh_from_db()
    ben.refresh_from_db()
    assert (ada.status, ben.status) == (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.REMOVED)
    assert WaitlistOffer.objects.get(entry=cy).is_pending  # the time went on to Cy
    assert console_errors == []


# --- A patient who finds no time waits for one ------------------------------------------------


def _no_time_in_the_window_but_one_taken(plan) -> Appointment:
    """Every practitioner is away over session 2's window but for one hour, and another
    patient has that hour: the page finds no time. Their appointment is returned."""
    second = sessions(plan)[1]
    zone = plan.location.zone
    day = next(
        second.window_first + timedelta(days=n)
        for n in range(1, 14)
        if (second.window_first + timedelta(days=n)).weekday() in (0, 1, 2, 3)
    )
    start = datetime.combine(day, time(10), tzinfo=zone)
    theirs = appointment_book(
        patient=make_patient(first_name="Carl", email="carl@example.org"),
        practitioner=plan.preferred_practitioner,
        room=Room.objects.filter(location=plan.location).order_by("pk")[0],
        appointment_type=plan.treatment.appointment_type, start=start,
        duration_minutes=plan.session_minutes, by=make_staff(), now=timezone.now(),
    )  # fmt: skip
    window_start = datetime.combine(second.window_first, time(0), tzinfo=zone)
    window_end = datetime.combine(second.window_last + timedelta(days=1), time(0), tzinfo=zone)
    for profile in PractitionerProfile.objects.all():
        if profile == plan.preferred_practitioner:
            Leave.objects.create(practitioner=profile, starts_at=window_start, ends_at=start)
            Leave.objects.create(practitioner=profile, starts_at=theirs.ends_at, ends_at=window_end)
        else:
            Leave.objects.create(practitioner=profile, starts_at=window_start, ends_at=window_end)
    return theirs


def test_a_patient_who_finds_no_time_waits_and_the_freed_time_books_the_session(
    live_server, page: Page, screenshot, console_errors
):
    practitioner = UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])
    plan = _plan_waiting_for_session_two(practitioner)
    theirs = _no_time_in_the_window_but_one_taken(plan)
    path = _link(_send_now(K.NEXT_SESSION), "book")

    # Ines finds no time on her phone and joins the waitlist.
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_test_id("no-times")).to_be_visible()
    join = page.get_by_test_id("join-waitlist")
    expect(join).to_be_visible()
    assert_accessible(page)
    join.get_by_label("Any practitioner").check()
    join.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_test_id("waitlist-joined")).to_be_visible()
    expect(page.get_by_test_id("on-waitlist")).to_contain_text("with any practitioner")
    assert_accessible(page)
    screenshot("patient-joins-the-waitlist-for-a-session")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Carl cancels: the time is offered to Ines by email.
    appointment_cancel(appointment=theirs, reason="Unwell", by=make_staff(), now=timezone.now())
    offer_path = _offer_link(Patient.objects.get(pk=plan.patient_id).email)
    page.goto(f"{live_server.url}{offer_path}")
    expect(page.get_by_role("heading", name="Hello Ines")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_test_id("offer-booked")).to_be_visible()
    screenshot("waitlist-offer-books-the-session")

    # The session itself is booked (not a loose appointment), and its link is spent.
    second = sessions(plan)[1]
    assert second.status == TreatmentSession.Status.BOOKED
    assert second.appointment is not None
    assert second.appointment.starts_at == theirs.starts_at
    assert WaitlistEntry.objects.get(patient=plan.patient_id).status == "booked"
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_text("This session is already booked")).to_be_visible()
    assert [error for error in console_errors if "status of 410" not in error] == []
