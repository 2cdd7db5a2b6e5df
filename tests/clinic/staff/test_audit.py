"""The audit log records who changed or viewed what, and nobody can edit it from the app."""

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from clinic.staff.audit import audit_view
from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create
from tests.factories import UserFactory, make_staff
from tests.signing_in import sign_in

pytestmark = pytest.mark.django_db


def test_creating_a_staff_account_is_recorded(db):
    user = staff_member_create(
        username="newbie",
        first_name="New",
        last_name="Starter",
        email="newbie@clinic.example",
        roles=[Role.PRACTITIONER],
    )

    entries = LogEntry.objects.get_for_object(user)
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    profile_entries = LogEntry.objects.get_for_object(user.practitioner_profile)
    assert profile_entries.filter(action=LogEntry.Action.CREATE).exists()


def test_a_change_made_through_a_request_records_who_made_it(manager, front_desk):
    from auditlog.context import set_actor

    with set_actor(manager):
        front_desk.email = "rosa@clinic.example"
        front_desk.save(update_fields=["email"])

    entry = (
        LogEntry.objects.get_for_object(front_desk).filter(action=LogEntry.Action.UPDATE).first()
    )
    assert entry is not None
    assert entry.actor == manager
    assert list(entry.changes_dict) == ["email"]


def test_password_hashes_never_enter_the_audit_trail(front_desk):
    front_desk.set_password("another long passphrase")
    front_desk.save()

    for entry in LogEntry.objects.get_for_object(front_desk):
        assert "password" not in entry.changes_dict


def test_a_view_of_a_record_is_recorded_with_the_viewer(practitioner, front_desk):
    from auditlog.context import set_actor

    profile = practitioner.practitioner_profile
    with set_actor(front_desk):
        audit_view(profile)

    entry = LogEntry.objects.get_for_object(profile).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == front_desk


def test_the_manager_reads_the_log_with_field_names_but_not_values(manager_client, front_desk):
    front_desk.email = "secret-value@clinic.example"
    front_desk.save(update_fields=["email"])

    page = manager_client.get(reverse("audit_log")).content.decode()

    assert "email" in page
    assert "secret-value@clinic.example" not in page


def test_the_log_can_be_filtered_by_action_and_actor(manager_client, manager, practitioner):
    from auditlog.context import set_actor

    with set_actor(manager):
        audit_view(practitioner.practitioner_profile)

    viewed = manager_client.get(
        reverse("audit_log"), {"action": LogEntry.Action.ACCESS, "actor": "boss"}
    )
    by_someone_else = manager_client.get(
        reverse("audit_log"), {"action": LogEntry.Action.ACCESS, "actor": "desk"}
    )

    assert len(viewed.context["page"].object_list) == 1
    assert len(by_someone_else.context["page"].object_list) == 0


@pytest.mark.parametrize(
    "query",
    [
        {"action": "99"},
        {"action": "delete"},
        {"date_from": "not-a-date"},
        {"date_from": "2026-11-20", "date_to": "2026-11-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
        {"page": "999999"},
        {"page": "-1"},
        {"actor": "x" * 500},
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(manager_client, query):
    response = manager_client.get(reverse("audit_log"), query)

    assert response.status_code == 200
    if "page" not in query:
        assert response.context["form"].errors


def test_a_date_past_the_calendars_end_is_refused_with_a_message(manager_client):
    response = manager_client.get(reverse("audit_log"), {"date_to": "9999-12-31"})

    assert response.context["form"].errors == {"date_to": ["Enter a date before the year 3000."]}


def test_the_date_filter_is_inclusive_of_both_days(manager_client, front_desk):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    response = manager_client.get(reverse("audit_log"), {"date_from": today, "date_to": today})

    assert len(response.context["page"].object_list) >= 1


def test_the_audit_page_accepts_no_writes(manager_client):
    assert manager_client.post(reverse("audit_log")).status_code == 405


def test_the_admin_shows_log_entries_read_only(manager):
    entry = LogEntry.objects.first()
    superuser = make_staff(username="root", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/auditlog/logentry/")
    request.user = superuser
    model_admin = admin.site._registry[LogEntry]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_the_audit_page_costs_the_same_queries_for_ten_or_a_hundred_entries(
    manager_client, django_assert_num_queries
):
    def add_entries(n):
        for _ in range(n):
            UserFactory()

    # session, user, the second factor that verified the session, role permissions,
    # count of entries, one page of entries with actor and record type joined
    add_entries(10)
    with django_assert_num_queries(6):
        manager_client.get(reverse("audit_log"))
    add_entries(90)
    assert get_user_model().objects.count() > 100
    with django_assert_num_queries(6):
        manager_client.get(reverse("audit_log"))


def test_staff_accounts_cannot_be_deleted_in_the_admin(front_desk):
    superuser = make_staff(username="root", is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/auth/user/")
    request.user = superuser

    assert not admin.site._registry[get_user_model()].has_delete_permission(request, front_desk)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger guards the production database, PostgreSQL",
)
def test_the_database_refuses_to_change_or_delete_audit_entries(front_desk):
    from django.db import DatabaseError, transaction

    entry = LogEntry.objects.get_for_object(front_desk).first()
    assert entry is not None

    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Straight to the table: the ORM would stop first, at the entry's seal.
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])
    assert LogEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


def test_changes_to_what_a_role_grants_are_recorded(manager):
    from auditlog.context import set_actor
    from django.contrib.auth.models import Group, Permission

    front_desk_group = Group.objects.get(name=Role.FRONT_DESK.group_name)
    clinical = Permission.objects.get(codename="clinical_work")
    with set_actor(manager):
        front_desk_group.permissions.add(clinical)

    entry = LogEntry.objects.get_for_object(front_desk_group).get(actor=manager)
    assert "permissions" in entry.changes_dict


def test_permissions_given_to_one_account_are_recorded(manager, front_desk):
    from auditlog.context import set_actor
    from django.contrib.auth.models import Permission

    with set_actor(manager):
        front_desk.user_permissions.add(Permission.objects.get(codename="clinical_work"))

    entry = LogEntry.objects.get_for_object(front_desk).get(actor=manager)
    assert "user_permissions" in entry.changes_dict


def test_the_manager_sees_that_a_clinical_record_changed_but_not_what(manager_client, practitioner):
    from auditlog.context import set_actor

    from tests.factories import make_patient
    from treatments.consultations.services import consultation_start, consultation_update

    with set_actor(practitioner):
        consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
        consultation_update(
            consultation=consultation,
            by=practitioner,
            fields={},
            history={"pregnant_or_breastfeeding": True, "medications": "warfarin"},
        )

    html = manager_client.get(reverse("audit_log")).content.decode()

    assert "clinical record" in html
    for secret in ("pregnant", "Pregnancy", "medications", "warfarin", "Contraindicated"):
        assert secret not in html


def _medicine_change(practitioner):
    from auditlog.context import set_actor

    from tests.factories import make_patient
    from treatments.consultations.medicines import MedicineEntry
    from treatments.consultations.services import consultation_start, consultation_update

    with set_actor(practitioner):
        consultation = consultation_start(patient=make_patient(), practitioner=practitioner)
        consultation_update(
            consultation=consultation,
            by=practitioner,
            fields={},
            history={},
            medicines=[MedicineEntry(text="Xarelto 20mg od", medicine_key="xarelto")],
        )
    return LogEntry.objects.filter(
        content_type__app_label="treatments", content_type__model="medicineline"
    ).filter(changes__icontains="Xarelto")


@pytest.mark.parametrize(
    ("roles", "sees_values"),
    [([], False), ([Role.CLINIC_MANAGER], False), ([Role.PRACTITIONER], True)],
    ids=["superuser", "superuser-manager", "superuser-practitioner"],
)
def test_the_admins_audit_entry_shows_clinical_values_only_to_practitioners(
    client, practitioner, roles, sees_values
):
    entry = _medicine_change(practitioner).latest("pk")
    superuser = make_staff(username="root", is_staff=True, is_superuser=True, roles=roles)
    sign_in(client, superuser)  # the admin asks for the second factor too

    page = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert ("Xarelto" in html) is sees_values
    assert "medicine as written" in html.lower()  # which field changed is there for everyone


@pytest.mark.parametrize(("roles", "found"), [([], False), ([Role.PRACTITIONER], True)])
def test_a_non_practitioner_cannot_search_the_admins_entries_for_a_value(
    client, practitioner, roles, found
):
    _medicine_change(practitioner)
    superuser = make_staff(username="root", is_staff=True, is_superuser=True, roles=roles)
    sign_in(client, superuser)  # the admin asks for the second factor too

    page = client.get(reverse("admin:auditlog_logentry_changelist"), {"q": "Xarelto"})

    assert page.status_code == 200
    assert (page.context["cl"].result_count > 0) is found


def test_non_clinical_changes_keep_their_values_in_the_admin(client, front_desk, manager):
    from auditlog.context import set_actor

    with set_actor(manager):
        front_desk.email = "rosa.new@clinic.example"
        front_desk.save(update_fields=["email"])
    entry = LogEntry.objects.get_for_object(front_desk).latest("pk")
    superuser = make_staff(username="root", is_staff=True, is_superuser=True)
    sign_in(client, superuser)  # the admin asks for the second factor too

    html = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).content.decode()

    assert "rosa.new@clinic.example" in html
