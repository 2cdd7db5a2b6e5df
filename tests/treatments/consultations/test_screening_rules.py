"""The manager's changes to screening rules: audited, used by new screenings only."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.factories import make_patient
from treatments.consultations.services import consultation_start, consultation_update
from treatments.models import ScreeningRuleChange, ScreeningRuleSetting
from treatments.screening.rules import RULESET_VERSION

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("practitioner", 403), ("front_desk", 403), ("outsider", 403),
     ("anonymous", 302)],
)  # fmt: skip
def test_only_the_manager_opens_the_rules(role_clients, who, expected):
    assert role_clients[who].get(reverse("treatments:screening_rules")).status_code == expected


@pytest.mark.parametrize("who", ["practitioner", "front_desk", "outsider"])
def test_other_roles_cannot_change_a_rule(role_clients, who):
    url = reverse("treatments:screening_rule", args=["keloid_tendency"])

    assert role_clients[who].post(url, {"enabled": "0", "level": ""}).status_code == 403
    assert not ScreeningRuleSetting.objects.exists()


def test_a_rule_switched_off_stops_new_findings_and_leaves_old_ones(
    manager_client, manager, practitioner
):
    patient = make_patient()
    before = consultation_start(patient=patient, practitioner=practitioner)
    consultation_update(
        consultation=before, by=practitioner, fields={}, history={"keloid_tendency": True}
    )

    response = manager_client.post(
        reverse("treatments:screening_rule", args=["keloid_tendency"]),
        {"enabled": "0", "level": "", "reason": "Not a concern here."},
    )

    assert response.status_code == 302
    after = consultation_start(patient=patient, practitioner=practitioner)
    after.refresh_from_db()
    assert not after.findings.exists()
    assert after.ruleset_version.startswith(f"{RULESET_VERSION}+")
    before.refresh_from_db()
    assert before.findings.get().code == "keloid_tendency"
    assert before.ruleset_version == RULESET_VERSION


def test_a_rule_given_another_level_screens_at_that_level(manager_client, practitioner):
    manager_client.post(
        reverse("treatments:screening_rule", args=["keloid_tendency"]),
        {"enabled": "1", "level": "contraindicated", "reason": "Our surgeon prefers not to."},
    )
    consultation = consultation_start(patient=make_patient(), practitioner=practitioner)

    consultation_update(
        consultation=consultation, by=practitioner, fields={}, history={"keloid_tendency": True}
    )

    consultation.refresh_from_db()
    assert consultation.screening_level == "contraindicated"


def test_rule_changes_are_audited_with_who_made_them(manager_client, manager):
    manager_client.post(
        reverse("treatments:screening_rule", args=["fitzpatrick_iv_to_vi"]),
        {"enabled": "0", "level": "", "reason": "Depth is chosen per patient."},
    )

    setting = ScreeningRuleSetting.objects.get()
    entry = LogEntry.objects.get_for_object(setting).get()
    assert entry.actor == manager
    assert setting.changed_by == manager


@pytest.mark.parametrize(
    ("code", "data", "message"),
    [
        ("no_such_rule", {"enabled": "0", "level": ""}, "There is no screening rule"),
        ("keloid_tendency", {"enabled": "maybe", "level": "", "reason": "x"}, "Choose on or off"),
        ("keloid_tendency", {"enabled": "1", "level": "clear", "reason": "x"}, "Choose on or off"),
        ("keloid_tendency", {}, "Choose on or off"),
        ("keloid_tendency", {"enabled": "0", "level": ""}, "Give the reason for the change"),
        ("keloid_tendency", {"enabled": "0", "level": "", "reason": "  "}, "Give the reason"),
        ("keloid_tendency", {"enabled": "1", "level": "", "reason": "x"}, "already stands"),
        (
            "pregnant_or_breastfeeding",
            {"enabled": "0", "level": "", "reason": "x"},
            "A contraindication cannot be switched off",
        ),
        (
            "pregnant_or_breastfeeding",
            {"enabled": "1", "level": "precaution", "reason": "x"},
            "A contraindication cannot be switched off or given a lower level",
        ),
        (
            "pregnant_or_breastfeeding",
            {"enabled": "1", "level": "precaution"},
            "A contraindication cannot be switched off or given a lower level",
        ),
    ],
)
def test_bad_changes_are_explained(manager_client, code, data, message):
    response = manager_client.post(
        reverse("treatments:screening_rule", args=[code]), data, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ScreeningRuleSetting.objects.exists()
    assert not ScreeningRuleChange.objects.exists()


def test_the_rules_page_lists_every_rule_in_a_fixed_number_of_queries(
    manager_client, django_assert_num_queries
):
    from treatments.screening.rules import DEFAULT_RULES

    # session, user, role permissions, settings with who changed them, settings again
    # for the rule-set version, roles (menu)
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("treatments:screening_rules"))
    assert len(response.context["rows"]) == len(DEFAULT_RULES)


def test_a_simultaneous_first_change_is_answered_calmly(manager_client, monkeypatch):
    from django.db import IntegrityError

    import treatments.consultations.views

    def collide(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(treatments.consultations.views, "screening_rule_configure", collide)

    response = manager_client.post(
        reverse("treatments:screening_rule", args=["keloid_tendency"]),
        {"enabled": "0", "level": "", "reason": "Not a concern here."},
        follow=True,
    )

    assert response.status_code == 200
    assert "at the same moment" in response.content.decode()


def test_every_other_change_is_kept_with_its_reason_and_levels(manager_client, manager):
    url = reverse("treatments:screening_rule", args=["keloid_tendency"])
    manager_client.post(url, {"enabled": "1", "level": "precaution", "reason": "We warn only."})
    manager_client.post(url, {"enabled": "0", "level": "", "reason": "Not asked here."})

    first, second = ScreeningRuleChange.objects.order_by("id")
    assert (first.old_state, first.new_state, first.reason) == (
        "needs_clearance", "precaution", "We warn only.",
    )  # fmt: skip
    assert (second.old_state, second.new_state) == ("precaution", "off")
    assert second.changed_by == manager
    setting = ScreeningRuleSetting.objects.get()
    assert (setting.enabled, setting.reason) == (False, "Not asked here.")


def test_the_audit_entry_names_the_rule_and_its_old_and_new_level(manager_client, manager):
    manager_client.post(
        reverse("treatments:screening_rule", args=["keloid_tendency"]),
        {"enabled": "1", "level": "precaution", "reason": "We warn only."},
    )

    entry = LogEntry.objects.get_for_object(ScreeningRuleChange.objects.get()).get()
    assert entry.actor == manager
    assert "Keloid or hypertrophic scarring tendency" in entry.object_repr
    assert "needs_clearance → precaution" in entry.object_repr
    assert entry.changes_dict["new_state"] == ["None", "precaution"]


def test_a_contraindication_is_refused_by_the_service_and_the_model(manager):
    from django.core.exceptions import ValidationError

    from treatments.consultations.services import screening_rule_configure
    from treatments.screening.rules import Level

    with pytest.raises(ValidationError, match="cannot be switched off"):
        screening_rule_configure(
            code="sunburn", by=manager, enabled=False, level=None, reason="Busy season."
        )
    with pytest.raises(ValidationError, match="lower level"):
        screening_rule_configure(
            code="sunburn", by=manager, enabled=True, level=Level.PRECAUTION, reason="Busy."
        )
    setting = ScreeningRuleSetting(code="sunburn", enabled=False, reason="x", changed_by=manager)
    with pytest.raises(ValidationError, match="cannot be switched off"):
        setting.full_clean()
    assert not ScreeningRuleSetting.objects.exists()


def test_the_rules_page_offers_no_change_to_a_contraindication(manager_client):
    response = manager_client.get(reverse("treatments:screening_rules"))

    html = response.content.decode()
    pregnancy = html[html.index('data-testid="rule-pregnant_or_breastfeeding"') :]
    pregnancy = pregnancy[: pregnancy.index("</tr>")]
    assert "cannot be switched off or lowered" in pregnancy
    assert 'name="enabled"' not in pregnancy
    keloid = html[html.index('data-testid="rule-keloid_tendency"') :]
    assert 'name="reason"' in keloid[: keloid.index("</tr>")]


@pytest.mark.parametrize("model", [ScreeningRuleSetting, ScreeningRuleChange])
def test_the_admin_cannot_change_a_rule_or_its_history(rf, manager, model):
    from django.contrib import admin

    request = rf.get("/")
    request.user = manager
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
