"""/messages/ at any size: a page at a time from where the last ended, a fixed number of
queries however many messages there are, and "won't send" with its reason wherever a
waiting message is shown."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from clinic.messaging.models import PatientMessage
from clinic.messaging.services import messages_dispatch
from clinic.scheduling import services as booking
from tests.factories import make_patient

K = PatientMessage.Kind
St = PatientMessage.Status
NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)
START = datetime(2026, 6, 10, 9, tzinfo=UTC)
NO_CONSENT = "The patient has not agreed to appointment and care emails."
NO_ADDRESS = "There is no email address on the patient's record."


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book(place, patient=None, start=START):
    return booking.appointment_book(
        patient=patient or place["patient"], practitioner=place["practitioner"],
        room=place["room"], appointment_type=place["type"], start=start, by=place["desk"],
    )  # fmt: skip


def add_messages(n, *, due_from=NOW, status=St.SENT, ties=1, **fields):
    """``n`` messages to as many new patients, newest due last; ``ties`` share a due time."""
    rows = []
    for i in range(n):
        patient = make_patient(last_name=f"Patient{i:03d}")
        rows.append(
            PatientMessage(
                key=f"test:{status}:{due_from:%Y%m%d}:{i}", patient=patient, kind=K.REMINDER,
                time_zone="Europe/London", due_at=due_from + timedelta(hours=i // ties),
                status=status, sent_at=NOW if status == St.SENT else None, **fields,
            )
        )  # fmt: skip
    return PatientMessage.objects.bulk_create(rows)


def shown_ids(response):
    return [m.pk for m in response.context["page"].rows]


# --- What it costs ---------------------------------------------------------------------------


def _later_page(front_desk_client, query, direction):
    first = front_desk_client.get(reverse("messaging:list"), query)
    if direction == "older":
        return first.context["older_url"]
    older = first.context["older_url"]
    return front_desk_client.get(reverse("messaging:list") + older).context["newer_url"]


@pytest.mark.parametrize("query", [{}, {"status": "sent"}, {"kind": "reminder"}])
@pytest.mark.parametrize("which", ["first", "older", "newer"])
def test_the_list_costs_ten_queries_with_4_or_160_messages(
    front_desk_client, place, clock, django_assert_num_queries, query, which
):
    def load():
        address = reverse("messaging:list") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
        if which != "first":
            address = reverse("messaging:list") + _later_page(front_desk_client, query, which)
        # A process looks up the message's record type for the audit log once and keeps it.
        ContentType.objects.get_for_model(PatientMessage)
        with django_assert_num_queries(10):
            # session, user, the roles with their permissions (the view), the page of
            # messages with their patients and appointments' locations, the audit entry
            # (its INSERT, the chain head locked, the seal, the head moved on), the counts
            # of due, sending and failed, the requests to cancel
            response = front_desk_client.get(address)
        assert response.status_code == 200
        return response

    appointment = book(place)
    add_messages(60, due_from=NOW - timedelta(days=30))
    small = load()
    add_messages(100, due_from=NOW - timedelta(days=90), ties=3)
    add_messages(
        5, due_from=NOW - timedelta(days=5), appointment=appointment,
        reply=PatientMessage.Reply.CANCEL_REQUESTED,
    )  # fmt: skip
    assert PatientMessage.objects.count() > 160
    large = load()
    assert len(large.context["page"].rows) == 50
    assert len(small.context["page"].rows) <= 50


# --- Paging ------------------------------------------------------------------------------------


def test_older_pages_walk_every_message_once_and_newer_pages_walk_back(front_desk_client, clock):
    # Three messages share each due time, so pages must break ties on the id.
    add_messages(131, ties=3)
    expected = list(PatientMessage.objects.order_by("-due_at", "-pk").values_list("pk", flat=True))

    seen, pages, address = [], [], reverse("messaging:list")
    while address:
        response = front_desk_client.get(address)
        pages.append(shown_ids(response))
        seen += pages[-1]
        older = response.context["older_url"]
        address = reverse("messaging:list") + older if older else ""
    assert seen == expected
    assert [len(p) for p in pages] == [50, 50, 31]

    back = []
    newer = response.context["newer_url"]
    while newer:
        response = front_desk_client.get(reverse("messaging:list") + newer)
        back.append(shown_ids(response))
        newer = response.context["newer_url"]
    assert back == [pages[1], pages[0]]


def test_paging_keeps_the_chosen_status_and_kind(front_desk_client, clock):
    add_messages(60, status=St.SENT)
    add_messages(60, status=St.CANCELLED)
    first = front_desk_client.get(reverse("messaging:list"), {"status": "cancelled"})
    older = first.context["older_url"]
    assert parse_qs(urlparse(older).query)["status"] == ["cancelled"]
    second = front_desk_client.get(reverse("messaging:list") + older)
    statuses = {m.status for m in second.context["page"].rows}
    assert statuses == {St.CANCELLED}
    assert len(shown_ids(first) + shown_ids(second)) == 60


@pytest.mark.parametrize(
    "token",
    [
        "nope",
        "20260601T090000000000",
        "20260601T090000000000-0",
        "20260601T090000000000--4",
        "20261301T090000000000-4",
        "20260601T090000000000-" + "9" * 30,
        "20260601T090000000000-٣",
        "x" * 41,
        "a\x00b",
    ],
)
@pytest.mark.parametrize("direction", ["before", "after"])
def test_a_page_address_that_makes_no_sense_shows_the_newest_and_says_so(
    front_desk_client, clock, token, direction
):
    add_messages(3)
    response = front_desk_client.get(reverse("messaging:list"), {direction: token})
    assert response.status_code == 200
    assert 'data-testid="lost-place"' in response.content.decode()
    assert shown_ids(response) == list(
        PatientMessage.objects.order_by("-due_at", "-pk").values_list("pk", flat=True)
    )


def test_due_sending_and_failed_are_counted_and_history_is_only_listed(front_desk_client, clock):
    add_messages(4, status=St.PENDING)
    add_messages(2, status=St.FAILED)
    add_messages(7, status=St.SENT)
    counts = front_desk_client.get(reverse("messaging:list")).content.decode()
    counts = counts[counts.index('data-testid="message-counts"') :][:900]
    assert "Due: 4" in counts
    assert "Failed: 2" in counts
    assert "Sending: 0" in counts
    assert "?status=sent" in counts
    assert "Sent:" not in counts


# --- Won't send ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("details", "reason"),
    [({"consents_to_transactional_email": False}, NO_CONSENT), ({"email": ""}, NO_ADDRESS)],
)
def test_a_message_that_will_not_go_says_so_and_why_wherever_it_is_shown(
    front_desk_client, place, clock, details, reason
):
    patient = make_patient(first_name="Ivy", **details)
    appointment = book(place, patient=patient)
    confirmation = PatientMessage.objects.get(appointment=appointment, kind=K.CONFIRMATION)
    pages = [
        reverse("messaging:list"),
        reverse("messaging:detail", args=[confirmation.pk]),
        reverse("patients:detail", args=[patient.pk]),
        reverse("scheduling:appointment", args=[appointment.pk]),
    ]
    for address in pages:
        page = front_desk_client.get(address).content.decode()
        assert "Won't send" in page, address
        assert reason.replace("'", "&#x27;") in page, address

    # Dispatch decides by the same rule when the message falls due.
    clock.move_to(START - timedelta(days=2))
    messages_dispatch()
    confirmation.refresh_from_db()
    assert confirmation.status == St.SKIPPED
    assert confirmation.skip_reason == reason


def test_a_message_that_can_go_still_reads_due(front_desk_client, place, clock):
    appointment = book(place)
    confirmation = PatientMessage.objects.get(appointment=appointment, kind=K.CONFIRMATION)
    page = front_desk_client.get(reverse("messaging:detail", args=[confirmation.pk]))
    assert 'data-testid="message-status">Due<' in page.content.decode()
    assert "Won't send" not in front_desk_client.get(reverse("messaging:list")).content.decode()


def test_once_the_patient_agrees_the_message_is_due_again(front_desk_client, place, clock):
    patient = make_patient(consents_to_transactional_email=False)
    book(place, patient=patient)
    assert "Won't send" in front_desk_client.get(reverse("messaging:list")).content.decode()
    patient.consents_to_transactional_email = True
    patient.save(update_fields=["consents_to_transactional_email"])
    assert "Won't send" not in front_desk_client.get(reverse("messaging:list")).content.decode()


# --- Requests to cancel ----------------------------------------------------------------------


def _ask_to_cancel(client, appointment):
    from clinic.messaging.links import reply_token

    confirmation = PatientMessage.objects.get(appointment=appointment, kind=K.CONFIRMATION)
    address = reverse("messaging:reply", args=[reply_token(confirmation.pk)])
    assert client.post(address, {"action": "cancel"}).status_code == 302
    return confirmation


def requests_listed(front_desk_client):
    return front_desk_client.get(reverse("messaging:list")).context["cancel_requests"]


@pytest.mark.parametrize("dealt_with", ["cancelled", "missed"])
def test_a_request_to_cancel_leaves_the_list_once_dealt_with_and_stays_on_record(
    client, front_desk_client, place, clock, dealt_with
):
    appointment = book(place)
    asked = _ask_to_cancel(client, appointment)
    assert [m.pk for m in requests_listed(front_desk_client)] == [asked.pk]

    if dealt_with == "cancelled":
        booking.appointment_cancel(
            appointment=appointment, reason="Asked by email", by=place["desk"], now=NOW
        )
    else:
        clock.move_to(START + timedelta(hours=1))
        booking.appointment_mark_no_show(appointment=appointment, now=START + timedelta(hours=1))
    assert requests_listed(front_desk_client) == []
    asked.refresh_from_db()
    assert asked.reply_asks_to_cancel
    assert not asked.cancel_request_open


@pytest.mark.parametrize("dealt_with", ["cancelled", "missed"])
def test_kept_in_the_shared_cache_the_requests_still_leave_the_list_once_dealt_with(
    client, front_desk_client, place, clock, dealt_with, shared_cache,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The list is kept under the front desk's to-do generation (clinic/shared_cache.py):
    the patient's request and each way of dealing with it list it afresh."""
    appointment = book(place)
    assert "Patients asking to cancel" not in _outbox(front_desk_client)  # kept now
    with django_capture_on_commit_callbacks(execute=True):
        _ask_to_cancel(client, appointment)
    assert "Patients asking to cancel" in _outbox(front_desk_client)

    with django_capture_on_commit_callbacks(execute=True):
        if dealt_with == "cancelled":
            booking.appointment_cancel(
                appointment=appointment, reason="Asked by email", by=place["desk"], now=NOW
            )
        else:
            clock.move_to(START + timedelta(hours=1))
            booking.appointment_mark_no_show(
                appointment=appointment, now=START + timedelta(hours=1)
            )
    assert "Patients asking to cancel" not in _outbox(front_desk_client)


def _outbox(front_desk_client) -> str:
    return front_desk_client.get(reverse("messaging:list")).content.decode()


def test_a_request_to_cancel_stays_open_when_the_appointment_moves(
    client, front_desk_client, place, clock
):
    appointment = book(place)
    asked = _ask_to_cancel(client, appointment)
    booking.appointment_move(
        appointment=appointment, start=START + timedelta(days=1), by=place["desk"]
    )
    assert [m.pk for m in requests_listed(front_desk_client)] == [asked.pk]


def test_a_large_backlog_is_counted_up_to_a_limit(front_desk_client, clock, monkeypatch):
    from clinic.messaging import selectors

    monkeypatch.setattr(selectors, "COUNTED_UP_TO", 3)
    add_messages(5, status=St.FAILED)
    add_messages(3, status=St.PENDING)
    page = front_desk_client.get(reverse("messaging:list")).content.decode()
    assert "Failed: 3 or more" in page
    assert "Due: 3<" in page


def test_each_row_links_to_its_message_and_its_patient(front_desk_client, clock):
    made = add_messages(3)
    page = front_desk_client.get(reverse("messaging:list")).content.decode()
    for message in made:
        assert f'href="{reverse("messaging:detail", args=[message.pk])}"' in page
        assert f'href="{reverse("patients:detail", args=[message.patient_id])}"' in page


def test_the_filter_keeps_what_was_chosen(front_desk_client, clock):
    page = front_desk_client.get(
        reverse("messaging:list"), {"status": "failed", "kind": "reminder"}
    )
    html = page.content.decode()
    assert '<option value="failed" selected>Failed</option>' in html
    assert '<option value="reminder" selected>Reminder</option>' in html
    assert '<option value="" selected>All</option>' not in html
