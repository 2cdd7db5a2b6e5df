"""The Django admin: every model is there, records kept by the app's rules are read-only,
only the clinic manager (and superusers) may sign in to it, and each list costs a fixed
number of queries on the demo clinic."""

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import BeatHeartbeat
from clinic.scheduling.models import Appointment, Room
from clinic.staff.models import PasswordLinkRequest
from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create
from patients.models import Patient
from tests.factories import UserFactory, make_staff
from tests.signing_in import sign_in
from treatments.models import (
    CheckInScreening,
    Consultation,
    ConsultationAddendum,
    HistoryTakeIn,
    HomeHistory,
    IssuedAftercare,
    LotRecall,
    ScreeningRuleChange,
    ScreeningRuleSetting,
    TreatmentSession,
)

pytestmark = pytest.mark.django_db
OUR_APPS = ("clinic", "staff", "scheduling", "messaging", "patients", "treatments")

# Everything of ours is read-only in the admin but a practitioner's professional details.
EDITABLE = {"staff.practitionerprofile"}
PERSONAL = {
    "scheduling.appointment", "messaging.patientmessage", "patients.patient",
    "treatments.lotrecall", "scheduling.waitlistentry", "scheduling.waitlistoffer",
}  # fmt: skip
CLINICAL = {
    "treatments.consultation", "treatments.medicalhistory", "treatments.screeningfinding",
    "treatments.consultationaddendum", "treatments.consentsignature",
    "treatments.checkinscreening", "treatments.treatmentplan", "treatments.treatmentsession",
    "treatments.sessiondepth", "treatments.issuedaftercare", "treatments.medicineline",
    "treatments.homehistory", "treatments.historytakein",
}  # fmt: skip

# Queries for each list on the demo clinic (sessions, permissions and the list itself).
LIST_QUERIES = {
    "clinic.beatheartbeat": 7, "staff.practitionerprofile": 7, "scheduling.location": 7,
    "scheduling.room": 8, "scheduling.openinghours": 8, "scheduling.workinghours": 8,
    "scheduling.closure": 10, "scheduling.leave": 9, "scheduling.appointmenttype": 7,
    "scheduling.appointment": 11, "messaging.patientmessage": 9,
    "messaging.messagesettings": 7, "patients.patient": 7, "treatments.treatment": 7,
    "treatments.treatmentarea": 8, "treatments.depthguidance": 9,
    "treatments.screeningrulesetting": 7, "treatments.screeningrulechange": 8,
    "treatments.medicineline": 7, "treatments.consenttext": 7,
    "treatments.aftercaretemplate": 8, "treatments.consultation": 9,
    "treatments.medicalhistory": 7, "treatments.screeningfinding": 8,
    "treatments.consultationaddendum": 7, "treatments.consentsignature": 9,
    "treatments.checkinscreening": 9, "treatments.treatmentplan": 11,
    "treatments.treatmentsession": 7, "treatments.sessiondepth": 7,
    "treatments.issuedaftercare": 9, "treatments.lotrecall": 9,
    "staff.auditseal": 7, "staff.auditchainhead": 7,
    "staff.passwordlinkrequest": 7,
    "scheduling.waitlistentry": 8, "scheduling.freedslot": 8, "scheduling.waitlistoffer": 7,
    "treatments.homehistory": 7, "treatments.historytakein": 7,
}  # fmt: skip


def _ours():
    for app_label in OUR_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.managed:
                yield model


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def root(db):
    """A superuser who also holds every role, so that every list is open to them."""
    return UserFactory(
        username="root", is_superuser=True, is_staff=True,
        roles=[Role.FRONT_DESK, Role.PRACTITIONER, Role.CLINIC_MANAGER],
    )  # fmt: skip


@pytest.fixture
def demo_clinic(root):
    """The demo data, plus one row of each kind the demo leaves empty."""
    with override_settings(DEBUG=True):
        call_command("seed_demo")
    BeatHeartbeat.objects.create(last_beat_at=timezone.now())
    PasswordLinkRequest.objects.create(
        email_digest="0" * 64, ip_address="192.0.2.1", requested_at=timezone.now()
    )
    ScreeningRuleSetting.objects.create(
        code="keloid_tendency", enabled=False, changed_by=root, reason="Assessed elsewhere."
    )
    ScreeningRuleChange.objects.create(
        code="keloid_tendency", title="Keloid", old_state="needs_clearance", new_state="off",
        reason="Assessed elsewhere.", changed_by=root,
    )  # fmt: skip
    recall = LotRecall.objects.create(
        needle_lot="C2291", text="Please call us.", sent_by=root, sent_at=timezone.now()
    )
    recall.patients.set(Patient.objects.all()[:3])
    for consultation in Consultation.objects.filter(status="signed")[:3]:
        ConsultationAddendum.objects.create(consultation=consultation, author=root, text="x")
        appointment = Appointment.objects.filter(home_history__isnull=True).earliest("pk")
        home = HomeHistory.objects.create(
            patient=consultation.patient, appointment=appointment, answers={"sunburn": False}
        )
        HistoryTakeIn.objects.create(
            home_history=home, consultation=consultation, field="sunburn",
            patient_said=False, recorded=False, by=root, at=timezone.now(),
        )  # fmt: skip
        CheckInScreening.objects.create(
            patient=consultation.patient, consultation=consultation, by=root,
            screened_on=timezone.localdate(), ruleset_version="1", level="ok", may_start=True,
        )  # fmt: skip


def test_every_model_is_in_the_admin():
    missing = [m._meta.label for m in _ours() if m not in admin.site._registry]
    assert missing == []
    assert set(LIST_QUERIES) == {m._meta.label_lower for m in _ours()}


@pytest.mark.parametrize("label", sorted(set(LIST_QUERIES) - EDITABLE | {"auditlog.logentry"}))
def test_records_are_read_only_even_for_a_superuser(rf, root, label):
    model = apps.get_model(label)
    request = rf.get("/")
    request.user = root
    model_admin = admin.site._registry[model]

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("label", sorted(PERSONAL | CLINICAL))
def test_the_superuser_flag_alone_shows_no_patient_or_clinical_record(client, label):
    """As in the app: a technical administrator reads no patient record, and clinical
    records only as a practitioner."""
    admin_only = UserFactory(username="tech", is_superuser=True, is_staff=True)
    sign_in(client, admin_only)

    assert client.get(_url(apps.get_model(label), "changelist")).status_code == 403


def test_a_superuser_keeps_the_accounts(client):
    admin_only = UserFactory(username="tech", is_superuser=True, is_staff=True)
    sign_in(client, admin_only)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_a_signed_session_cannot_be_changed_through_the_admin(demo_clinic, root, client):
    session = TreatmentSession.objects.filter(status="completed").earliest("pk")
    sign_in(client, root)
    url = _url(TreatmentSession, "change", session.pk)

    page = client.get(url)
    response = client.post(url, {"needle_lot": "CHANGED", "status": "booked"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    session.refresh_from_db()
    assert (session.needle_lot, session.status) == ("C2291", "completed")
    issued = IssuedAftercare.objects.get(session=session)
    assert (
        client.post(_url(IssuedAftercare, "delete", issued.pk), {"post": "yes"}).status_code == 403
    )
    assert IssuedAftercare.objects.filter(pk=issued.pk).exists()


def test_looking_at_a_consultation_in_the_admin_is_audited(demo_clinic, root, client):
    consultation = Consultation.objects.filter(status="signed").earliest("pk")
    sign_in(client, root)

    client.get(_url(Consultation, "change", consultation.pk))

    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(consultation.pk), actor=root,
        content_type__model="consultation",
    ).exists()  # fmt: skip


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.PRACTITIONER])
def test_the_front_desk_and_practitioners_cannot_sign_in_to_the_admin(client, role):
    """Even with the staff flag ticked by mistake: the site asks for the manager's role."""
    user = UserFactory(roles=[role], is_staff=True)
    sign_in(client, user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_the_manager_keeps_the_setup_and_sees_no_patient_or_clinical_record(demo_clinic, client):
    manager = UserFactory(username="boss", roles=[Role.CLINIC_MANAGER])
    sign_in(client, manager)
    room = Room.objects.get(name="Room 1")

    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(_url(Room, "change", room.pk)).status_code == 200
    for model in (Patient, Appointment, Consultation, TreatmentSession, IssuedAftercare):
        assert client.get(_url(model, "changelist")).status_code == 403
    saved = client.post(_url(Room, "change", room.pk), {"name": "Renamed", "location": 1})
    assert saved.status_code == 403
    assert Room.objects.get(pk=room.pk).name == "Room 1"


def test_a_practitioner_profile_keeps_its_account(demo_clinic, client):
    from clinic.staff.models import PractitionerProfile

    manager = make_staff(username="boss", roles=[Role.CLINIC_MANAGER])
    sign_in(client, manager)
    profile = PractitionerProfile.objects.select_related("user").earliest("pk")
    owner = profile.user_id

    response = client.post(
        _url(PractitionerProfile, "change", profile.pk),
        {"user": manager.pk, "job_title": "Lead nurse", "registration_body": "NMC",
         "registration_number": "1", "calendar_colour": profile.calendar_colour},
    )  # fmt: skip

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.user_id, profile.job_title) == (owner, "Lead nurse")


def test_a_new_manager_account_may_use_the_admin_and_others_may_not(db):
    def make(username, role):
        return staff_member_create(
            username=username, first_name="A", last_name="B", email=f"{username}@x.example",
            roles=[role],
        )  # fmt: skip

    assert make("m", Role.CLINIC_MANAGER).is_staff
    assert not make("f", Role.FRONT_DESK).is_staff
    assert not make("p", Role.PRACTITIONER).is_staff


def test_each_admin_list_costs_a_fixed_number_of_queries(demo_clinic, root, client):
    """One pass over every list (loading the demo once): a list that queried per row
    would cost far more on the demo's rows than its pinned figure."""
    sign_in(client, root)
    costs, pages = {}, {}
    for label in LIST_QUERIES:
        model = apps.get_model(label)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(model, "changelist"))
        costs[label] = (response.status_code, len(queries))
        first = model.objects.first()
        pages[label] = client.get(_url(model, "change", first.pk)).status_code

    assert costs == {label: (200, count) for label, count in LIST_QUERIES.items()}
    assert set(pages.values()) == {200}


def _date_drill_downs():
    """Every registered list with a date drill-down, the libraries' included."""
    for model, model_admin in admin.site._registry.items():
        if model_admin.date_hierarchy:
            yield pytest.param(model, model_admin.date_hierarchy, id=model._meta.label_lower)


@pytest.mark.parametrize(("model", "field"), list(_date_drill_downs()))
@pytest.mark.parametrize(
    "drill",
    [
        {"year": "9999"},
        {"year": "9999", "month": "12"},
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "99999999999999999999"},
        {"year": "2026", "month": "13"},
    ],
    ids=lambda drill: "-".join(drill.values()),
)
def test_a_date_drill_down_past_the_calendar_is_a_bad_filter_not_an_error(
    client, root, model, field, drill
):
    sign_in(client, root)
    query = {f"{field}__{part}": value for part, value in drill.items()}

    response = client.get(_url(model, "changelist"), query)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("year", ["1", "9998"])
def test_a_date_drill_down_inside_the_calendar_still_lists(client, root, year):
    sign_in(client, root)

    response = client.get(_url(Appointment, "changelist"), {"starts_at__year": year})

    assert response.status_code == 200
