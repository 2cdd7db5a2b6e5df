"""Aftercare: versions the manager writes, the copy issued when a session is signed, its
email and follow-ups, and the pages that show them."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.messaging.content import render
from clinic.messaging.models import PatientMessage
from tests.treatments.sessions.sessions_setup import start_record_and_sign
from treatments.aftercare.defaults import DEFAULT_STEPS
from treatments.aftercare.services import (
    aftercare_check,
    aftercare_issue,
    aftercare_template_current,
    aftercare_template_revise,
)
from treatments.models import AftercareTemplate, IssuedAftercare, Treatment

pytestmark = pytest.mark.django_db
# A quarter of an hour before the 09:00 session: late enough for it to start.
MONDAY = datetime(2026, 11, 23, 8, 45, tzinfo=UTC)
FORBIDDEN = {"front_desk": 403, "outsider": 403, "anonymous": 302}
K = PatientMessage.Kind
NEW_STEPS = [
    {"from_day": 0, "to_day": 2, "text": "Only water on the skin for two days."},
    {"from_day": 3, "to_day": 10, "text": "Sunscreen every morning."},
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def microneedling():
    return Treatment.objects.get(name="Microneedling")


def _revise(treatment, by, **changes):
    fields = {"steps": NEW_STEPS, "call_clinic": "a fever.", "follow_up_days": [2, 7]}
    return aftercare_template_revise(treatment=treatment, by=by, **{**fields, **changes})


def _messages(session):
    return {
        m.key.rpartition(":")[2]: m
        for m in PatientMessage.objects.filter(key__startswith=f"session:{session.pk}:")
    }


# --- Issued at signing ------------------------------------------------------------------


def test_the_shipped_catalog_starts_with_the_default_aftercare(microneedling):
    template = aftercare_template_current(microneedling)
    assert template.version == 1
    assert template.steps == DEFAULT_STEPS
    assert template.follow_up_days == [1, 3]
    assert AftercareTemplate.objects.filter(treatment=microneedling).count() == 1


def test_signing_issues_the_aftercare_and_puts_its_emails_in_the_outbox(
    session_today, practitioner
):
    signed = start_record_and_sign(session_today, practitioner)

    issued = IssuedAftercare.objects.get(session=signed)
    assert (issued.version, issued.issued_by, issued.issued_at) == (1, practitioner, MONDAY)
    assert issued.steps == DEFAULT_STEPS
    sent = _messages(signed)
    assert set(sent) == {"aftercare", "day-1", "day-3"}
    aftercare = sent["aftercare"]
    assert (aftercare.kind, aftercare.due_at, aftercare.appointment_id) == (
        K.AFTERCARE, MONDAY, signed.appointment_id,
    )  # fmt: skip
    assert [step["days"] for step in aftercare.payload["steps"]] == [
        "Days 0 to 1", "Days 2 to 4", "Days 5 to 7", "Days 0 to 14",
    ]  # fmt: skip
    # Bath is on GMT in November: 10:00 local is 10:00 UTC.
    assert sent["day-1"].due_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert sent["day-3"].due_at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert [s["days"] for s in sent["day-3"].payload["steps"]] == ["Days 2 to 4", "Days 0 to 14"]
    assert sent["day-3"].kind == K.FOLLOW_UP


def test_the_aftercare_email_carries_the_steps_and_when_to_call(session_today, practitioner):
    signed = start_record_and_sign(session_today, practitioner)
    sent = _messages(signed)

    email = render(sent["aftercare"])
    follow_up = render(sent["day-3"])

    assert "Days 2 to 4: Wear a mineral sunscreen" in email.text
    assert "Contact the clinic at once if you notice: signs of infection" in email.text
    assert "Wear a mineral sunscreen" in email.html
    assert "Day 3 after your treatment" in follow_up.subject
    assert "Days 5 to 7" not in follow_up.text


def test_follow_ups_keep_ten_in_the_morning_across_the_clock_change(session_today, practitioner):
    """Issued on Thursday 22 October 2026 (BST); day 3 is Sunday 25 October, after the
    clocks went back: 10:00 local is 09:00 UTC before the change and 10:00 UTC after."""
    thursday = datetime(2026, 10, 22, 15, 0, tzinfo=UTC)
    aftercare_issue(session=session_today, by=practitioner, now=thursday)

    sent = _messages(session_today)
    assert sent["day-1"].due_at == datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
    assert sent["day-3"].due_at == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)


def test_a_new_version_never_changes_aftercare_already_given(
    session_today, practitioner, manager, microneedling
):
    signed = start_record_and_sign(session_today, practitioner)

    revised = _revise(microneedling, manager)

    assert revised.version == 2
    assert aftercare_template_current(microneedling) == revised
    issued = IssuedAftercare.objects.get(session=signed)
    assert (issued.version, issued.steps) == (1, DEFAULT_STEPS)
    assert AftercareTemplate.objects.get(treatment=microneedling, version=1).steps == DEFAULT_STEPS


def test_a_session_signed_after_a_new_version_gets_it(
    session_today, practitioner, manager, microneedling
):
    _revise(microneedling, manager)

    signed = start_record_and_sign(session_today, practitioner)

    issued = IssuedAftercare.objects.get(session=signed)
    assert (issued.version, issued.steps, issued.follow_up_days) == (2, NEW_STEPS, [2, 7])
    assert set(_messages(signed)) == {"aftercare", "day-2", "day-7"}
    day_seven = _messages(signed)["day-7"].payload["steps"]
    assert day_seven == [{"days": "Days 3 to 10", "text": "Sunscreen every morning."}]


def test_a_treatment_without_aftercare_yet_gets_the_default(session_today, practitioner):
    AftercareTemplate.objects.all().delete()

    signed = start_record_and_sign(session_today, practitioner)

    assert IssuedAftercare.objects.get(session=signed).steps == DEFAULT_STEPS


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"steps": []}, "steps"),
        ({"steps": [{"from_day": 3, "to_day": 1, "text": "Backwards"}]}, "steps"),
        ({"steps": [{"from_day": 0, "to_day": 91, "text": "Too long"}]}, "steps"),
        ({"steps": [{"from_day": "0", "to_day": 1, "text": "Text day"}]}, "steps"),
        ({"steps": [{"from_day": 0, "to_day": 1, "text": "  "}]}, "steps"),
        ({"call_clinic": " "}, "call_clinic"),
        ({"follow_up_days": [0]}, "follow_up_days"),
        ({"follow_up_days": [2, 2]}, "follow_up_days"),
        ({"follow_up_days": [1, 2, 3, 4, 5, 6]}, "follow_up_days"),
    ],
)
def test_aftercare_a_patient_could_not_follow_is_refused(manager, microneedling, changes, field):
    with pytest.raises(ValidationError) as caught:
        _revise(microneedling, manager, **changes)

    assert field in caught.value.message_dict
    assert aftercare_template_current(microneedling).version == 1


def test_the_check_accepts_the_default():
    aftercare_check(steps=DEFAULT_STEPS, call_clinic="a fever.", follow_up_days=[1, 3])


# --- Pages ------------------------------------------------------------------------------


def test_the_signed_session_page_shows_the_aftercare_given(
    session_today, practitioner, practitioner_client, django_assert_num_queries
):
    start_record_and_sign(session_today, practitioner)
    url = reverse("treatments:session", args=[session_today.pk])

    # (the audit entry is four queries: its INSERT, the chain head locked, the seal, the
    # head moved on)
    with django_assert_num_queries(12):
        response = practitioner_client.get(url)

    assert response.status_code == 200
    assert response.context["aftercare"].version == 1
    content = response.content.decode()
    assert 'data-testid="issued-aftercare"' in content
    assert "Wear a mineral sunscreen" in content
    assert reverse("treatments:aftercare", args=[session_today.pk]) in content


def test_the_printable_aftercare_is_for_practitioners(
    session_today, practitioner, practitioner_client, django_assert_num_queries
):
    start_record_and_sign(session_today, practitioner)
    url = reverse("treatments:aftercare", args=[session_today.pk])

    # (the audit entry is four queries: its INSERT, the chain head locked, the seal, the
    # head moved on)
    with django_assert_num_queries(9):
        response = practitioner_client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert session_today.plan.patient.full_name in content
    assert "Days 2 to 4" in content
    assert "Aftercare version 1" in content


@pytest.mark.parametrize("role", [*FORBIDDEN, "manager"])
def test_others_cannot_open_the_printable_aftercare(
    session_today, practitioner, role_clients, role
):
    start_record_and_sign(session_today, practitioner)
    url = reverse("treatments:aftercare", args=[session_today.pk])

    response = role_clients[role].get(url)

    assert response.status_code == {**FORBIDDEN, "manager": 403}[role]


def test_a_session_not_yet_signed_has_no_aftercare_to_print(session_today, practitioner_client):
    url = reverse("treatments:aftercare", args=[session_today.pk])
    assert practitioner_client.get(url).status_code == 404


@pytest.mark.parametrize("versions", [1, 4])
def test_the_aftercare_page_costs_the_same_for_any_number_of_versions(
    manager, manager_client, microneedling, django_assert_num_queries, versions
):
    for _ in range(versions - 1):
        _revise(microneedling, manager)

    with django_assert_num_queries(6):
        response = manager_client.get(reverse("treatments:aftercare_templates"))

    assert response.status_code == 200
    assert response.context["rows"][0]["current"].version == versions
    assert "Write a new version" in response.content.decode()


def test_practitioners_read_the_aftercare_but_do_not_change_it(practitioner_client, microneedling):
    response = practitioner_client.get(reverse("treatments:aftercare_templates"))
    assert response.status_code == 200
    assert "Write a new version" not in response.content.decode()

    edit = reverse("treatments:aftercare_template", args=[microneedling.pk])
    assert practitioner_client.get(edit).status_code == 403
    assert practitioner_client.post(edit, _form()).status_code == 403
    assert aftercare_template_current(microneedling).version == 1


@pytest.mark.parametrize("role", list(FORBIDDEN))
def test_the_aftercare_pages_are_closed_to_others(role_clients, role, microneedling):
    client = role_clients[role]
    for url in (
        reverse("treatments:aftercare_templates"),
        reverse("treatments:aftercare_template", args=[microneedling.pk]),
    ):
        assert client.get(url).status_code == FORBIDDEN[role]


def _form(steps=None, **fields):
    steps = NEW_STEPS if steps is None else steps
    data = {
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "call_clinic": "a fever.",
        "follow_up_days": "2, 7",
    }
    for number, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{number}-{key}"] = value
    return {**data, **fields}


def test_the_manager_writes_a_new_version(manager_client, microneedling, django_assert_num_queries):
    url = reverse("treatments:aftercare_template", args=[microneedling.pk])
    with django_assert_num_queries(6):
        page = manager_client.get(url)
    assert page.status_code == 200
    assert "Wear a mineral sunscreen" in page.content.decode()

    response = manager_client.post(url, _form())

    assert response.status_code == 302
    current = aftercare_template_current(microneedling)
    assert (current.version, current.steps, current.follow_up_days) == (2, NEW_STEPS, [2, 7])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form(steps=[]), "Write at least one step."),
        (_form(steps=[{"from_day": 5, "to_day": 2, "text": "x"}]), "This is before the first day."),
        (_form(steps=[{"from_day": "soon", "to_day": 2, "text": "x"}]), "Enter a whole number."),
        (_form(follow_up_days="1, next week"), "is not a day"),
        (_form(follow_up_days="3, 3"), "Give each day once."),
        (_form(call_clinic=""), "This field is required."),
    ],
)
def test_bad_aftercare_is_explained_and_nothing_saved(manager_client, microneedling, data, message):
    url = reverse("treatments:aftercare_template", args=[microneedling.pk])

    response = manager_client.post(url, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert aftercare_template_current(microneedling).version == 1


def test_an_unknown_treatment_is_404(manager_client):
    url = reverse("treatments:aftercare_template", args=[999])
    assert manager_client.get(url).status_code == 404


def test_the_page_as_sent_saves_with_one_step_changed_and_one_deleted(
    manager_client, microneedling
):
    """The form as the browser sends it back: the current steps as initial rows, one
    blank extra row, one step reworded and one ticked for deletion."""
    url = reverse("treatments:aftercare_template", args=[microneedling.pk])
    steps = [dict(step) for step in DEFAULT_STEPS] + [{"from_day": "", "to_day": "", "text": ""}]
    steps[2]["text"] = "Bring actives back one at a time, every other night."
    data = _form(steps=steps, **{"steps-INITIAL_FORMS": "4", "steps-3-DELETE": "on"})

    response = manager_client.post(url, data)

    assert response.status_code == 302
    saved = aftercare_template_current(microneedling)
    assert saved.version == 2
    assert [s["text"] for s in saved.steps] == [
        DEFAULT_STEPS[0]["text"], DEFAULT_STEPS[1]["text"],
        "Bring actives back one at a time, every other night.",
    ]  # fmt: skip
