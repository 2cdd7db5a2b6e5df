"""Every look at a patient's record and every search is in the audit log; the manager's
"who accessed this record" page says who, when and which page, never what it showed."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clinic.staff.audit import audit_view
from tests.factories import make_patient
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db


def _looks(actor):
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=actor)


def test_a_look_at_the_record_is_recorded_with_who_and_which_page(front_desk_client, front_desk):
    patient = make_patient(first_name="Imogen", last_name="Hartley")

    front_desk_client.get(reverse("patients:detail", args=[patient.pk]))
    front_desk_client.get(reverse("patients:edit", args=[patient.pk]))

    pages = sorted(e.additional_data["page"] for e in _looks(front_desk))
    assert pages == ["patient details (edit)", "patient record"]
    assert all(e.additional_data["patient"] == patient.pk for e in _looks(front_desk))


def test_a_search_is_recorded_but_not_what_was_searched(front_desk_client, front_desk):
    make_patient(first_name="Imogen", last_name="Hartley")

    front_desk_client.get(reverse("patients:list"), {"q": "Hartley"})

    entry = _looks(front_desk).get()
    assert entry.additional_data == {"page": "patient list", "searched": True}
    stored = f"{entry.object_repr} {entry.changes} {entry.additional_data} {entry.changes_text}"
    assert "Hartley" not in stored
    assert "Imogen" not in stored


def test_a_refused_look_is_not_recorded_as_a_look(outsider_client, outsider):
    patient = make_patient()

    assert outsider_client.get(reverse("patients:detail", args=[patient.pk])).status_code == 403
    assert not _looks(outsider).exists()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("manager", 200), ("practitioner", 403), ("front_desk", 403), ("outsider", 403)],
)
def test_only_the_manager_reads_who_accessed_a_record(role_clients, who, expected):
    patient = make_patient()

    response = role_clients[who].get(reverse("patients:accesses", args=[patient.pk]))

    assert response.status_code == expected


def test_who_accessed_shows_who_when_and_which_page_not_the_content(
    manager_client, practitioner_client, practitioner
):
    patient = make_patient(first_name="Imogen", last_name="Hartley", notes="Prefers mornings")
    other = make_patient(first_name="Other", last_name="Person")
    practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    practitioner_client.get(reverse("patients:detail", args=[other.pk]))

    response = manager_client.get(reverse("patients:accesses", args=[patient.pk]))

    entries = list(response.context["page"].object_list)
    assert len(entries) == 1
    assert entries[0].actor == practitioner
    html = response.content.decode()
    assert "Patient record" in html
    assert practitioner.get_full_name() in html
    assert "Prefers mornings" not in html


def test_who_accessed_is_paged_and_a_bad_page_is_no_error(manager_client, manager):
    from auditlog.context import set_actor

    patient = make_patient()
    with set_actor(manager):
        for _ in range(55):
            audit_view(patient, page="patient record", patient_id=patient.pk)

    first = manager_client.get(reverse("patients:accesses", args=[patient.pk]))
    last = manager_client.get(reverse("patients:accesses", args=[patient.pk]), {"page": "x"})
    beyond = manager_client.get(reverse("patients:accesses", args=[patient.pk]), {"page": "99"})

    assert len(first.context["page"].object_list) == 50
    assert last.status_code == beyond.status_code == 200
    assert len(beyond.context["page"].object_list) == 5


def test_the_record_links_to_who_accessed_it_only_for_the_audit_reader(front_desk_client, client):
    from clinic.staff.roles import Role
    from tests.factories import make_staff

    patient = make_patient()
    address = reverse("patients:accesses", args=[patient.pk])
    both = make_staff(username="deskboss", roles=[Role.FRONT_DESK, Role.CLINIC_MANAGER])
    sign_in(client, both)

    assert address in client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    desk_page = front_desk_client.get(reverse("patients:detail", args=[patient.pk]))
    assert address not in desk_page.content.decode()


def test_a_missing_patient_is_a_404(manager_client):
    assert manager_client.get(reverse("patients:accesses", args=[999999])).status_code == 404


def test_the_audit_log_names_the_page_seen_and_links_to_who_accessed(
    manager_client, front_desk_client
):
    patient = make_patient()
    front_desk_client.get(reverse("patients:detail", args=[patient.pk]))

    html = manager_client.get(reverse("audit_log")).content.decode()

    assert "page:</span> patient record" in html
    assert reverse("patients:accesses", args=[patient.pk]) in html
