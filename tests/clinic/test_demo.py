"""The demo loader: its accounts and roles, safe to re-run, refused in production."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from clinic.demo.loader import DEMO_PASSWORD
from clinic.staff.access import user_roles
from clinic.staff.roles import Role

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_it_creates_the_three_sign_ins_and_two_more_practitioners():
    call_command("seed_demo")

    users = {u.username: u for u in get_user_model().objects.all()}
    assert user_roles(users["frontdesk"]) == {Role.FRONT_DESK}
    assert user_roles(users["practitioner"]) == {Role.PRACTITIONER}
    assert user_roles(users["manager"]) == {Role.CLINIC_MANAGER}
    practitioners = [u for u in users.values() if Role.PRACTITIONER in user_roles(u)]
    assert len(practitioners) == 3
    assert all(hasattr(u, "practitioner_profile") for u in practitioners)


@override_settings(DEBUG=True)
@pytest.mark.parametrize("username", ["frontdesk", "practitioner", "manager"])
def test_each_demo_sign_in_works_with_the_demo_password(username):
    call_command("seed_demo")
    client = Client()

    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    if username != "frontdesk":
        # Practitioners and the manager pass the second step with the demo's published key.
        out = io.StringIO()
        call_command("demo_code", stdout=out)
        client.post(reverse("mfa_verify"), {"code": out.getvalue().strip()})

    assert response.status_code == 302
    assert client.get(reverse("today")).status_code == 200


@override_settings(DEBUG=True)
def test_running_it_again_keeps_what_is_there():
    call_command("seed_demo")
    desk = get_user_model().objects.get(username="frontdesk")
    desk.first_name = "Renamed"
    desk.save(update_fields=["first_name"])

    call_command("seed_demo")

    assert get_user_model().objects.get(username="frontdesk").first_name == "Renamed"
    assert get_user_model().objects.filter(username="frontdesk").count() == 1


@override_settings(DEBUG=False)
def test_it_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")

    assert not get_user_model().objects.filter(username="frontdesk").exists()


@override_settings(DEBUG=True)
def test_a_section_added_later_is_loaded_into_an_existing_demo(monkeypatch):
    from clinic.demo import loader as demo

    call_command("seed_demo")
    loaded_later: list[object] = []
    extra = demo.DemoSection("rooms", lambda: bool(loaded_later), loaded_later.append)
    monkeypatch.setattr(demo, "SECTIONS", [*demo.SECTIONS, extra])

    call_command("seed_demo")
    call_command("seed_demo")

    assert len(loaded_later) == 1
    assert get_user_model().objects.filter(username="frontdesk").count() == 1


@override_settings(DEBUG=True)
def test_the_demo_has_fifty_patients_to_find():
    from patients.models import Patient
    from patients.selectors import patient_search

    call_command("seed_demo")

    assert Patient.objects.count() == 50
    assert [p.full_name for p in patient_search("zoe mart")] == ["Zoë Martin"]
    assert Patient.objects.filter(email="").exists()
    assert Patient.objects.filter(consents_to_transactional_email=False).exists()


@override_settings(DEBUG=True)
def test_the_demo_consultations_cover_every_screening_level():
    from treatments.models import Consultation

    call_command("seed_demo")

    levels = set(Consultation.objects.values_list("screening_level", flat=True))
    assert levels == {"clear", "precaution", "needs_clearance", "contraindicated"}
    assert Consultation.objects.filter(status="signed").exists()
    assert Consultation.objects.filter(status="draft").exists()
    assert Consultation.objects.filter(findings__overridden_at__isnull=False).exists()
    windows = Consultation.objects.filter(
        findings__code__in=["isotretinoin_recent", "chemical_peel_recent", "laser_recent"]
    )
    assert windows.count() >= 3
    from treatments.models import ConsentSignature

    assert (
        ConsentSignature.objects.count()
        == Consultation.objects.filter(
            decision__in=["suitable", "suitable_with_precautions"]
        ).count()
    )


@override_settings(DEBUG=True)
def test_the_demo_appointment_book_has_a_fortnight_in_every_status():
    from clinic.scheduling.models import Appointment, Closure, Location, Room

    call_command("seed_demo")

    assert Location.objects.count() == 1
    assert Room.objects.count() == 3
    assert Closure.objects.exists()
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"booked", "confirmed", "completed", "cancelled", "no_show"} <= statuses
    assert Appointment.objects.filter(late_cancel=True).exists()
    assert Appointment.objects.count() >= 30


@override_settings(DEBUG=True)
def test_the_demo_has_plans_at_different_stages_with_sessions_in_window():
    from treatments.models import TreatmentPlan, TreatmentSession

    call_command("seed_demo")

    statuses = set(TreatmentPlan.objects.values_list("status", flat=True))
    assert statuses == {"draft", "active", "cancelled"}
    assert TreatmentSession.objects.filter(status="completed", signed_at__isnull=False).exists()
    assert TreatmentSession.objects.filter(status="booked").count() >= 4
    for session in TreatmentSession.objects.exclude(status="cancelled").exclude(number=1):
        if session.start and session.window_first and session.window_last:
            day = session.start.astimezone(session.plan.location.zone).date()
            assert session.window_first <= day <= session.window_last or session.problem


@override_settings(DEBUG=True)
def test_every_signed_demo_session_has_its_aftercare_and_its_emails():
    from clinic.messaging.models import PatientMessage
    from treatments.models import TreatmentSession

    call_command("seed_demo")

    signed = list(TreatmentSession.objects.filter(status="completed").select_related("aftercare"))
    assert signed
    for session in signed:
        assert session.aftercare.version == 1
        kinds = set(
            PatientMessage.objects.filter(key__startswith=f"session:{session.pk}:").values_list(
                "kind", flat=True
            )
        )
        assert kinds == {"aftercare", "follow_up"}


@override_settings(DEBUG=True)
@pytest.mark.parametrize("quiet", [False, True])
def test_the_demo_outbox_shows_every_status_and_both_replies(quiet, mailoutbox):
    from clinic.messaging.models import PatientMessage

    # Loaded at 10:00, or at 22:30 inside the clinic's quiet hours (nothing can go then).
    hour = (22, 30) if quiet else (10, 0)
    with time_machine.travel(datetime(2026, 11, 23, *hour, tzinfo=UTC), tick=False):
        call_command("seed_demo")

    statuses = set(PatientMessage.objects.values_list("status", flat=True))
    assert statuses == set(PatientMessage.Status.values)
    replies = set(PatientMessage.objects.exclude(reply="").values_list("reply", flat=True))
    assert replies == set(PatientMessage.Reply.values)
    assert (len(mailoutbox) > 0) is not quiet


@override_settings(DEBUG=True)
def test_the_demo_consults_and_consents_before_treating_and_who_treated_signs():
    from treatments.models import ConsentSignature, TreatmentSession

    call_command("seed_demo")

    done = TreatmentSession.objects.filter(signed_at__isnull=False).select_related(
        "plan__consultation", "appointment__practitioner", "aftercare"
    )
    assert done.exists()
    for session in done:
        consultation = session.plan.consultation
        consent = ConsentSignature.objects.filter(patient=consultation.patient).earliest(
            "signed_at"
        )
        assert session.started_at is not None
        assert consultation.signed_at is not None
        assert session.appointment is not None
        assert consultation.signed_at < session.started_at
        assert consultation.consulted_on < session.started_at.date()
        assert consent.signed_at < session.started_at
        assert session.signed_by == session.appointment.practitioner.user
        assert session.aftercare.issued_by == session.signed_by
        for depth in session.depths.all():
            assert not depth.outside_guidance


@override_settings(DEBUG=True)
def test_the_demo_waitlist_has_patients_waiting_and_one_offered_a_freed_time():
    from clinic.scheduling.models import WaitlistEntry, WaitlistOffer

    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
        call_command("seed_demo")

    assert WaitlistEntry.objects.filter(status__in=WaitlistEntry.OPEN).count() == 3
    offer = WaitlistOffer.objects.get(status=WaitlistOffer.Status.PENDING)
    assert offer.entry.status == WaitlistEntry.Status.OFFERED


def test_the_demos_practitioners_and_manager_sign_in_with_the_published_authenticator_key(db):
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())
        out = io.StringIO()
        call_command("demo_code", stdout=out)
    client = Client()
    client.post(reverse("login"), {"username": "manager", "password": DEMO_PASSWORD})
    assert client.get(reverse("today"))["Location"].startswith(reverse("mfa_verify"))

    response = client.post(reverse("mfa_verify"), {"code": out.getvalue().strip()})

    assert response.status_code == 302
    assert client.get(reverse("today")).status_code == 200


@override_settings(DEBUG=False)
def test_the_demo_code_command_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG only"):
        call_command("demo_code")


@override_settings(DEBUG=True)
def test_the_demo_has_a_history_sent_from_home_and_one_started_with_its_link_printed():
    from treatments.models import HomeHistory

    out = io.StringIO()
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
        call_command("seed_demo", stdout=out)

    sent = HomeHistory.objects.get(submitted_at__isnull=False)
    started = HomeHistory.objects.get(submitted_at__isnull=True)
    assert {f["code"] for f in sent.findings} >= {"blood_thinners", "cold_sore_history"}
    assert sent.appointment.history_received_at is not None
    assert started.answers
    assert "/history/" in out.getvalue()
