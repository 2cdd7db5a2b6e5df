"""A restriction (UK GDPR art. 18) stops every message to the patient: the outbox says
why each waiting one won't go, dispatch skips a due reminder with that reason, and lifting
it lets what is still due go out. Manager only, with a reason, audited."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from clinic.data_rights.services import patient_restrict
from clinic.messaging.models import PatientMessage
from clinic.messaging.services import RESTRICTED, messages_dispatch
from tests import page_world as w

pytestmark = pytest.mark.django_db
K = PatientMessage.Kind
St = PatientMessage.Status


def next_reminder(patient):
    return (
        PatientMessage.objects.filter(patient=patient, kind=K.REMINDER, status=St.PENDING)
        .order_by("due_at")
        .first()
    )


def restrict(client, patient, reason="Patient's letter of 20 November: disputes accuracy."):
    url = reverse("data_rights:restriction", args=[patient.pk])
    return client.post(url, {"reason": reason})


def test_a_due_reminder_is_not_sent_to_a_restricted_patient_and_says_why(
    world, role_clients, frozen
):
    w.plans(world, 1)  # another patient, unrestricted, whose reminder must still go
    patient = world.patient
    reminder = next_reminder(patient)
    assert reminder is not None
    other = PatientMessage.objects.filter(kind=K.REMINDER, status=St.PENDING).exclude(
        patient=patient
    )
    control = other.order_by("due_at").first()
    assert control is not None
    assert restrict(role_clients["manager"], patient).status_code == 302

    listed = role_clients["front_desk"].get(reverse("messaging:detail", args=[reminder.pk]))
    assert "Won't send" in listed.content.decode()
    assert RESTRICTED.replace("'", "&#x27;") in listed.content.decode()

    mail.outbox = []
    for due in sorted([reminder.due_at, control.due_at]):
        frozen.move_to(due + timedelta(minutes=1))
        messages_dispatch()

    reminder.refresh_from_db()
    control.refresh_from_db()
    assert reminder.status == St.SKIPPED
    assert reminder.skip_reason == RESTRICTED
    assert control.status == St.SENT, "the other patient's reminder went"
    assert mail.outbox
    assert all(patient.email not in email.to for email in mail.outbox)


def test_a_lifted_restriction_lets_what_is_still_due_go_out(world, role_clients, frozen):
    patient = world.patient
    reminder = next_reminder(patient)
    restrict(role_clients["manager"], patient)
    response = restrict(role_clients["manager"], patient, reason="Accuracy confirmed.")
    assert response.status_code == 302
    patient.refresh_from_db()
    assert not patient.is_restricted

    frozen.move_to(reminder.due_at + timedelta(minutes=1))
    messages_dispatch()
    reminder.refresh_from_db()
    assert reminder.status == St.SENT


def test_the_record_shows_the_restriction_and_the_audit_log_has_both_actions(
    world, role_clients, manager
):
    patient = world.patient
    restrict(role_clients["manager"], patient, reason="Objects to processing.")
    page = role_clients["front_desk"].get(reverse("patients:detail", args=[patient.pk]))
    assert 'data-testid="restricted"' in page.content.decode()
    assert "Objects to processing." in page.content.decode()

    restrict(role_clients["manager"], patient, reason="Objection withdrawn.")
    entries = LogEntry.objects.filter(object_id=patient.pk, additional_data__has_key="data_rights")
    assert [(e.additional_data["data_rights"], e.actor) for e in entries.order_by("pk")] == [
        ("restriction", manager),
        ("restriction lifted", manager),
    ]
    assert entries.order_by("pk").last().changes_dict["restriction lifted"][1] == (
        "Objection withdrawn."
    )
    page = role_clients["front_desk"].get(reverse("patients:detail", args=[patient.pk]))
    assert 'data-testid="restricted"' not in page.content.decode()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, "a\x00b"])
def test_a_restriction_needs_a_sensible_reason(world, role_clients, reason):
    response = restrict(role_clients["manager"], world.patient, reason=reason)
    assert response.status_code == 302
    world.patient.refresh_from_db()
    assert not world.patient.is_restricted


def test_restricting_twice_is_refused_by_the_service(world):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    patient_restrict(patient=world.patient, reason="First.", now=timezone.now())
    with pytest.raises(ValidationError, match="already restricted"):
        patient_restrict(patient=world.patient, reason="Again.", now=timezone.now())


@pytest.mark.parametrize(("role", "status"), [("practitioner", 403), ("front_desk", 403),
                                              ("outsider", 403), ("manager", 302)])  # fmt: skip
def test_only_the_manager_may_restrict(world, role_clients, role, status):
    assert restrict(role_clients[role], world.patient).status_code == status
    world.patient.refresh_from_db()
    assert world.patient.is_restricted == (role == "manager")


def test_the_overview_offers_restriction_to_the_manager_only(world, role_clients):
    url = reverse("data_rights:overview", args=[world.patient.pk])
    assert "restriction-heading" in role_clients["manager"].get(url).content.decode()
    assert "restriction-heading" not in role_clients["practitioner"].get(url).content.decode()
