"""The history from home on the practitioner's pages: the panel before the consultation,
the review and take-in on the draft; the front desk sees none of it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.staff.roles import Role
from tests.factories import (
    UserFactory,
    make_consultation_appointment,
    make_home_history,
    make_patient,
)
from tests.signing_in import sign_in
from treatments.consultations.home_history_review import history_answer_take_in
from treatments.consultations.services import consultation_sign, consultation_start
from treatments.models import MEDICINES, HistoryTakeIn

pytestmark = pytest.mark.django_db

PEEL_TITLE = "Chemical peel within 30 days"


def _days_ago(days: int) -> str:
    return (timezone.localdate() - timedelta(days=days)).isoformat()


@pytest.fixture
def patient(db):
    return make_patient(first_name="Zoë", last_name="Martin")


@pytest.fixture
def home(patient):
    return make_home_history(
        patient=patient,
        submitted=True,
        answers={"cold_sore_history": True, "chemical_peel_on": _days_ago(10)},
        medicines=[{"text": "Eliquis 5mg", "medicine_key": "", "route": "mouth",
                    "current": True, "stopped_on": None, "dose": ""}],
    )  # fmt: skip


@pytest.fixture
def draft(patient, practitioner):
    return consultation_start(patient=patient, practitioner=practitioner)


@pytest.fixture
def colleague_client(db):
    colleague = UserFactory(username="prac2", first_name="Lena", roles=[Role.PRACTITIONER])
    return sign_in(Client(), colleague)


def _review(draft):
    return reverse("treatments:home_history_review", args=[draft.pk])


def _take_in(client, draft, home, field, how="as_given", value=None):
    data = {"home_history": home.pk, "field": field, "how": how}
    if value is not None:
        data["value"] = value
    return client.post(reverse("treatments:home_history_take_in", args=[draft.pk]), data)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Before the consultation: the panel ---------------------------------------------------


def test_the_practitioner_sees_the_findings_from_home_on_the_appointment(practitioner_client, home):
    url = reverse("scheduling:appointment", args=[home.appointment.pk])
    response = practitioner_client.get(url)

    assert response.status_code == 200
    panel = response.content.decode()
    assert 'data-testid="home-history-panel"' in panel
    assert PEEL_TITLE in panel
    assert "History of cold sores" in panel
    assert "Needs clearance" in panel
    assert reverse("treatments:consultation_new", args=[home.patient.pk]) in panel


def test_the_front_desk_sees_nothing_of_it_on_the_appointment_or_the_record(
    front_desk_client, home
):
    for url in (
        reverse("scheduling:appointment", args=[home.appointment.pk]),
        reverse("patients:detail", args=[home.patient.pk]),
    ):
        response = front_desk_client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "home-history-panel" not in page
        assert "History from home" not in page
        assert PEEL_TITLE not in page


def test_the_practitioner_sees_it_on_the_patients_record(practitioner_client, home):
    response = practitioner_client.get(reverse("patients:detail", args=[home.patient.pk]))

    assert PEEL_TITLE in response.content.decode()


def test_a_history_started_and_not_sent_says_so(practitioner_client, patient):
    started = make_home_history(patient=patient, answers={"sunburn": True})

    page = practitioner_client.get(
        reverse("scheduling:appointment", args=[started.appointment.pk])
    ).content.decode()

    assert "Not sent yet" in page
    assert "Sunburn" not in page


def test_an_appointment_without_one_shows_no_panel(practitioner_client, home):
    lone = make_consultation_appointment(patient=home.patient)

    page = practitioner_client.get(reverse("scheduling:appointment", args=[lone.pk]))

    assert page.status_code == 200
    assert "home-history-panel" not in page.content.decode()


# --- The review ------------------------------------------------------------------------------


def test_the_review_shows_each_answer_beside_what_the_consultation_records(
    practitioner_client, home, draft
):
    response = practitioner_client.get(_review(draft))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="answer-cold_sore_history"' in page
    assert 'data-testid="answer-chemical_peel_on"' in page
    assert f'data-testid="answer-{MEDICINES}"' in page
    assert "Take in all answers as given" in page
    assert "Eliquis 5mg: taking now" in page


def test_the_front_desk_may_not_open_or_take_in(front_desk_client, home, draft):
    assert front_desk_client.get(_review(draft)).status_code == 403
    assert _take_in(front_desk_client, draft, home, "cold_sore_history").status_code == 403
    url = reverse("treatments:home_history_take_in_all", args=[draft.pk])
    assert front_desk_client.post(url, {"home_history": home.pk}).status_code == 403
    assert not HistoryTakeIn.objects.exists()


def test_a_colleague_reads_the_review_but_takes_nothing_in(colleague_client, home, draft):
    page = colleague_client.get(_review(draft)).content.decode()
    assert "Take in all answers as given" not in page
    assert "only they may take answers in" in page

    response = _take_in(colleague_client, draft, home, "cold_sore_history")
    assert response.status_code == 302
    assert not HistoryTakeIn.objects.exists()


def test_taking_an_answer_in_from_the_page(practitioner_client, home, draft):
    response = _take_in(practitioner_client, draft, home, "cold_sore_history")

    assert response.status_code == 302
    assert response.url == _review(draft)
    draft.history.refresh_from_db()
    assert draft.history.cold_sore_history is True
    page = practitioner_client.get(_review(draft))
    assert "taken in as given" in _messages(page)
    assert 'data-testid="recorded"' in page.content.decode()


def test_recording_a_date_differently_from_the_page(practitioner_client, home, draft):
    corrected = timezone.localdate() - timedelta(days=60)

    _take_in(practitioner_client, draft, home, "chemical_peel_on", "differently", corrected)

    take_in = HistoryTakeIn.objects.get(consultation=draft, field="chemical_peel_on")
    assert take_in.recorded == corrected.isoformat()
    assert take_in.patient_said == _days_ago(10)
    page = practitioner_client.get(_review(draft)).content.decode()
    assert "Differs from what the patient said" in page


def test_a_bad_value_is_refused_with_a_message(practitioner_client, home, draft):
    client = practitioner_client
    response = _take_in(client, draft, home, "cold_sore_history", "differently", "maybe")
    assert "Choose yes or no." in _messages(client.get(response.url))

    response = _take_in(practitioner_client, draft, home, "chemical_peel_on", "differently", "soon")
    assert "Enter the date" in _messages(practitioner_client.get(response.url))

    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = _take_in(practitioner_client, draft, home, "chemical_peel_on", "differently", future)
    assert "after the consultation" in _messages(practitioner_client.get(response.url))
    assert not HistoryTakeIn.objects.exists()


def test_a_question_that_is_not_a_history_answer_is_refused(practitioner_client, home, draft):
    response = _take_in(practitioner_client, draft, home, "username")

    assert response.status_code == 302
    assert not HistoryTakeIn.objects.exists()


def test_a_history_that_is_not_the_one_under_review_is_refused(practitioner_client, home, draft):
    other = make_home_history(patient=make_patient(), submitted=True, answers={"sunburn": True})

    response = _take_in(practitioner_client, draft, other, "sunburn")

    assert "not the one on the page" in _messages(practitioner_client.get(response.url))
    assert not HistoryTakeIn.objects.exists()


def test_taking_all_in_from_the_page(practitioner_client, home, draft):
    url = reverse("treatments:home_history_take_in_all", args=[draft.pk])

    response = practitioner_client.post(url, {"home_history": home.pk})

    assert response.status_code == 302
    assert HistoryTakeIn.objects.filter(consultation=draft).count() == 3
    page = practitioner_client.get(_review(draft))
    assert "3 answers taken in as given" in _messages(page)
    assert "Take in all answers as given" not in page.content.decode()
    draft.refresh_from_db()
    assert draft.screening_level == "needs_clearance"


def test_taking_all_in_says_how_many_answers_differ_and_leaves_them(
    practitioner_client, patient, practitioner
):
    earlier = consultation_start(patient=patient, practitioner=practitioner)
    earlier.history.bleeding_disorder = True
    earlier.history.allergies = "Latex"
    earlier.history.save()
    draft = consultation_start(patient=patient, practitioner=practitioner)
    home = make_home_history(
        patient=patient, submitted=True,
        answers={"bleeding_disorder": False, "allergies": "Plasters", "sunburn": True},
    )  # fmt: skip
    url = reverse("treatments:home_history_take_in_all", args=[draft.pk])

    response = practitioner_client.post(url, {"home_history": home.pk})

    page = practitioner_client.get(response.url)
    said = _messages(page)
    assert "1 answer taken in as given" in said
    assert "2 answers differ from what is recorded: review them one by one." in said
    assert "Take in all answers as given" in page.content.decode()  # two still to review
    draft.history.refresh_from_db()
    assert draft.history.bleeding_disorder is True


def test_a_signed_consultation_shows_what_was_said_and_recorded(
    practitioner_client, home, draft, practitioner
):
    history_answer_take_in(
        consultation=draft, home_history=home, field="chemical_peel_on", by=practitioner,
        recorded=timezone.localdate() - timedelta(days=60),
    )  # fmt: skip
    consultation_sign(consultation=draft, by=practitioner, decision="suitable")

    page = practitioner_client.get(_review(draft)).content.decode()

    assert "This consultation is signed" in page
    assert "Take in<" not in page
    assert "Record differently" not in page
    assert 'data-testid="said"' in page
    assert "Differs from what the patient said" in page
    detail = practitioner_client.get(reverse("treatments:consultation", args=[draft.pk]))
    assert "1 answer taken in" in detail.content.decode()


def test_the_draft_and_its_form_point_to_the_review(practitioner_client, home, draft):
    detail = practitioner_client.get(reverse("treatments:consultation", args=[draft.pk]))
    assert "Review and take in" in detail.content.decode()

    edit = practitioner_client.get(reverse("treatments:consultation_edit", args=[draft.pk]))
    assert 'data-testid="home-history-waiting"' in edit.content.decode()


def test_with_no_history_from_home_the_review_goes_back_to_the_consultation(
    practitioner_client, draft
):
    response = practitioner_client.get(_review(draft))

    assert response.status_code == 302
    assert response.url == reverse("treatments:consultation", args=[draft.pk])
