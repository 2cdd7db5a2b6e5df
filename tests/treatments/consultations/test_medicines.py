"""Medicines as rows: matched exactly or accepted, never guessed; every line recognised or
confirmed before signing; what was matched is kept with the record."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_patient
from treatments.consultations.medicines import MedicineEntry
from treatments.consultations.services import (
    consultation_sign,
    consultation_start,
    consultation_update,
)
from treatments.models import MedicineLine
from treatments.screening.medicines import VOCABULARY_VERSION

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def consultation(practitioner):
    return consultation_start(patient=make_patient(), practitioner=practitioner)


def _save(consultation, by, *entries):
    return consultation_update(
        consultation=consultation, by=by, fields={}, history={}, medicines=list(entries)
    )


def _lines(consultation):
    return list(MedicineLine.objects.filter(history__consultation=consultation))


# --- The service ----------------------------------------------------------------------


def test_a_medicine_named_exactly_is_matched_and_what_was_matched_is_kept(
    consultation, practitioner
):
    result = _save(consultation, practitioner, MedicineEntry("Eliquis 5mg bd", dose="5mg bd"))

    (line,) = _lines(consultation)
    assert (line.text, line.medicine_key, line.medicine_label) == (
        "Eliquis 5mg bd", "eliquis", "Eliquis (apixaban)",
    )  # fmt: skip
    assert line.ingredients == ["apixaban"]
    assert "anticoagulant" in line.classes
    assert line.vocabulary_version == VOCABULARY_VERSION
    assert [f.code for f in result.findings] == ["blood_thinners"]
    consultation.refresh_from_db()
    assert consultation.vocabulary_version == VOCABULARY_VERSION


def test_a_misspelt_medicine_is_never_matched_without_the_practitioner(consultation, practitioner):
    result = _save(consultation, practitioner, MedicineEntry("Elliquis 5mg"))

    (line,) = _lines(consultation)
    assert line.medicine_key == ""
    assert not line.is_resolved
    assert result.findings == ()


def test_an_accepted_suggestion_matches_and_screens(consultation, practitioner):
    result = _save(
        consultation, practitioner, MedicineEntry("Elliquis 5mg", medicine_key="eliquis")
    )

    (line,) = _lines(consultation)
    assert (line.text, line.medicine_label) == ("Elliquis 5mg", "Eliquis (apixaban)")
    assert [f.code for f in result.findings] == ["blood_thinners"]


def test_signing_waits_for_every_line_recognised_or_confirmed(consultation, practitioner):
    _save(consultation, practitioner, MedicineEntry("Zyxolin 10mg"), MedicineEntry("Eliquis"))

    with pytest.raises(ValidationError) as refused:
        consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")

    assert "“Zyxolin 10mg”" in refused.value.messages[0]
    assert "Eliquis" not in refused.value.messages[0]
    consultation.refresh_from_db()
    assert not consultation.is_signed


def test_a_confirmed_line_keeps_who_checked_it_and_when(consultation, practitioner):
    _save(consultation, practitioner, MedicineEntry("Zyxolin 10mg", confirmed=True))
    (first,) = _lines(consultation)

    _save(consultation, practitioner, MedicineEntry("Zyxolin 10mg", confirmed=True))
    consultation_sign(consultation=consultation, by=practitioner, decision="suitable")

    (line,) = _lines(consultation)
    assert line.confirmed_by == practitioner
    assert line.confirmed_at == first.confirmed_at
    consultation.refresh_from_db()
    assert consultation.is_signed


def test_a_confirmation_does_not_stick_to_a_matched_medicine(consultation, practitioner):
    _save(consultation, practitioner, MedicineEntry("warfarin", confirmed=True))

    (line,) = _lines(consultation)
    assert line.medicine_key == "warfarin"
    assert line.confirmed_at is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (MedicineEntry("Elliquis", medicine_key="no-such-medicine"), "not in the list"),
        (MedicineEntry("warfarin", route="sideways"), "how it is taken"),
        (MedicineEntry("warfarin", stopped_on=TODAY()), "leave the stop date empty"),
        (
            MedicineEntry("warfarin", current=False, stopped_on=TODAY() + timedelta(days=2)),
            "after the consultation",
        ),
    ],
)
def test_bad_lines_are_refused_naming_the_line(consultation, practitioner, entry, message):
    with pytest.raises(ValidationError) as refused:
        _save(consultation, practitioner, entry)

    errors = refused.value.message_dict["medicines"]
    assert any(message in error and entry.text in error for error in errors)
    assert not _lines(consultation)


def test_a_medicine_stopped_long_ago_does_not_need_clearance(consultation, practitioner):
    stopped = MedicineEntry("warfarin", current=False, stopped_on=TODAY() - timedelta(days=400))
    recent = MedicineEntry("Xarelto", current=False, stopped_on=TODAY() - timedelta(days=3))

    assert _save(consultation, practitioner, stopped).findings == ()
    assert [f.code for f in _save(consultation, practitioner, recent).findings] == [
        "blood_thinners"
    ]


def test_eye_drops_of_a_corticosteroid_are_not_systemic(consultation, practitioner):
    drops = MedicineEntry("prednisolone", route="eye_ear_nose")
    tablets = MedicineEntry("prednisolone", route="mouth")

    assert "immunosuppression" not in {
        f.code for f in _save(consultation, practitioner, drops).findings
    }
    assert "immunosuppression" in {
        f.code for f in _save(consultation, practitioner, tablets).findings
    }


def test_a_signed_consultation_keeps_its_lines_and_versions(consultation, practitioner):
    _save(consultation, practitioner, MedicineEntry("Eliquis 5mg"))
    consultation_sign(consultation=consultation, by=practitioner, decision="not_suitable")

    with pytest.raises(ValidationError):
        _save(consultation, practitioner, MedicineEntry("Zyxolin", confirmed=True))

    assert [line.text for line in _lines(consultation)] == ["Eliquis 5mg"]
    consultation.refresh_from_db()
    assert consultation.vocabulary_version == VOCABULARY_VERSION


def test_the_next_consultation_starts_with_the_same_rows(consultation, practitioner):
    _save(consultation, practitioner, MedicineEntry("Zyxolin", confirmed=True))

    later = consultation_start(patient=consultation.patient, practitioner=practitioner)

    (line,) = _lines(later)
    assert (line.text, line.confirmed_by) == ("Zyxolin", practitioner)
    assert len(_lines(consultation)) == 1


# --- The pages ------------------------------------------------------------------------


def _form(**medicine_rows):
    today = TODAY().isoformat()
    data = {
        "c-consulted_on": today,
        "c-intended_treatment_date": today,
        "c-concerns": ["acne_scars"],
        "c-areas": ["face"],
        "c-fitzpatrick_type": "2",
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "40",
        "m-0-status": "current",
        "m-1-status": "current",
    }
    data.update(medicine_rows)
    return data


def test_the_form_saves_medicine_rows_with_route_and_status(practitioner_client, patient):
    response = practitioner_client.post(
        reverse("treatments:consultation_new", args=[patient.pk]),
        _form(**{
            "m-0-text": "Eliquis", "m-0-dose": "5mg bd", "m-0-route": "mouth",
            "m-1-text": "tretinoin", "m-1-route": "skin", "m-1-status": "stopped",
            "m-1-stopped_on": (TODAY() - timedelta(days=30)).isoformat(),
        }),
    )  # fmt: skip

    assert response.status_code == 302
    eliquis, tretinoin = MedicineLine.objects.order_by("position")
    assert (eliquis.medicine_key, eliquis.dose, eliquis.route) == ("eliquis", "5mg bd", "mouth")
    assert (tretinoin.current, tretinoin.route) == (False, "skin")


def test_a_misspelt_line_offers_did_you_mean_and_saves_unmatched(practitioner_client, patient):
    url = reverse("treatments:consultation_new", args=[patient.pk])
    practitioner_client.post(url, _form(**{"m-0-text": "Elliquis 5mg"}))
    consultation = patient.consultations.get()

    page = practitioner_client.get(reverse("treatments:consultation_edit", args=[consultation.pk]))

    html = page.content.decode()
    offers = html[html.index('data-testid="medicine-offers"') :]
    assert "Did you mean" in offers
    assert "Eliquis (apixaban)?" in offers
    assert MedicineLine.objects.get().medicine_key == ""
    detail = practitioner_client.get(reverse("treatments:consultation", args=[consultation.pk]))
    assert 'data-testid="unchecked-medicines"' in detail.content.decode()


def test_accepting_the_offer_matches_the_line(practitioner_client, practitioner, patient):
    consultation = consultation_start(patient=patient, practitioner=practitioner)
    _save(consultation, practitioner, MedicineEntry("Elliquis 5mg"))
    data = _form(**{"m-0-text": "Elliquis 5mg", "m-0-medicine_key": "eliquis"})
    data["m-INITIAL_FORMS"] = "1"

    response = practitioner_client.post(
        reverse("treatments:consultation_edit", args=[consultation.pk]), data
    )

    assert response.status_code == 302
    assert MedicineLine.objects.get().medicine_label == "Eliquis (apixaban)"
    assert consultation.findings.get().code == "blood_thinners"


def test_the_live_panel_screens_the_medicine_rows(practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:screening_preview"), _form(**{"m-0-text": "Xarelto 20mg"})
    )

    assert 'data-testid="finding-blood_thinners"' in response.content.decode()


def test_a_bad_row_is_explained_on_the_form(practitioner_client, patient):
    response = practitioner_client.post(
        reverse("treatments:consultation_new", args=[patient.pk]),
        _form(**{"m-0-text": "warfarin", "m-0-stopped_on": TODAY().isoformat()}),
    )

    assert response.status_code == 200
    assert "Taken now: leave the stop date empty" in response.content.decode()
    assert not MedicineLine.objects.exists()


def test_a_removed_row_is_gone(practitioner_client, practitioner, patient):
    consultation = consultation_start(patient=patient, practitioner=practitioner)
    _save(consultation, practitioner, MedicineEntry("warfarin"))
    data = _form(**{"m-0-text": "warfarin", "m-0-DELETE": "on"})
    data["m-INITIAL_FORMS"] = "1"

    practitioner_client.post(reverse("treatments:consultation_edit", args=[consultation.pk]), data)

    assert not MedicineLine.objects.exists()
    assert not consultation.findings.exists()


@pytest.fixture
def patient(db):
    return make_patient()


# --- The type-ahead -------------------------------------------------------------------


def test_the_type_ahead_offers_medicines_to_practitioners(practitioner_client):
    response = practitioner_client.get(reverse("treatments:medicine_suggest"), {"q": "Elliquis"})

    assert response.status_code == 200
    labels = [result["label"] for result in response.json()["results"]]
    assert "Eliquis (apixaban)" in labels


@pytest.mark.parametrize("typed", ["", "e", "x" * 101])
def test_the_type_ahead_explains_what_it_needs(practitioner_client, typed):
    response = practitioner_client.get(reverse("treatments:medicine_suggest"), {"q": typed})

    assert response.status_code == 400
    assert "Type between 2 and 100 letters" in response.json()["error"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("practitioner", 200), ("front_desk", 403), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_practitioners_use_the_type_ahead(role_clients, who, expected):
    url = reverse("treatments:medicine_suggest")

    assert role_clients[who].get(url, {"q": "warf"}).status_code == expected
