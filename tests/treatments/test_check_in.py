"""Screening again at check-in: what changed, judged for today; when a session may start."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import make_patient
from treatments.check_in import check_in_screen, session_may_start
from treatments.screening import Condition, DatedEvent, add_months
from treatments.services import (
    consultation_sign,
    consultation_start,
    consultation_update,
    finding_override,
)

pytestmark = pytest.mark.django_db


def _consulted(practitioner, history=None, override="", decision="suitable", **fields):
    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
    consultation_update(
        consultation=consultation, by=practitioner, fields=fields, history=history or {}
    )
    if override:
        for finding in consultation.findings.filter(level="needs_clearance"):
            finding_override(finding=finding, by=practitioner, reason=override)
    consultation_sign(consultation=consultation, by=practitioner, decision=decision)
    return consultation


def test_nothing_changed_and_a_clear_consultation_may_start(practitioner):
    consultation = _consulted(practitioner)

    check_in = check_in_screen(patient=consultation.patient, by=practitioner, conditions=set())

    assert check_in.may_start
    assert check_in.findings == []
    assert session_may_start(check_in, timezone.localdate()) == (True, [])


@pytest.mark.parametrize(
    "condition",
    [Condition.ACTIVE_ACNE, Condition.SUNBURN, Condition.COLD_SORE_ACTIVE,
     Condition.PREGNANT_OR_BREASTFEEDING, Condition.ECZEMA_FLARE],
)  # fmt: skip
def test_a_new_contraindication_today_stops_the_session(practitioner, condition):
    consultation = _consulted(practitioner)

    check_in = check_in_screen(
        patient=consultation.patient, by=practitioner, conditions={condition}
    )

    may, reasons = session_may_start(check_in, timezone.localdate())
    assert not may
    assert "contraindicated" in reasons[0]


def test_a_new_blood_thinner_needs_an_override_today(practitioner):
    consultation = _consulted(practitioner)
    patient = consultation.patient

    without = check_in_screen(
        patient=patient, by=practitioner, conditions=set(), new_medications="Xarelto 20mg od"
    )
    with_override = check_in_screen(
        patient=patient,
        by=practitioner,
        conditions=set(),
        new_medications="Xarelto 20mg od",
        override_reason="Started last week; prescriber agrees to go ahead.",
    )

    assert not without.may_start
    assert session_may_start(without, timezone.localdate())[1] == [
        "Blood thinner (anticoagulant or antiplatelet): needs an override"
    ]
    assert with_override.may_start
    assert with_override.findings[0]["cleared_by"] == "check-in"


def test_an_override_from_the_consultation_still_counts_for_the_same_finding(practitioner):
    consultation = _consulted(
        practitioner,
        {"medications": "warfarin 3mg"},
        override="INR stable; prescriber agrees.",
        decision="suitable_with_precautions",
    )

    check_in = check_in_screen(patient=consultation.patient, by=practitioner, conditions=set())

    assert check_in.may_start
    assert check_in.findings[0]["cleared_by"] == "consultation"


def test_a_flare_at_the_consultation_is_not_assumed_at_check_in(practitioner):
    # Rosacea was controlled at the consultation (cleared); today there is no flare.
    consultation = _consulted(
        practitioner, {"rosacea_controlled": True}, override="Controlled for a year.",
        decision="suitable_with_precautions",
    )  # fmt: skip

    check_in = check_in_screen(patient=consultation.patient, by=practitioner, conditions=set())

    assert [f["code"] for f in check_in.findings] == ["rosacea_controlled"]
    assert check_in.may_start


def test_windows_are_judged_for_the_day_of_the_check_in(practitioner):
    today = timezone.localdate()
    consultation = _consulted(
        practitioner,
        {"isotretinoin_stopped_on": add_months(today, -7)},
    )

    check_in = check_in_screen(
        patient=consultation.patient,
        by=practitioner,
        conditions=set(),
        dates={DatedEvent.CHEMICAL_PEEL: today - timedelta(days=10)},
    )

    assert [f["code"] for f in check_in.findings] == ["chemical_peel_recent"]
    assert not check_in.may_start


def test_a_procedure_date_in_the_future_is_refused(practitioner):
    consultation = _consulted(practitioner)

    with pytest.raises(ValidationError, match="cannot be in the future"):
        check_in_screen(
            patient=consultation.patient,
            by=practitioner,
            conditions=set(),
            dates={DatedEvent.LASER_OR_IPL: timezone.localdate() + timedelta(days=1)},
        )


@pytest.mark.parametrize("decision", [None, "not_suitable"])
def test_no_check_in_without_a_consultation_that_clears_the_patient(practitioner, decision):
    patient = make_patient()
    if decision:
        consultation = consultation_start(patient=patient, practitioner=practitioner)
        consultation_sign(consultation=consultation, by=practitioner, decision=decision)

    with pytest.raises(ValidationError, match="No signed consultation clears"):
        check_in_screen(patient=patient, by=practitioner, conditions=set())


def test_a_session_needs_todays_check_in(practitioner):
    consultation = _consulted(practitioner)
    check_in = check_in_screen(patient=consultation.patient, by=practitioner, conditions=set())
    tomorrow = timezone.localdate() + timedelta(days=1)

    assert session_may_start(None, tomorrow)[0] is False
    assert session_may_start(check_in, tomorrow) == (
        False,
        ["Screen the patient again at check-in today before starting."],
    )


def test_a_bleeding_disorder_cleared_today_needs_the_physicians_note(practitioner):
    consultation = _consulted(practitioner)

    with pytest.raises(ValidationError):
        check_in_screen(
            patient=consultation.patient,
            by=practitioner,
            conditions={Condition.BLEEDING_DISORDER},
            override_reason="Newly diagnosed, mild.",
        )


# --- The pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("practitioner", 200), ("front_desk", 403), ("manager", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_practitioners_screen_at_check_in(role_clients, practitioner, who, expected):
    from django.urls import reverse

    consultation = _consulted(practitioner)
    check_in = check_in_screen(patient=consultation.patient, by=practitioner, conditions=set())

    new = reverse("treatments:check_in_new", args=[consultation.patient.pk])
    result = reverse("treatments:check_in", args=[check_in.pk])
    assert role_clients[who].get(new).status_code == expected
    assert role_clients[who].get(result).status_code == expected


def test_the_check_in_page_screens_and_shows_whether_to_start(practitioner_client, practitioner):
    from django.urls import reverse

    consultation = _consulted(practitioner)

    response = practitioner_client.post(
        reverse("treatments:check_in_new", args=[consultation.patient.pk]),
        {"sunburn": "on", "new_medications": ""},
        follow=True,
    )

    html = response.content.decode()
    assert 'data-testid="may-not-start"' in html
    assert "Sunburn in the area: contraindicated" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"laser_or_ipl": "2999-01-01"}, "cannot be in the future"),
        ({"chemical_peel": "yesterday"}, "Enter a valid date"),
    ],
)
def test_bad_check_in_answers_are_explained(practitioner_client, practitioner, data, message):
    from django.urls import reverse

    consultation = _consulted(practitioner)

    response = practitioner_client.post(
        reverse("treatments:check_in_new", args=[consultation.patient.pk]), data
    )

    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_patient_never_consulted_is_told_to_consult_first(practitioner_client):
    from django.urls import reverse

    patient = make_patient()

    response = practitioner_client.post(reverse("treatments:check_in_new", args=[patient.pk]), {})

    assert response.status_code == 200
    assert "must consult first" in response.content.decode()
