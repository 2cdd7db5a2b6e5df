"""Consultation pages: practitioners only, clear messages on bad input, audited views."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import make_patient
from tests.signing_in import sign_in
from treatments.consultations.medicines import MedicineEntry
from treatments.consultations.services import consultation_start, consultation_update
from treatments.models import Consultation

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, SIGN_IN = 200, 403, 302


def _form(**overrides):
    today = timezone.localdate().isoformat()
    data = {
        "c-consulted_on": today,
        "c-intended_treatment_date": today,
        "c-concerns": ["acne_scars"],
        "c-areas": ["face"],
        "c-fitzpatrick_type": "2",
        "c-goals": "Smoother cheeks",
        # The medicine rows: two blank ones, as the page starts.
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-0-status": "current",
        "m-1-status": "current",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def patient(db):
    return make_patient(first_name="Zoë", last_name="Martin")


@pytest.fixture
def draft(patient, practitioner):
    consultation = consultation_start(patient=patient, practitioner=practitioner)
    consultation_update(
        consultation=consultation,
        by=practitioner,
        fields={"fitzpatrick_type": 2},
        history={},
        medicines=[MedicineEntry("Eliquis 5mg bd")],
    )
    return consultation


# --- Who may --------------------------------------------------------------------------

PRACTITIONER_ONLY = {
    "practitioner": OK,
    "front_desk": FORBIDDEN,
    "manager": FORBIDDEN,
    "outsider": FORBIDDEN,
    "anonymous": SIGN_IN,
}


@pytest.mark.parametrize(("who", "expected"), PRACTITIONER_ONLY.items())
@pytest.mark.parametrize("which", ["new", "detail", "edit"])
def test_only_practitioners_open_consultation_pages(role_clients, draft, who, expected, which):
    url = {
        "new": reverse("treatments:consultation_new", args=[draft.patient.pk]),
        "detail": reverse("treatments:consultation", args=[draft.pk]),
        "edit": reverse("treatments:consultation_edit", args=[draft.pk]),
    }[which]

    assert role_clients[who].get(url).status_code == expected


@pytest.mark.parametrize("who", ["front_desk", "manager", "outsider"])
@pytest.mark.parametrize("action", ["preview", "sign", "override", "new"])
def test_other_roles_cannot_act_on_consultations(role_clients, draft, who, action):
    finding = draft.findings.get()
    url, data = {
        "preview": (reverse("treatments:screening_preview"), _form()),
        "sign": (
            reverse("treatments:consultation_sign", args=[draft.pk]),
            {"decision": "not_suitable"},
        ),
        "override": (
            reverse("treatments:finding_override", args=[draft.pk, finding.pk]),
            {"reason": "ok"},
        ),
        "new": (reverse("treatments:consultation_new", args=[draft.patient.pk]), _form()),
    }[action]

    assert role_clients[who].post(url, data).status_code == FORBIDDEN
    draft.refresh_from_db()
    assert not draft.is_signed
    assert Consultation.objects.count() == 1


def test_unknown_consultations_and_patients_are_not_found(practitioner_client):
    assert (
        practitioner_client.get(reverse("treatments:consultation", args=[99999])).status_code == 404
    )
    new = reverse("treatments:consultation_new", args=[99999])
    assert practitioner_client.get(new).status_code == 404


def test_front_desk_sees_the_badge_but_nothing_clinical(front_desk_client, draft):
    html = front_desk_client.get(
        reverse("patients:detail", args=[draft.patient.pk])
    ).content.decode()

    assert 'data-testid="clearance-badge"' in html
    assert "Needs review" in html
    assert 'data-testid="patient-consultations"' not in html
    assert "Eliquis" not in html
    assert "Blood thinner" not in html


def test_practitioners_see_the_consultations_on_the_record(practitioner_client, draft):
    html = practitioner_client.get(
        reverse("patients:detail", args=[draft.patient.pk])
    ).content.decode()

    assert 'data-testid="patient-consultations"' in html
    assert reverse("treatments:consultation", args=[draft.pk]) in html


# --- Recording ------------------------------------------------------------------------


def test_a_practitioner_records_a_consultation_and_its_screening(practitioner_client, patient):
    response = practitioner_client.post(
        reverse("treatments:consultation_new", args=[patient.pk]),
        _form(**{"m-0-text": "Xarelto 20mg od", "h-cold_sore_history": "on"}),
    )

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatments:consultation", args=[consultation.pk])
    assert consultation.screening_level == "needs_clearance"
    assert sorted(consultation.findings.values_list("code", flat=True)) == [
        "blood_thinners",
        "cold_sore_history",
    ]
    assert consultation.concerns == ["acne_scars"]


@pytest.mark.parametrize(
    ("change", "form_name", "field", "message"),
    [
        ({"c-fitzpatrick_type": ""}, "form", "fitzpatrick_type", "required"),
        ({"c-concerns": None}, "form", "concerns", "required"),
        ({"c-areas": None}, "form", "areas", "required"),
        ({"c-consulted_on": "2999-01-01"}, "form", "consulted_on", "future"),
        ({"c-intended_treatment_date": "2000-01-01"}, "form", "intended_treatment_date", "before"),
        ({"h-isotretinoin_stopped_on": "2999-01-01"}, "history", "isotretinoin_stopped_on",
         "after the consultation"),
        ({"h-chemical_peel_on": "not a date"}, "history", "chemical_peel_on", "valid date"),
        (
            {"h-taking_isotretinoin": "on", "h-isotretinoin_stopped_on": "2026-01-01"},
            "history",
            "isotretinoin_stopped_on",
            "taking it now",
        ),
        ({"c-fitzpatrick_type": "9"}, "form", "fitzpatrick_type", "valid choice"),
        ({"c-concerns": ["tattoos"]}, "form", "concerns", "valid choice"),
    ],
)  # fmt: skip
def test_bad_answers_get_a_message_on_the_field(
    practitioner_client, patient, change, form_name, field, message
):
    response = practitioner_client.post(
        reverse("treatments:consultation_new", args=[patient.pk]), _form(**change)
    )

    assert response.status_code == 200
    assert message in " ".join(response.context[form_name].errors[field])
    assert not Consultation.objects.exists()


def test_the_live_panel_screens_the_form_as_filled(practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:screening_preview"), _form(**{"m-0-text": "ELIQUIS 5 MG BD"})
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="finding-blood_thinners"' in html
    assert "Needs clearance" in html
    assert not Consultation.objects.exists()


def test_the_live_panel_copes_with_half_filled_forms(practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:screening_preview"), {"c-fitzpatrick_type": "x", "h-active_acne": "on"}
    )

    assert response.status_code == 200
    assert 'data-testid="finding-active_acne"' in response.content.decode()


def test_override_and_sign_through_the_pages(practitioner_client, draft):
    finding = draft.findings.get()
    practitioner_client.post(
        reverse("treatments:finding_override", args=[draft.pk, finding.pk]),
        {"reason": "Prescriber agrees; minimal bleeding expected."},
    )
    response = practitioner_client.post(
        reverse("treatments:consultation_sign", args=[draft.pk]),
        {"decision": "suitable_with_precautions"},
    )

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.is_signed
    assert draft.decision == "suitable_with_precautions"


def test_a_refused_decision_is_explained(practitioner_client, draft):
    response = practitioner_client.post(
        reverse("treatments:consultation_sign", args=[draft.pk]),
        {"decision": "suitable"},
        follow=True,
    )

    assert "Choose one of the decisions" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_signed


def test_an_empty_override_is_explained(practitioner_client, draft):
    finding = draft.findings.get()

    response = practitioner_client.post(
        reverse("treatments:finding_override", args=[draft.pk, finding.pk]),
        {"reason": ""},
        follow=True,
    )

    assert "Write why treatment may go ahead" in response.content.decode()


def test_a_colleague_cannot_override_or_sign_someone_elses_consultation(draft, db):
    from django.test import Client

    from clinic.staff.roles import Role
    from tests.factories import make_staff

    colleague = Client()
    sign_in(colleague, make_staff(roles=[Role.PRACTITIONER]))
    finding = draft.findings.get()

    colleague.post(
        reverse("treatments:finding_override", args=[draft.pk, finding.pk]), {"reason": "fine"}
    )
    colleague.post(
        reverse("treatments:consultation_sign", args=[draft.pk]), {"decision": "not_suitable"}
    )

    draft.refresh_from_db()
    assert not draft.is_signed
    assert not draft.findings.get().is_overridden


@pytest.fixture
def colleague_client(db):
    """Another practitioner, signed in: the draft is not theirs."""
    from django.test import Client

    from clinic.staff.roles import Role
    from tests.factories import make_staff

    client = Client()
    sign_in(client, make_staff(roles=[Role.PRACTITIONER]))
    return client


def test_a_colleague_posting_to_someone_elses_draft_is_sent_to_it_read_only(
    colleague_client, draft, practitioner
):
    url = reverse("treatments:consultation_edit", args=[draft.pk])

    response = colleague_client.post(url, _form(**{"m-0-text": "Warfarin"}), follow=True)

    assert response.redirect_chain == [(reverse("treatments:consultation", args=[draft.pk]), 302)]
    said = f"This draft is {practitioner.get_full_name()}'s: only they may change or sign it."
    assert escape(said) in response.content.decode()
    draft.refresh_from_db()
    assert [line.text for line in draft.history.medicine_lines.all()] == ["Eliquis 5mg bd"]


def test_a_colleague_is_not_shown_the_edit_form_of_someone_elses_draft(colleague_client, draft):
    edit = reverse("treatments:consultation_edit", args=[draft.pk])

    opened = colleague_client.get(edit)
    detail = colleague_client.get(reverse("treatments:consultation", args=[draft.pk]))

    assert opened.status_code == 302
    assert f'href="{edit}"' not in detail.content.decode()
    assert reverse("treatments:consultation_sign", args=[draft.pk]) not in detail.content.decode()


def test_the_drafts_own_practitioner_still_edits_it(practitioner_client, draft):
    url = reverse("treatments:consultation_edit", args=[draft.pk])

    assert practitioner_client.get(url).status_code == 200
    detail = practitioner_client.get(reverse("treatments:consultation", args=[draft.pk]))
    assert f'href="{url}"' in detail.content.decode()


def test_a_signed_consultation_cannot_be_edited(practitioner_client, draft, practitioner):
    from treatments.consultations.services import consultation_sign

    consultation_sign(consultation=draft, by=practitioner, decision="not_suitable")

    response = practitioner_client.post(
        reverse("treatments:consultation_edit", args=[draft.pk]), _form()
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert [line.text for line in draft.history.medicine_lines.all()] == ["Eliquis 5mg bd"]


def test_each_view_of_a_consultation_is_audited(practitioner_client, practitioner, draft):
    practitioner_client.get(reverse("treatments:consultation", args=[draft.pk]))

    for record in (draft, draft.history):
        entry = LogEntry.objects.get_for_object(record).get(action=LogEntry.Action.ACCESS)
        assert entry.actor == practitioner


# --- Query counts ---------------------------------------------------------------------


def test_the_consultation_page_costs_the_same_for_few_or_many_findings(
    practitioner_client,
    practitioner,
    patient,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    few = consultation_start(patient=patient, practitioner=practitioner)
    many = consultation_start(patient=make_patient(), practitioner=practitioner)
    consultation_update(
        consultation=many,
        by=practitioner,
        fields={"fitzpatrick_type": 5},
        medicines=[MedicineEntry("warfarin"), MedicineEntry("fish oil")],
        history={
            "active_acne": True,
            "sunburn": True,
            "keloid_tendency": True,
            "cold_sore_history": True,
        },
    )
    # session, user, role permissions, consultation with patient, practitioner and
    # history, access-log entries for the consultation and its history (each its INSERT,
    # the chain head locked, the seal, the head moved on),
    # findings with who overrode them, medicine lines with who checked them, addenda with
    # their authors, the take-ins from a history from home, none (a draft): the patient's
    # histories from home
    with django_assert_num_queries(18):
        practitioner_client.get(reverse("treatments:consultation", args=[few.pk]))
    with django_assert_num_queries(18):
        practitioner_client.get(reverse("treatments:consultation", args=[many.pk]))
    assert many.findings.count() == 7


def test_the_patient_record_for_a_practitioner_does_not_grow_with_consultations(
    practitioner_client, practitioner, patient, django_assert_num_queries
):
    consultation_start(patient=patient, practitioner=practitioner)
    # session, user, role permissions, patient, badge, consent, appointments to come and
    # past, plans, consultations, messages, the access entry (its INSERT,
    # the chain head locked, the seal, the head moved on), histories from home (none)
    with django_assert_num_queries(17):
        practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    for _ in range(5):
        consultation_start(patient=patient, practitioner=practitioner)
    with django_assert_num_queries(17):
        practitioner_client.get(reverse("patients:detail", args=[patient.pk]))


def test_tomorrow_is_a_fine_planned_treatment_date(practitioner_client, patient):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = practitioner_client.post(
        reverse("treatments:consultation_new", args=[patient.pk]),
        _form(**{"c-intended_treatment_date": tomorrow}),
    )

    assert response.status_code == 302


def test_a_signed_consultation_takes_addenda_that_are_audited(
    practitioner_client, practitioner, draft
):
    from treatments.consultations.services import consultation_sign

    consultation_sign(consultation=draft, by=practitioner, decision="not_suitable")

    response = practitioner_client.post(
        reverse("treatments:consultation_addendum", args=[draft.pk]),
        {"text": "Patient later confirmed Eliquis was stopped by her GP on 1 Nov."},
        follow=True,
    )

    addendum = draft.addenda.get()
    assert "Addendum added" in response.content.decode()
    assert addendum.author == practitioner
    assert LogEntry.objects.get_for_object(addendum).get().actor == practitioner
    draft.refresh_from_db()
    assert draft.decision == "not_suitable"


def test_a_draft_takes_no_addendum_and_an_empty_one_is_refused(
    practitioner_client, practitioner, draft
):
    url = reverse("treatments:consultation_addendum", args=[draft.pk])

    draft_answer = practitioner_client.post(url, {"text": "note"}, follow=True)
    from treatments.consultations.services import consultation_sign

    consultation_sign(consultation=draft, by=practitioner, decision="not_suitable")
    empty_answer = practitioner_client.post(url, {"text": "   "}, follow=True)

    assert "still a draft" in draft_answer.content.decode()
    assert "This field is required" in empty_answer.content.decode()
    assert not draft.addenda.exists()


@pytest.mark.parametrize("who", ["front_desk", "manager", "outsider"])
def test_other_roles_cannot_add_addenda(role_clients, practitioner, draft, who):
    from treatments.consultations.services import consultation_sign

    consultation_sign(consultation=draft, by=practitioner, decision="not_suitable")
    url = reverse("treatments:consultation_addendum", args=[draft.pk])

    assert role_clients[who].post(url, {"text": "x"}).status_code == 403
    assert not draft.addenda.exists()


def test_opening_a_new_consultation_records_a_view_of_the_last_history(
    practitioner_client, practitioner, draft
):
    practitioner_client.get(reverse("treatments:consultation_new", args=[draft.patient.pk]))

    entry = LogEntry.objects.get_for_object(draft.history).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == practitioner


def test_the_live_panel_survives_dates_at_the_end_of_the_calendar(practitioner_client):
    response = practitioner_client.post(
        reverse("treatments:screening_preview"),
        _form(**{"h-isotretinoin_stopped_on": "9999-12-20"}),
    )

    assert response.status_code == 200


def test_the_panel_shows_practitioners_what_the_clinic_changed(
    practitioner_client, patient, manager
):
    from treatments.consultations.services import screening_rule_configure

    screening_rule_configure(
        code="keloid_tendency", by=manager, enabled=False, level=None,
        reason="Our scar clinic assesses these patients.",
    )  # fmt: skip

    new = practitioner_client.get(reverse("treatments:consultation_new", args=[patient.pk]))
    live = practitioner_client.post(reverse("treatments:screening_preview"), _form())

    for response in (new, live):
        html = response.content.decode()
        changes = html[html.index('data-testid="clinic-rule-changes"') :]
        assert "Keloid or hypertrophic scarring tendency" in changes
        assert "Needs clearance → Switched off" in changes
        assert manager.get_full_name() in changes
        assert "Our scar clinic assesses these patients." in changes


def test_the_panel_names_no_change_when_the_clinic_keeps_the_defaults(practitioner_client):
    response = practitioner_client.post(reverse("treatments:screening_preview"), _form())

    assert 'data-testid="clinic-rule-changes"' not in response.content.decode()
