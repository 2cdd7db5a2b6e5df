"""Cartridge-lot recall: the search finds exactly the sessions that used a lot, the CSV
holds the same rows, and the recall message goes to each patient once, through the
outbox, with the letter kept in the audit log."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic.messaging.content import render
from clinic.messaging.models import PatientMessage
from tests.factories import make_cleared_patient, make_staff
from tests.treatments.sessions.sessions_setup import make_plan, start_record_and_sign
from treatments.models import LotRecall, TreatmentSession
from treatments.plans.services import plan_book
from treatments.sessions.recall import LotQuery, lot_recall_send, sessions_using

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FORBIDDEN = {"front_desk": 403, "outsider": 403, "anonymous": 302}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


def _recorded(setting, practitioner, lot, device_model="Dermapen 4"):
    """A booked session of a patient of its own whose record names ``lot`` (written straight to
    the row: how the session got there is not what these tests are about)."""
    plan = make_plan(setting, practitioner, consultation=make_cleared_patient(practitioner))
    plan_book(plan=plan, by=make_staff(), now=timezone.now())
    session = plan.sessions.get(number=1)
    TreatmentSession.objects.filter(pk=session.pk).update(
        needle_lot=lot, device_model=device_model, device="pen", started_at=timezone.now()
    )
    return session


@pytest.fixture
def signed(session_today, practitioner):
    """Session 1 of the fixture's patient, recorded with lot LOT-2291 and signed."""
    return start_record_and_sign(session_today, practitioner)


def test_a_lot_search_finds_exactly_the_sessions_that_used_it(signed, setting, practitioner):
    same_lot_other_case = _recorded(setting, practitioner, "lot-2291")
    _recorded(setting, practitioner, "LOT-22")  # a prefix of it
    _recorded(setting, practitioner, "LOT-22910")  # longer
    _recorded(setting, practitioner, "LOT-7001")

    found = list(sessions_using(LotQuery(needle_lot=" LOT-2291")))

    assert {s.pk for s in found} == {signed.pk, same_lot_other_case.pk}


def test_a_device_search_finds_every_lot_of_that_device(signed, setting, practitioner):
    roller = _recorded(setting, practitioner, "R-1", device_model="Roller 540")
    also = _recorded(setting, practitioner, "R-2", device_model="roller 540")

    found = sessions_using(LotQuery(device_model="Roller 540"))
    both = sessions_using(LotQuery(needle_lot="R-1", device_model="Roller 540"))

    assert {s.pk for s in found} == {roller.pk, also.pk}
    assert [s.pk for s in both] == [roller.pk]


def test_a_search_needs_a_lot_or_a_device():
    with pytest.raises(ValidationError, match="lot, a device model"):
        LotQuery(needle_lot="  ", device_model="")


@pytest.mark.parametrize("who", ["practitioner", "manager"])
def test_the_page_shows_each_session_with_date_practitioner_and_patient(
    signed, role_clients, who, practitioner
):
    response = role_clients[who].get(reverse("treatments:lot_recall"), {"needle_lot": "lot-2291"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 session used lot lot-2291, 1 patient" in page
    assert signed.plan.patient.full_name in page
    assert practitioner.get_full_name() in page
    assert "23 Nov 2026" in page


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_other_roles_may_not_search_export_or_send(signed, role_clients, role):
    client = role_clients[role]
    query = {"needle_lot": "LOT-2291"}
    assert client.get(reverse("treatments:lot_recall"), query).status_code == FORBIDDEN[role]
    assert client.get(reverse("treatments:lot_recall_csv"), query).status_code == FORBIDDEN[role]
    sent = client.post(reverse("treatments:lot_recall_send"), {**query, "text": "Call us."})
    assert sent.status_code == FORBIDDEN[role]
    assert not LotRecall.objects.exists()


def test_the_csv_holds_the_same_sessions(signed, setting, practitioner, practitioner_client):
    _recorded(setting, practitioner, "=HYPERLINK(1)")
    other = _recorded(setting, practitioner, "LOT-2291")
    TreatmentSession.objects.filter(pk=other.pk).update(device_model="=cmd")

    response = practitioner_client.get(
        reverse("treatments:lot_recall_csv"), {"needle_lot": "LOT-2291"}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sessions-lot-lot-2291.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["session date", "patient", "date of birth", "email", "practitioner"]
    assert sorted(row[1] for row in rows[1:]) == sorted(
        [signed.plan.patient.full_name, other.plan.patient.full_name]
    )
    assert {row[0] for row in rows[1:]} == {"2026-11-23"}
    assert "'=cmd" in [row[6] for row in rows[1:]]  # never read as a formula


@pytest.mark.parametrize("query", [{}, {"needle_lot": " "}, {"needle_lot": "x" * 51}])
def test_a_bad_search_is_explained_never_an_error(practitioner_client, query):
    page = practitioner_client.get(reverse("treatments:lot_recall"), query)
    export = practitioner_client.get(reverse("treatments:lot_recall_csv"), query)

    assert page.status_code == 200
    assert export.status_code == 400
    assert "Say which lot or device" in export.content.decode()
    if query:
        assert page.context["form"].errors


def test_the_recall_goes_to_each_patient_once_through_the_outbox(
    signed, setting, practitioner, practitioner_client
):
    second_session_same_patient = signed.plan.sessions.get(number=2)
    TreatmentSession.objects.filter(pk=second_session_same_patient.pk).update(
        needle_lot="LOT-2291", started_at=timezone.now()
    )
    other = _recorded(setting, practitioner, "LOT-2291")
    _recorded(setting, practitioner, "LOT-7001")
    text = "The maker has recalled lot LOT-2291. Please call us."

    response = practitioner_client.post(
        reverse("treatments:lot_recall_send"), {"needle_lot": "LOT-2291", "text": text}, follow=True
    )

    assert "on its way to 2 patients" in response.content.decode()
    recall = LotRecall.objects.get()
    assert set(recall.patients.all()) == {signed.plan.patient, other.plan.patient}
    assert recall.sent_by == practitioner
    messages = PatientMessage.objects.filter(kind=PatientMessage.Kind.RECALL)
    assert {m.patient for m in messages} == {signed.plan.patient, other.plan.patient}
    assert render(messages[0]).text.count(text) == 1
    entries = LogEntry.objects.get_for_object(recall)
    assert {e.action for e in entries} == {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}
    assert {e.actor for e in entries} == {practitioner}  # the letter, then whom it went to


def test_a_recall_without_text_or_without_patients_sends_nothing(signed, practitioner):
    with pytest.raises(ValidationError, match="Write what the patients need"):
        lot_recall_send(query=LotQuery(needle_lot="LOT-2291"), text=" ", by=practitioner,
                        now=timezone.now())  # fmt: skip
    with pytest.raises(ValidationError, match="nobody to write to"):
        lot_recall_send(query=LotQuery(needle_lot="NONE"), text="Hello", by=practitioner,
                        now=timezone.now())  # fmt: skip
    assert not PatientMessage.objects.filter(kind=PatientMessage.Kind.RECALL).exists()


def test_the_same_letter_sent_again_at_once_is_not_sent_twice(signed, practitioner):
    query, text = LotQuery(needle_lot="LOT-2291"), "Lot LOT-2291 is recalled."
    now = timezone.now()
    lot_recall_send(query=query, text=text, by=practitioner, now=now)

    with pytest.raises(ValidationError, match="it is not sent twice"):
        lot_recall_send(query=query, text=text, by=practitioner, now=now + timedelta(minutes=1))

    assert LotRecall.objects.count() == 1
    assert PatientMessage.objects.filter(kind=PatientMessage.Kind.RECALL).count() == 1
    # A new letter, or the same one later, is a recall of its own.
    lot_recall_send(query=query, text=text + " Call us.", by=practitioner, now=now)
    lot_recall_send(query=query, text=text, by=practitioner, now=now + timedelta(hours=1))
    assert LotRecall.objects.count() == 3


def test_a_bad_send_is_explained(signed, practitioner_client):
    url = reverse("treatments:lot_recall_send")

    response = practitioner_client.post(url, {"needle_lot": "LOT-2291", "text": ""}, follow=True)

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not LotRecall.objects.exists()


def test_a_recall_search_and_its_csv_are_in_the_audit_log(
    signed, practitioner, practitioner_client
):
    query = {"needle_lot": "LOT-2291"}
    practitioner_client.get(reverse("treatments:lot_recall"), query)
    practitioner_client.get(reverse("treatments:lot_recall_csv"), query)

    looks = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=practitioner)
    pages = sorted(entry.additional_data["page"] for entry in looks)
    assert pages == ["lot recall", "lot recall (CSV)"]
