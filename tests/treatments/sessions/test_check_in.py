"""Screening again at check-in: what changed, judged for today; when a session may start."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_patient
from treatments.consultations.medicines import entries_from_text
from treatments.consultations.services import (
    consultation_sign,
    consultation_start,
    consultation_update,
    finding_override,
)
from treatments.screening.rules import Condition, DatedEvent, add_months
from treatments.sessions.check_in import check_in_override, check_in_screen, session_may_start

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _consulted(practitioner, history=None, override="", decision="suitable", patient=None):
    consultation = consultation_start(patient=patient or make_patient(), practitioner=practitioner)
    answers = dict(history or {})
    medicines = entries_from_text(answers.pop("medications", ""))
    consultation_update(
        consultation=consultation, by=practitioner, fields={}, history=answers,
        medicines=medicines,
    )  # fmt: skip
    if override:
        for finding in consultation.findings.filter(level="needs_clearance"):
            finding_override(finding=finding, by=practitioner, reason=override)
    consultation_sign(consultation=consultation, by=practitioner, decision=decision)
    return consultation


def _screen(consultation, by, **kwargs):
    kwargs.setdefault("conditions", set())
    return check_in_screen(patient=consultation.patient, by=by, **kwargs)


def _may_start(consultation):
    return session_may_start(patient=consultation.patient, on=TODAY())


def test_nothing_changed_and_a_clear_consultation_may_start(practitioner):
    consultation = _consulted(practitioner)

    check_in = _screen(consultation, practitioner)

    assert check_in.may_start
    assert check_in.findings == []
    assert _may_start(consultation) == (True, [])


@pytest.mark.parametrize(
    "condition",
    [Condition.ACTIVE_ACNE, Condition.SUNBURN, Condition.COLD_SORE_ACTIVE,
     Condition.PREGNANT_OR_BREASTFEEDING, Condition.ECZEMA_FLARE, Condition.PSORIASIS_PLAQUES,
     Condition.NEEDLE_METAL_ALLERGY, Condition.TOPICAL_ANAESTHETIC_ALLERGY],
)  # fmt: skip
def test_a_new_contraindication_today_stops_the_session(practitioner, condition):
    consultation = _consulted(practitioner)

    _screen(consultation, practitioner, conditions={condition})

    may, reasons = _may_start(consultation)
    assert not may
    assert reasons[0].endswith(": contraindicated")


def test_a_new_blood_thinner_is_shown_first_then_overridden(practitioner):
    consultation = _consulted(practitioner)

    check_in = _screen(consultation, practitioner, new_medications="Xarelto 20mg od")
    assert _may_start(consultation) == (
        False,
        ["Blood thinner (anticoagulant or antiplatelet): needs an override"],
    )

    check_in_override(
        check_in=check_in, code="blood_thinners", by=practitioner, reason="Prescriber agrees."
    )

    assert _may_start(consultation) == (True, [])


def test_each_new_finding_needs_its_own_override(practitioner):
    consultation = _consulted(practitioner)
    check_in = _screen(
        consultation, practitioner, new_medications="Xarelto 20mg od\nmethotrexate 15mg weekly"
    )

    check_in_override(check_in=check_in, code="blood_thinners", by=practitioner, reason="Agreed.")

    may, reasons = _may_start(consultation)
    assert not may
    assert reasons == ["Immunosuppression or autoimmune disease: needs an override"]


@pytest.mark.parametrize("code", ["active_acne", "no_such_rule"])
def test_contraindications_and_unknown_findings_take_no_override(practitioner, code):
    consultation = _consulted(practitioner)
    check_in = _screen(consultation, practitioner, conditions={Condition.ACTIVE_ACNE})

    with pytest.raises(ValidationError):
        check_in_override(check_in=check_in, code=code, by=practitioner, reason="Mild.")


def test_yesterdays_screening_takes_no_override(practitioner):
    consultation = _consulted(practitioner)
    check_in = _screen(consultation, practitioner, new_medications="warfarin")

    with (
        time_machine.travel(timezone.now() + timedelta(days=1)),
        pytest.raises(ValidationError, match="not from today"),
    ):
        check_in_override(check_in=check_in, code="blood_thinners", by=practitioner, reason="x")


def test_an_override_from_the_consultation_counts_for_the_same_finding_only(practitioner):
    consultation = _consulted(
        practitioner, {"medications": "warfarin 3mg"}, override="INR stable.",
        decision="suitable_with_precautions",
    )  # fmt: skip

    same = _screen(consultation, practitioner)
    assert same.findings[0]["cleared_by"] == "consultation"
    assert _may_start(consultation)[0]

    _screen(consultation, practitioner, new_medications="clopidogrel 75mg")
    assert not _may_start(consultation)[0]


def test_lasting_conditions_carry_over_from_the_consultation(practitioner):
    consultation = _consulted(
        practitioner, {"keloid_tendency": True}, override="Accepted risk.",
        decision="suitable_with_precautions",
    )  # fmt: skip

    check_in = _screen(consultation, practitioner)

    assert [f["code"] for f in check_in.findings] == ["keloid_tendency"]
    assert check_in.findings[0]["cleared_by"] == "consultation"


def test_taking_isotretinoin_carries_over_until_a_stop_date_is_given(practitioner):
    consultation = _consulted(
        practitioner, {"taking_isotretinoin": True}, override="Dermatologist agrees.",
        decision="suitable_with_precautions",
    )  # fmt: skip

    carried = _screen(consultation, practitioner)
    stopped_long_ago = _screen(
        consultation,
        practitioner,
        dates={DatedEvent.ISOTRETINOIN_STOPPED: add_months(TODAY(), -7)},
    )

    assert [f["code"] for f in carried.findings] == ["isotretinoin_recent"]
    assert stopped_long_ago.findings == []


def test_windows_are_judged_for_the_day_of_the_check_in(practitioner):
    consultation = _consulted(practitioner, {"isotretinoin_stopped_on": add_months(TODAY(), -7)})

    check_in = _screen(
        consultation, practitioner, dates={DatedEvent.CHEMICAL_PEEL: TODAY() - timedelta(days=10)}
    )

    assert [f["code"] for f in check_in.findings] == ["chemical_peel_recent"]
    assert not check_in.may_start


def test_a_procedure_date_in_the_future_is_refused(practitioner):
    consultation = _consulted(practitioner)

    with pytest.raises(ValidationError, match="cannot be in the future"):
        _screen(
            consultation, practitioner, dates={DatedEvent.LASER_OR_IPL: TODAY() + timedelta(days=1)}
        )


@pytest.mark.parametrize("decision", [None, "not_suitable"])
def test_no_check_in_without_a_consultation_that_clears_the_patient(practitioner, decision):
    patient = make_patient()
    if decision:
        consultation = consultation_start(patient=patient, practitioner=practitioner)
        consultation_sign(consultation=consultation, by=practitioner, decision=decision)

    with pytest.raises(ValidationError, match="No signed consultation clears"):
        check_in_screen(patient=patient, by=practitioner, conditions=set())


def test_a_session_needs_a_check_in_from_that_day(practitioner):
    consultation = _consulted(practitioner)
    _screen(consultation, practitioner)
    tomorrow = TODAY() + timedelta(days=1)

    assert session_may_start(patient=consultation.patient, on=tomorrow) == (
        False,
        ["Screen the patient again at check-in today before starting."],
    )


def test_a_consultation_signed_after_check_in_needs_a_new_check_in(practitioner):
    first = _consulted(practitioner)
    _screen(first, practitioner)
    _consulted(practitioner, patient=first.patient)

    assert _may_start(first) == (
        False,
        ["A newer consultation was signed since check-in: screen again."],
    )


def test_a_not_suitable_consultation_after_check_in_stops_the_session(practitioner):
    first = _consulted(practitioner)
    _screen(first, practitioner)
    _consulted(practitioner, {"sunburn": True}, decision="not_suitable", patient=first.patient)

    may, reasons = _may_start(first)
    assert not may
    assert "No signed consultation clears" in reasons[0]


def test_a_new_bleeding_disorder_needs_the_physicians_note(practitioner):
    consultation = _consulted(practitioner)
    check_in = _screen(consultation, practitioner, conditions={Condition.BLEEDING_DISORDER})

    with pytest.raises(ValidationError) as refused:
        check_in_override(
            check_in=check_in, code="bleeding_disorder", by=practitioner, reason="Mild."
        )
    assert "physician_clearance_note" in refused.value.message_dict


# --- The pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("practitioner", 200), ("front_desk", 403), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_practitioners_screen_at_check_in(role_clients, practitioner, who, expected):
    consultation = _consulted(practitioner)
    check_in = _screen(consultation, practitioner)

    new = reverse("treatments:check_in_new", args=[consultation.patient.pk])
    result = reverse("treatments:check_in", args=[check_in.pk])
    assert role_clients[who].get(new).status_code == expected
    assert role_clients[who].get(result).status_code == expected


@pytest.mark.parametrize("who", ["front_desk", "manager", "outsider"])
def test_other_roles_cannot_override_at_check_in(role_clients, practitioner, who):
    consultation = _consulted(practitioner)
    check_in = _screen(consultation, practitioner, new_medications="warfarin")
    url = reverse("treatments:check_in_override", args=[check_in.pk, "blood_thinners"])

    assert role_clients[who].post(url, {"reason": "ok"}).status_code == 403
    assert not _may_start(consultation)[0]


def test_the_form_shows_lasting_conditions_ticked_and_fixed(practitioner_client, practitioner):
    consultation = _consulted(
        practitioner, {"keloid_tendency": True}, override="Accepted.",
        decision="suitable_with_precautions",
    )  # fmt: skip

    form = practitioner_client.get(
        reverse("treatments:check_in_new", args=[consultation.patient.pk])
    ).context["form"]

    assert form.fields["keloid_tendency"].initial is True
    assert form.fields["keloid_tendency"].disabled
    assert not form.fields["sunburn"].disabled


def test_check_in_through_the_pages_screens_shows_and_overrides(practitioner_client, practitioner):
    consultation = _consulted(practitioner)

    response = practitioner_client.post(
        reverse("treatments:check_in_new", args=[consultation.patient.pk]),
        {"new_medications": "Eliquis 5mg bd"},
        follow=True,
    )
    html = response.content.decode()
    assert 'data-testid="may-not-start"' in html
    assert "Record override" in html

    check_in = consultation.patient.check_ins.get()
    response = practitioner_client.post(
        reverse("treatments:check_in_override", args=[check_in.pk, "blood_thinners"]),
        {"reason": "Prescriber agrees."},
        follow=True,
    )
    assert 'data-testid="may-start"' in response.content.decode()


def test_an_empty_submission_means_nothing_changed(practitioner_client, practitioner):
    consultation = _consulted(practitioner)

    response = practitioner_client.post(
        reverse("treatments:check_in_new", args=[consultation.patient.pk]), {}, follow=True
    )

    assert 'data-testid="may-start"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"laser_or_ipl": "2999-01-01"}, "cannot be in the future"),
        ({"chemical_peel": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_check_in_answers_are_explained(practitioner_client, practitioner, data, message):
    consultation = _consulted(practitioner)

    response = practitioner_client.post(
        reverse("treatments:check_in_new", args=[consultation.patient.pk]), data
    )

    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_patient_never_consulted_is_told_to_consult_first(practitioner_client):
    patient = make_patient()

    response = practitioner_client.get(
        reverse("treatments:check_in_new", args=[patient.pk]), follow=True
    )

    assert "must consult first" in response.content.decode()


# --- New medicines follow the consultation's rule -------------------------------------


def test_a_new_medicine_not_recognised_must_be_confirmed(practitioner):
    consultation = _consulted(practitioner)

    with pytest.raises(ValidationError) as refused:
        _screen(consultation, practitioner, new_medications="Zyxolin 10mg\nEliquis 5mg")

    message = refused.value.message_dict["new_medications"][0]
    assert "“Zyxolin 10mg”" in message
    assert "Eliquis" not in message
    assert not consultation.patient.check_ins.exists()


def test_a_misspelt_new_medicine_is_offered_never_applied(practitioner):
    consultation = _consulted(practitioner)

    with pytest.raises(ValidationError, match=r"did you mean Eliquis \(apixaban\)"):
        _screen(consultation, practitioner, new_medications="Elliquis 5mg")


def test_a_confirmed_new_medicine_is_kept_as_checked_and_screened_as_known(practitioner):
    consultation = _consulted(practitioner)

    check_in = _screen(
        consultation, practitioner, new_medications="Zyxolin 10mg\nXarelto 20mg",
        confirm_unrecognised=True,
    )  # fmt: skip

    assert check_in.changes["new_medicines"] == [
        {"text": "Zyxolin 10mg", "medicine_key": "", "confirmed_not_relevant": True},
        {"text": "Xarelto 20mg", "medicine_key": "xarelto", "confirmed_not_relevant": False},
    ]
    assert [f["code"] for f in check_in.findings] == ["blood_thinners"]
    assert check_in.vocabulary_version


def test_the_check_in_page_explains_an_unrecognised_medicine(practitioner_client, practitioner):
    consultation = _consulted(practitioner)
    url = reverse("treatments:check_in_new", args=[consultation.patient.pk])

    refused = practitioner_client.post(url, {"new_medications": "Zyxolin 10mg"})
    confirmed = practitioner_client.post(
        url, {"new_medications": "Zyxolin 10mg", "confirm_unrecognised": "on"}
    )

    assert refused.status_code == 200
    assert "Not recognised: “Zyxolin 10mg”" in refused.content.decode()
    assert confirmed.status_code == 302
