"""A patient's whole record as JSON and as a printable page: every section with the
patient's own rows and nothing of anyone else's; each export audited; practitioners and
the manager may, the front desk may not."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clinic.messaging.models import PatientMessage
from clinic.scheduling.models import Appointment
from clinic.staff.selectors import record_accesses
from tests import page_world as w
from tests.factories import make_patient
from treatments.models import CheckInScreening, ConsentSignature, Consultation, ScreeningFinding

pytestmark = pytest.mark.django_db

SECTIONS = [
    "patient", "consents", "consultations", "check_in_screenings", "plans", "sessions",
    "aftercare_given", "appointments", "messages", "record_accesses",
]  # fmt: skip


def export(client, patient):
    response = client.get(reverse("data_rights:export_json", args=[patient.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="patient-{patient.pk}-record.json"'
    )
    return json.loads(response.content)


def test_the_json_holds_every_section_with_the_patients_own_rows(world, role_clients):
    w.plans(world, 1)  # another patient with a course of their own
    patient = world.patient
    w.check_ins(world, 2)
    w.addenda(world, 1)

    data = export(role_clients["practitioner"], patient)

    assert set(SECTIONS) <= set(data)
    assert data["patient"]["id"] == patient.pk
    assert data["patient"]["email"] == patient.email
    assert len(data["consents"]) == ConsentSignature.objects.filter(patient=patient).count() > 0
    consultations = Consultation.objects.filter(patient=patient)
    assert [c["id"] for c in data["consultations"]] == sorted(c.pk for c in consultations)
    signed = next(c for c in data["consultations"] if c["status"] == "signed")
    stored = ScreeningFinding.objects.filter(consultation_id=signed["id"])
    assert [(f["code"], f["level"]) for f in signed["findings"]] == [
        (f.code, f.level) for f in stored.order_by("pk")
    ]
    assert signed["ruleset_version"]
    assert signed["medical_history"] is not None
    assert len(signed["addenda"]) == 1
    assert (
        len(data["check_in_screenings"]) == CheckInScreening.objects.filter(patient=patient).count()
    )
    assert [p["id"] for p in data["plans"]] == [world.plan.pk]
    assert {s["plan_id"] for s in data["sessions"]} == {world.plan.pk}
    assert len(data["sessions"]) == world.plan.sessions.count()
    assert [(a["plan_id"], a["session"]) for a in data["aftercare_given"]] == [
        (world.plan.pk, world.session.number)
    ]
    assert len(data["appointments"]) == Appointment.objects.filter(patient=patient).count()
    assert len(data["messages"]) == PatientMessage.objects.filter(patient=patient).count() > 0
    assert {m["subject"] for m in data["messages"]} <= set(PatientMessage.Kind.labels)
    assert data["record_accesses"], "who accessed the record is listed"
    assert {"when", "who", "record", "action"} == set(data["record_accesses"][0])


def test_nothing_of_another_patient_is_in_the_export(world, role_clients):
    w.plans(world, 1)
    stranger = make_patient(
        first_name="Quentin", last_name="Strangeways", email="q.strange@example.org",
        created_by=world.front_desk,
    )  # fmt: skip
    others = Consultation.objects.exclude(patient=world.patient)
    assert others.exists()

    data = export(role_clients["manager"], world.patient)
    raw = json.dumps(data)

    assert stranger.last_name not in raw
    assert stranger.email not in raw
    for patient in {c.patient for c in others}:
        assert patient.email not in raw
    assert not {c["id"] for c in data["consultations"]} & {c.pk for c in others}
    other_plans = {c.plans.get().pk for c in others if c.plans.exists()}
    assert other_plans
    assert not {s["plan_id"] for s in data["sessions"]} & other_plans


def test_the_printable_copy_shows_every_section(world, role_clients):
    response = role_clients["manager"].get(
        reverse("data_rights:export_print", args=[world.patient.pk])
    )
    assert response.status_code == 200
    body = response.content.decode()
    for key in SECTIONS[1:]:
        assert f'data-testid="section-{key}"' in body
    assert 'data-testid="section-findings"' in body
    assert world.patient.full_name in body
    assert "Who accessed this record" in body


@pytest.mark.parametrize("name", ["data_rights:export_json", "data_rights:export_print"])
def test_each_export_is_audited(world, role_clients, practitioner, name):
    before = LogEntry.objects.count()
    role_clients["practitioner"].get(reverse(name, args=[world.patient.pk]))
    entry = LogEntry.objects.order_by("-pk").first()
    assert LogEntry.objects.count() == before + 1
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.object_id == world.patient.pk
    assert entry.actor == practitioner
    assert entry.additional_data == {
        "data_rights": "export",
        "patient": world.patient.pk,
        "page": "data rights: export",
    }
    assert "export" in entry.changes_dict
    # The manager's "who accessed this record" lists it.
    assert entry in record_accesses(world.patient.pk)


@pytest.mark.parametrize(
    ("role", "status"),
    [("practitioner", 200), ("manager", 200), ("front_desk", 403), ("outsider", 403)],
)
@pytest.mark.parametrize(
    "name", ["data_rights:overview", "data_rights:export_json", "data_rights:export_print"]
)
def test_who_may_export(world, role_clients, role, status, name):
    before = LogEntry.objects.filter(additional_data__data_rights="export").count()
    response = role_clients[role].get(reverse(name, args=[world.patient.pk]))
    assert response.status_code == status
    exported = LogEntry.objects.filter(additional_data__data_rights="export").count() - before
    assert exported == (1 if status == 200 and name != "data_rights:overview" else 0)


def test_a_signed_out_visitor_is_sent_to_sign_in(world, role_clients):
    url = reverse("data_rights:export_json", args=[world.patient.pk])
    response = role_clients["anonymous"].get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_patient_is_not_found(world, role_clients):
    url = reverse("data_rights:export_json", args=[world.patient.pk + 999])
    assert role_clients["manager"].get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("practitioner", 403), ("front_desk", 403), ("outsider", 403)],
)
def test_only_the_manager_has_the_data_requests_list(world, role_clients, role, status):
    assert role_clients[role].get(reverse("data_rights:requests")).status_code == status


def test_the_data_requests_list_finds_a_patient_and_lists_the_restricted(world, role_clients):
    from django.utils import timezone

    from clinic.data_rights.services import patient_restrict

    client = role_clients["manager"]
    patient = world.patient
    found = client.get(reverse("data_rights:requests"), {"q": patient.last_name})
    assert patient in found.context["page"].object_list
    assert reverse("data_rights:overview", args=[patient.pk]) in found.content.decode()

    assert list(client.get(reverse("data_rights:requests")).context["page"].object_list) == []
    patient_restrict(patient=patient, reason="Asked.", now=timezone.now())
    listed = client.get(reverse("data_rights:requests")).context["page"].object_list
    assert list(listed) == [patient]
