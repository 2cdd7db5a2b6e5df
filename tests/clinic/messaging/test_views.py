"""/messages/ for staff, and /m/<token>/ for patients: who may see what, replies that
work once, and bad links answered with a plain page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from clinic.messaging.links import SALT, reply_token
from clinic.messaging.models import MessageSettings, PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling import services as booking
from clinic.scheduling.models import Appointment, Location

K = PatientMessage.Kind
St = PatientMessage.Status
BOOKED_AT = datetime(2026, 6, 1, 9, tzinfo=UTC)
START = datetime(2026, 6, 10, 9, tzinfo=UTC)  # 10:00 BST


@pytest.fixture
def appointment(place):
    with time_machine.travel(BOOKED_AT, tick=False):
        return booking.appointment_book(
            patient=place["patient"], practitioner=place["practitioner"], room=place["room"],
            appointment_type=place["type"], start=START, by=place["desk"],
        )  # fmt: skip


@pytest.fixture
def confirmation(appointment):
    return PatientMessage.objects.get(appointment=appointment, kind=K.CONFIRMATION)


def reply_address(message):
    return reverse("messaging:reply", args=[reply_token(message.pk)])


# --- Staff pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 200), ("manager", 200), ("outsider", 403)],
)
def test_who_may_read_the_messages(role_clients, confirmation, who, expected):
    client = role_clients[who]
    assert client.get(reverse("messaging:list")).status_code == expected
    assert client.get(reverse("messaging:detail", args=[confirmation.pk])).status_code == expected
    assert client.get(reverse("messaging:html", args=[confirmation.pk])).status_code == expected


def test_anonymous_visitors_are_sent_to_sign_in(role_clients, confirmation):
    for name, args in [("messaging:list", []), ("messaging:detail", [confirmation.pk])]:
        response = role_clients["anonymous"].get(reverse(name, args=args))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_preview_shows_what_the_patient_reads_without_a_working_link(
    front_desk_client, confirmation
):
    response = front_desk_client.get(reverse("messaging:detail", args=[confirmation.pk]))
    page = response.content.decode()
    assert "Your appointment on Wednesday 10 June 2026" in page
    assert "10:00 BST (Europe/London)" in page
    assert "/m/" not in page

    html = front_desk_client.get(reverse("messaging:html", args=[confirmation.pk]))
    assert "sandbox" in html["Content-Security-Policy"]
    assert "script-src" not in html["Content-Security-Policy"]


@pytest.mark.parametrize(("who", "expected"), [("practitioner", 403), ("manager", 403)])
def test_only_the_front_desk_resends(role_clients, confirmation, who, expected):
    response = role_clients[who].post(reverse("messaging:resend", args=[confirmation.pk]))
    assert response.status_code == expected


def test_resending_a_sent_message_keeps_the_first_and_sends_a_copy(
    front_desk_client, confirmation, mailoutbox
):
    with time_machine.travel(BOOKED_AT, tick=False):
        messages_dispatch()
    response = front_desk_client.post(reverse("messaging:resend", args=[confirmation.pk]))
    copy = PatientMessage.objects.exclude(pk=confirmation.pk).get(kind=K.CONFIRMATION)
    assert response.url == reverse("messaging:detail", args=[copy.pk])
    assert copy.status == St.PENDING
    confirmation.refresh_from_db()
    assert confirmation.status == St.SENT


def test_a_failed_message_is_sent_again_on_request(front_desk_client, confirmation):
    PatientMessage.objects.filter(pk=confirmation.pk).update(status=St.FAILED, attempts=8)
    front_desk_client.post(reverse("messaging:resend", args=[confirmation.pk]))
    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (St.PENDING, 0)


def test_a_stale_message_is_not_resent(front_desk_client, place, appointment, confirmation):
    PatientMessage.objects.filter(pk=confirmation.pk).update(status=St.CANCELLED)
    Appointment.objects.filter(pk=appointment.pk).update(version=2)
    response = front_desk_client.post(
        reverse("messaging:resend", args=[confirmation.pk]), follow=True
    )
    assert "The appointment moved" in response.content.decode()
    confirmation.refresh_from_db()
    assert confirmation.status == St.CANCELLED


def test_the_list_filters_and_rejects_nonsense_calmly(front_desk_client, confirmation):
    ok = front_desk_client.get(reverse("messaging:list"), {"status": "pending", "kind": "reminder"})
    assert ok.status_code == 200
    assert ok.content.decode().count('data-testid="message-row"') == 2
    odd = front_desk_client.get(reverse("messaging:list"), {"status": "nope", "page": "x\x00"})
    assert odd.status_code == 200


def test_the_manager_sets_when_patients_are_written_to(role_clients):
    address = reverse("messaging:settings")
    assert role_clients["front_desk"].get(address).status_code == 403
    manager = role_clients["manager"]
    bad = manager.post(address, {"reminder_hours_before": "999", "preparation_days_before": "0",
                                 "quiet_from": "25:00", "quiet_until": "08:00"})  # fmt: skip
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {
        "reminder_hours_before", "preparation_days_before", "quiet_from",
    }  # fmt: skip
    good = manager.post(address, {"reminder_hours_before": "24", "day_before_reminder_at": "",
                                  "preparation_days_before": "5", "quiet_from": "20:00",
                                  "quiet_until": "09:00"})  # fmt: skip
    assert good.status_code == 302
    saved = MessageSettings.objects.get()
    assert (saved.reminder_hours_before, saved.day_before_reminder_at) == (24, None)


# --- The patient's page ------------------------------------------------------------------


def test_the_reply_page_shows_only_first_name_date_time_and_place(client, place, confirmation):
    with time_machine.travel(BOOKED_AT, tick=False):
        page = client.get(reply_address(confirmation)).content.decode()
    assert "Hello Zoë" in page
    assert "Wednesday 10 June 2026" in page
    assert "10:00 BST" in page
    assert "Bath" in page
    patient = place["patient"]
    for private in (patient.last_name, patient.email, "1 Abbey Green", "Consultation"):
        assert private not in page


def test_confirming_works_once_then_says_it_was_used(client, appointment, confirmation):
    address = reply_address(confirmation)
    with time_machine.travel(BOOKED_AT + timedelta(hours=1), tick=False):
        first = client.post(address, {"action": "confirm"})
        assert first.status_code == 302
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CONFIRMED
        again = client.post(address, {"action": "cancel"})
    assert again.status_code == 400
    assert "This link has already been used." in again.content.decode()
    confirmation.refresh_from_db()
    assert confirmation.reply == PatientMessage.Reply.CONFIRMED


def test_asking_to_cancel_late_tells_the_front_desk(
    client, front_desk_client, appointment, confirmation
):
    with time_machine.travel(START - timedelta(hours=3), tick=False):
        client.post(reply_address(confirmation), {"action": "cancel"})
        page = front_desk_client.get(reverse("messaging:list")).content.decode()
    confirmation.refresh_from_db()
    assert confirmation.reply == PatientMessage.Reply.CANCEL_REQUESTED
    assert confirmation.reply_late
    assert 'data-testid="cancel-requests"' in page
    assert "late" in page
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED  # the front desk decides


def test_a_link_from_before_a_move_no_longer_works(client, place, appointment, confirmation):
    with time_machine.travel(BOOKED_AT, tick=False):
        booking.appointment_move(
            appointment=appointment, start=START + timedelta(days=1), by=place["desk"]
        )
        response = client.post(reply_address(confirmation), {"action": "confirm"})
    assert response.status_code == 400
    assert "This appointment has moved" in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "eyJtIjoxfQ:1tX:abc",
        "x" * 3000,
        "%00",
        signing.dumps({"m": "1"}, salt=SALT),
        signing.dumps([1], salt=SALT),
        signing.dumps({"m": 999999}, salt=SALT),
        signing.dumps({"m": 1}, salt="another purpose"),
    ],
)
def test_bad_and_tampered_links_get_a_plain_page(client, confirmation, token):
    response = client.get(f"/m/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_tampered_signature_is_refused(client, confirmation):
    token = reply_token(confirmation.pk)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(f"/m/{tampered}/", {"action": "confirm"})
    assert response.status_code == 404
    confirmation.refresh_from_db()
    assert confirmation.reply == ""


def test_an_expired_link_says_so_with_the_clinic_s_phone(client, confirmation, settings):
    Location.objects.filter(pk=confirmation.appointment.location_id).update(phone="+441174960123")
    address = reply_address(confirmation)
    with time_machine.travel(datetime.now(UTC) + settings.MESSAGE_LINK_MAX_AGE + timedelta(1)):
        response = client.get(address)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert 'href="tel:01174960123"' in response.content.decode()


def test_a_reply_that_is_neither_is_explained(client, confirmation):
    with time_machine.travel(BOOKED_AT, tick=False):
        response = client.post(reply_address(confirmation), {"action": "delete"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_outbox_and_a_messages_pages_are_in_the_audit_log(
    front_desk_client, front_desk, confirmation
):
    from auditlog.models import LogEntry

    front_desk_client.get(reverse("messaging:list"))
    front_desk_client.get(reverse("messaging:detail", args=[confirmation.pk]))
    front_desk_client.get(reverse("messaging:html", args=[confirmation.pk]))

    looks = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=front_desk)
    assert sorted((e.additional_data["page"], e.object_pk) for e in looks) == [
        ("message", str(confirmation.pk)),
        ("message (as sent)", str(confirmation.pk)),
        ("messages", ""),
    ]
    about_the_patient = looks.filter(additional_data__patient=confirmation.patient_id)
    assert about_the_patient.count() == 2
