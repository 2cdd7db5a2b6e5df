"""Consent: the patient signs the current text on the tablet; a new version asks again."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.factories import make_patient
from treatments.consultations.services import consent_text_current, has_current_consent
from treatments.models import ConsentSignature, ConsentText

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(db):
    return make_patient(first_name="Zoë", last_name="Martin")


def _sign(client, patient, **overrides):
    data = {
        "consent_text": consent_text_current().pk,
        "typed_name": "zoe martin",
        "agreed": "on",
        **overrides,
    }
    return client.post(reverse("treatments:consent_sign", args=[patient.pk]), data)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("front_desk", 200), ("practitioner", 200), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_front_desk_and_practitioners_hand_over_the_tablet(role_clients, patient, who, expected):
    url = reverse("treatments:consent_sign", args=[patient.pk])

    assert role_clients[who].get(url).status_code == expected


def test_the_shipped_consent_text_is_version_one():
    text = consent_text_current()

    assert text.version == 1
    assert "microneedling" in text.body.lower()


def test_signing_records_name_time_version_and_witness(front_desk_client, front_desk, patient):
    response = _sign(front_desk_client, patient)

    signature = ConsentSignature.objects.get()
    assert response.status_code == 302
    assert signature.typed_name == "zoe martin"
    assert signature.consent_text.version == 1
    assert signature.witnessed_by == front_desk
    assert signature.signed_at is not None
    assert has_current_consent(patient)
    assert LogEntry.objects.get_for_object(signature).get().actor == front_desk


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"typed_name": "Zoe Smith"}, "Type your full name as registered: Zoë Martin"),
        ({"typed_name": ""}, "This field is required"),
        ({"agreed": ""}, "Tick the box"),
        ({"consent_text": "999999"}, "does not exist"),
        ({"consent_text": "abc"}, "Enter a whole number"),
    ],
)
def test_an_incomplete_signature_is_explained(front_desk_client, patient, change, message):
    response = _sign(front_desk_client, patient, **change)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConsentSignature.objects.exists()


def test_a_new_version_needs_a_new_signature(front_desk_client, patient):
    _sign(front_desk_client, patient)
    old = consent_text_current()

    ConsentText.objects.create(treatment="microneedling", version=2, title="Consent", body="New")

    assert not has_current_consent(patient)
    stale = _sign(front_desk_client, patient, consent_text=old.pk)
    assert "has changed since this page was opened" in stale.content.decode()
    _sign(front_desk_client, patient)
    assert has_current_consent(patient)


def test_the_record_shows_whether_consent_is_current(front_desk_client, patient):
    url = reverse("patients:detail", args=[patient.pk])

    assert "Not signed yet" in front_desk_client.get(url).content.decode()
    _sign(front_desk_client, patient)
    assert "Signed" in front_desk_client.get(url).content.decode()
    ConsentText.objects.create(treatment="microneedling", version=2, title="Consent", body="New")
    assert "need to sign the new version" in front_desk_client.get(url).content.decode()


def test_the_record_costs_the_same_signed_or_not(
    front_desk_client, patient, django_assert_num_queries
):
    url = reverse("patients:detail", args=[patient.pk])
    # with the appointments and messages panels, and the access entry (four queries)
    with django_assert_num_queries(14):
        front_desk_client.get(url)
    _sign(front_desk_client, patient)
    # with the appointments and messages panels, and the access entry (four queries)
    with django_assert_num_queries(14):
        front_desk_client.get(url)


def test_an_empty_consent_submission_is_explained(front_desk_client, patient):
    response = front_desk_client.post(reverse("treatments:consent_sign", args=[patient.pk]), {})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ConsentSignature.objects.exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("practitioner", 403), ("front_desk", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_the_manager_publishes_consent(role_clients, who, expected):
    url = reverse("treatments:consent_texts")

    assert role_clients[who].get(url).status_code == expected
    if expected != 200:
        role_clients[who].post(url, {"title": "T", "body": "B"})
        assert ConsentText.objects.count() == 1


def test_publishing_makes_a_new_version_and_asks_patients_again(
    manager_client, manager, front_desk_client, patient
):
    _sign(front_desk_client, patient)

    response = manager_client.post(
        reverse("treatments:consent_texts"),
        {"title": "Consent to microneedling treatment", "body": "Revised wording."},
    )

    newest = consent_text_current()
    assert response.status_code == 302
    assert newest.version == 2
    assert newest.published_by == manager
    assert ConsentText.objects.get(version=1).body != "Revised wording."
    assert not has_current_consent(patient)
    assert LogEntry.objects.get_for_object(newest).get().actor == manager


@pytest.mark.parametrize("data", [{"title": "", "body": "x"}, {"title": "T", "body": "  "}, {}])
def test_an_empty_consent_is_not_published(manager_client, data):
    response = manager_client.post(reverse("treatments:consent_texts"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert ConsentText.objects.count() == 1
