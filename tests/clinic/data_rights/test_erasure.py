"""Erasure: a confirmation step for the manager only; what the law lets go goes at once
(contact details, notes, what messages carried, appointments to come, waiting messages),
the clinical record stays until retention is over; then the daily task anonymises it and
every report counts the same."""

from datetime import date, datetime, time

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.data_rights.services import ANONYMOUS_FIRST, patient_erase
from clinic.data_rights.tasks import anonymise_past_retention
from clinic.messaging.models import PatientMessage
from clinic.reporting.filters import Period
from clinic.reporting.reports import REPORTS
from clinic.scheduling.models import Appointment, WaitlistEntry, WaitlistOffer
from tests import page_world as w
from treatments.models import (
    ConsentSignature,
    Consultation,
    ConsultationAddendum,
    MedicalHistory,
    TreatmentSession,
)

pytestmark = pytest.mark.django_db


def erase_url(patient):
    return reverse("data_rights:erase", args=[patient.pk])


def erase(client, patient, name=None, reason="Patient's email of 22 November."):
    return client.post(
        erase_url(patient), {"reason": reason, "confirm_name": name or patient.full_name}
    )


def test_the_confirmation_page_says_what_goes_and_until_when_the_record_stays(world, role_clients):
    response = role_clients["manager"].get(erase_url(world.patient))
    assert response.status_code == 200
    # Last contact today (the signed session); eight years on.
    assert response.context["kept_until"] == date(2034, 11, 23)
    assert "Kept until 23 November 2034" in response.content.decode()


def test_a_wrong_name_erases_nothing(world, role_clients):
    email = world.patient.email
    response = erase(role_clients["manager"], world.patient, name="Someone Else")
    assert response.status_code == 200
    assert "to confirm this is the patient" in response.content.decode()
    world.patient.refresh_from_db()
    assert world.patient.email == email
    assert not world.patient.erasure_requested


def test_erasure_clears_what_may_go_now_and_keeps_the_clinical_record(world, role_clients, manager):
    patient = world.patient
    email = patient.email
    to_come = Appointment.objects.filter(
        patient=patient, status__in=Appointment.UPCOMING, starts_at__gt=timezone.now()
    )
    assert to_come.exists()
    upcoming_ids = list(to_come.values_list("pk", flat=True))
    clinical_before = clinical(patient)
    log_before = LogEntry.objects.order_by("-pk").first().pk

    response = erase(role_clients["manager"], patient)

    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.email, patient.mobile, patient.address_line1, patient.notes) == ("", "", "", "")
    assert not patient.consents_to_transactional_email
    assert patient.is_restricted
    assert patient.clinical_retained_until == date(2034, 11, 23)
    assert patient.first_name == world.plan.patient.first_name  # kept with the record
    cancelled = Appointment.objects.filter(pk__in=upcoming_ids)
    assert set(cancelled.values_list("status", flat=True)) == {Appointment.Status.CANCELLED}
    assert not PatientMessage.objects.filter(
        patient=patient, status__in=PatientMessage.WAITING
    ).exists()
    assert not PatientMessage.objects.filter(patient=patient).exclude(payload={}).exists()
    assert clinical(patient) == clinical_before
    # Audited as one entry naming the action; no new entry repeats the address.
    entries = LogEntry.objects.filter(pk__gt=log_before)
    erasure = entries.get(additional_data__data_rights="erasure")
    assert erasure.actor == manager
    assert "23 Nov 2034" in erasure.changes_dict["erasure"][1]
    assert all(email not in str(entry.changes) for entry in entries)


def test_an_erasure_is_recorded_once(world, role_clients):
    erase(role_clients["manager"], world.patient)
    response = role_clients["manager"].get(erase_url(world.patient))
    assert response.status_code == 302
    assert LogEntry.objects.filter(additional_data__data_rights="erasure").count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [("practitioner", 403), ("front_desk", 403), ("outsider", 403), ("manager", 200)],
)
def test_only_the_manager_may_erase(world, role_clients, role, status):
    assert role_clients[role].get(erase_url(world.patient)).status_code == status
    posted = erase(role_clients[role], world.patient)
    assert posted.status_code == (302 if role == "manager" else 403)
    world.patient.refresh_from_db()
    assert world.patient.erasure_requested == (role == "manager")


def clinical(patient):
    """The clinical record's rows as values: what erasure keeps until retention is over."""
    return (
        list(Consultation.objects.filter(patient=patient).values()),
        list(MedicalHistory.objects.filter(consultation__patient=patient).values()),
        list(ConsentSignature.objects.filter(patient=patient).values()),
        # Sessions still to come go back to proposed as their appointments are cancelled;
        # the ones that took place are the record.
        list(
            TreatmentSession.objects.filter(plan__patient=patient, signed_at__isnull=False).values()
        ),
    )


def report_rows():
    period = Period(first=date(2026, 1, 1), last=date(2027, 6, 30))
    return {name: make(period).rows for name, (_title, _about, make) in REPORTS.items()}


def at(day):
    return datetime.combine(day, time(4), tzinfo=timezone.get_current_timezone())


def test_the_clinical_record_is_anonymised_once_retention_is_over_and_reports_count_the_same(
    world, frozen, manager
):
    w.addenda(world, 1)
    w.check_ins(world, 1)
    patient = world.patient
    MedicalHistory.objects.filter(consultation__patient=patient).update(
        medications="Eliquis 5mg bd", allergies="Lidocaine"
    )
    patient_erase(patient=patient, reason="Asked in writing.", by=manager, now=timezone.now())
    patient.refresh_from_db()
    kept = (patient.first_name, patient.last_name, patient.date_of_birth)

    frozen.move_to(at(date(2034, 11, 22)))
    counts = report_rows()
    assert counts["appointments"]
    assert counts["conversion"]
    assert counts["plans"]
    anonymise_past_retention()
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name, patient.date_of_birth) == kept
    assert not patient.is_anonymised
    assert ConsultationAddendum.objects.filter(consultation__patient=patient).exclude(text="")

    frozen.move_to(at(date(2034, 11, 23)))
    anonymise_past_retention()

    patient.refresh_from_db()
    assert patient.is_anonymised
    assert patient.first_name == ANONYMOUS_FIRST
    assert patient.date_of_birth == kept[2].replace(month=1, day=1)
    assert not ConsultationAddendum.objects.filter(consultation__patient=patient).exclude(text="")
    assert not ConsentSignature.objects.filter(patient=patient).exclude(typed_name="")
    assert not MedicalHistory.objects.filter(consultation__patient=patient).exclude(
        medications="", allergies="", other_conditions=""
    )
    for check_in in patient.check_ins.all():
        assert check_in.changes == {}
        assert all(set(f) <= {"code", "title", "level", "blocks"} for f in check_in.findings)
    assert report_rows() == counts
    entry = LogEntry.objects.get(additional_data__data_rights="anonymisation")
    assert entry.actor is None
    assert entry.object_repr == f"{ANONYMOUS_FIRST} patient"

    # Done once: a later run finds nothing more to do.
    anonymise_past_retention()
    assert LogEntry.objects.filter(additional_data__data_rights="anonymisation").count() == 1


def test_a_record_never_erased_is_never_anonymised(world, frozen):
    frozen.move_to(at(date(2040, 1, 1)))
    anonymise_past_retention()
    world.patient.refresh_from_db()
    assert not world.patient.is_anonymised


def test_erasure_takes_the_patient_off_the_waitlist_and_a_held_time_goes_to_the_next(
    world, manager
):
    offer_link = reverse("messaging:offer", args=[world.offer_token])
    offer = WaitlistOffer.objects.get(entry__patient=world.patient)

    patient_erase(patient=world.patient, reason="Asked by email.", by=manager, now=timezone.now())

    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.WITHDRAWN
    assert not WaitlistEntry.objects.filter(
        patient=world.patient, status__in=WaitlistEntry.OPEN
    ).exists()
    # The world has another patient waiting, who is offered the time instead.
    passed_on = WaitlistOffer.objects.get(slot=offer.slot, status=WaitlistOffer.Status.PENDING)
    assert passed_on.entry.patient != world.patient
    assert Client().get(offer_link).status_code == 410


def test_after_erasure_the_patient_s_links_answer_410(world, manager):
    plan_session = reverse("treatments:book_session", args=[world.book_token])
    change = reverse("messaging:change", args=[world.change_token])
    client = Client()
    assert client.get(plan_session).status_code == 200
    assert client.get(change).status_code == 200

    patient_erase(patient=world.patient, reason="Asked by email.", by=manager, now=timezone.now())

    for link in (plan_session, change):
        response = client.get(link)
        assert response.status_code == 410, link
        assert world.patient.first_name not in response.content.decode()
