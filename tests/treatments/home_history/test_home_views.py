"""The patient's questionnaire pages: one consultation's history behind a signed link,
saved as the patient goes, sent once; bad, expired, spent or other links answer 404 or
410, never 500; the first name and the appointment only; audited with the patient as
the actor."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.core import signing
from django.urls import reverse

from clinic.messaging import links
from clinic.scheduling.models import Appointment
from tests.treatments.home_history.home_setup import consultation_booked, history_path, in_days
from treatments.models import HomeHistory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def appointment(clock) -> Appointment:
    return consultation_booked(start=in_days(NOW, 7), now=NOW)


def _history(appointment) -> HomeHistory:
    return HomeHistory.objects.get(appointment=appointment)


def test_the_page_shows_the_first_name_and_the_appointment_and_no_surname(client, appointment):
    response = client.get(history_path(appointment))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hello Ines" in page
    assert "Okonkwo" not in page
    assert "Monday 30 November 2026" in page
    assert "Bath" in page
    assert "Europe/London" in page


def test_saving_without_script_keeps_the_answers_and_returns_to_the_same_section(
    client, appointment
):
    response = client.post(
        history_path(appointment),
        {"active_acne": "yes", "sunburn": "no", "allergies": "Plasters", "at": "section-skin",
         "med-0-text": "Warfarin 5mg", "med-0-status": "now"},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"].endswith("?saved=1#section-skin")
    history = _history(appointment)
    assert history.answers == {"active_acne": True, "sunburn": False, "allergies": "Plasters"}
    assert history.medicines[0]["medicine_key"] == "warfarin"
    again = client.get(response["Location"]).content.decode()
    assert 'value="Warfarin 5mg"' in again
    assert "Your answers are saved." in again


def test_a_bad_answer_gets_its_message_and_the_others_are_saved(client, appointment):
    client.post(history_path(appointment), {"chemical_peel_on": "2026-10-01"})
    response = client.post(
        history_path(appointment),
        {"chemical_peel_on": "2027-01-01", "laser_or_ipl_on": "1850-01-01", "sunburn": "yes"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This date is in the future. Check it." in page
    assert "Enter a date after 1900." in page
    assert 'value="2027-01-01"' in page  # what was typed stays on the page
    # The good answer is saved; the bad one keeps what was saved before.
    assert _history(appointment).answers == {"sunburn": True, "chemical_peel_on": "2026-10-01"}


def test_check_and_send_saves_first_and_goes_on_only_when_every_answer_is_good(client, appointment):
    path = history_path(appointment)

    held = client.post(path, {"sunburn": "yes", "laser_or_ipl_on": "1850-01-01", "at": "send"})
    on = client.post(path, {"sunburn": "no", "at": "send"})

    # A bad answer keeps the patient on the questionnaire, with what she typed and why;
    # she is not shown a list to send without it.
    assert held.status_code == 400
    assert "Enter a date after 1900." in held.content.decode()
    assert 'value="1850-01-01"' in held.content.decode()
    assert on.status_code == 302
    assert on["Location"] == reverse("treatments:home_history_send", args=[path.split("/")[-2]])
    assert _history(appointment).answers == {"sunburn": False}


def test_a_medicine_s_wrong_date_is_marked_on_the_date_not_the_name(client, appointment):
    path = history_path(appointment)
    line = {"med-0-text": "Warfarin", "med-0-status": "stopped", "med-0-stopped": "2027-01-01"}

    page = client.post(path, line).content.decode()
    by_script = client.post(path, line, headers={"X-Requested-With": "fetch"})

    name = re.search(r'<input[^>]*id="med-0-text"[^>]*>', page)
    when = re.search(r'<input[^>]*id="med-0-stopped"[^>]*>', page)
    assert name
    assert when
    assert "is-invalid" not in name.group(0)
    assert "is-invalid" in when.group(0)
    assert 'aria-invalid="true"' in when.group(0)
    assert '<a href="#med-0-stopped">Medicine 1</a>: This date is in the future.' in page
    assert by_script.json()["errors"] == {"med-0-stopped": "This date is in the future. Check it."}


def test_saving_by_script_answers_json_with_each_field_s_message(client, appointment):
    path = history_path(appointment)
    headers = {"X-Requested-With": "fetch"}

    good = client.post(path, {"sunburn": "yes"}, headers=headers)
    bad = client.post(path, {"sunburn": "yes", "allergies": "x" * 501}, headers=headers)

    assert good.status_code == 200
    assert good.json() == {"saved": True, "errors": {}}
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"allergies": "Please keep this under 500 characters."}
    assert _history(appointment).answers == {"sunburn": True}


def test_not_sure_when_is_kept_and_shown_again(client, appointment):
    client.post(history_path(appointment), {"toxin_or_filler_on-unsure": "on"})

    assert _history(appointment).answers == {"toxin_or_filler_on": None}
    page = client.get(history_path(appointment)).content.decode()
    assert 'id="toxin_or_filler_on-unsure" checked' in page


def test_the_time_sent_is_shown_in_the_location_s_zone(client, clock):
    summer_now = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    clock.move_to(summer_now, tick=False)
    summer = consultation_booked(
        start=datetime(2026, 7, 8, 14, tzinfo=UTC), now=summer_now, place="Manhattan",
        zone="America/New_York",
    )  # fmt: skip
    client.post(history_path(summer, "treatments:home_history_send"))

    page = client.get(history_path(summer)).content.decode()

    assert "sent on 1 July 2026 at 05:30" in page  # New York, not the clinic's London


def test_sending_fixes_the_answers_and_the_page_then_says_received(client, appointment):
    client.post(history_path(appointment), {"bleeding_disorder": "yes"})

    sent = client.post(history_path(appointment, "treatments:home_history_send"))
    page = client.get(history_path(appointment))
    refused = client.post(history_path(appointment), {"bleeding_disorder": "no"})

    assert sent.status_code == 302
    assert page.status_code == 200
    assert "Received, thank you, Ines" in page.content.decode()
    assert refused.status_code == 409
    history = _history(appointment)
    assert history.answers == {"bleeding_disorder": True}
    appointment.refresh_from_db()
    assert appointment.history_received_at == NOW


def test_the_review_page_lists_the_answers_before_sending(client, appointment):
    client.post(history_path(appointment), {"pregnant_or_breastfeeding": "no"})

    page = client.get(history_path(appointment, "treatments:home_history_send"))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Are you pregnant or breastfeeding?" in text
    assert "Send to the clinic" in text
    assert _history(appointment).submitted_at is None


def test_the_consent_page_shows_the_current_text_and_records_it_as_shown(client, appointment):
    from treatments.consultations.services import consent_text_current

    response = client.get(history_path(appointment, "treatments:home_history_consent"))

    assert response.status_code == 200
    current = consent_text_current()
    assert current.title in response.content.decode()
    assert "Reading it is not signing it" in response.content.decode()
    assert _history(appointment).consent_text == current


def test_a_tampered_link_answers_404(client, appointment):
    path = history_path(appointment)
    assert client.get(path[:-3] + "xx/").status_code == 404


def test_a_link_of_another_purpose_for_the_same_id_answers_404(client, appointment):
    token = links.purpose_token(links.CHANGE_APPOINTMENT, appointment.pk, appointment.version)

    assert client.get(reverse("treatments:home_history", args=[token])).status_code == 404


def test_a_link_to_a_treatment_appointment_answers_404(client, clock):
    treatment = consultation_booked(start=in_days(NOW, 7), now=NOW, kind="treatment")

    assert client.get(history_path(treatment)).status_code == 404


def test_an_expired_link_answers_410(client, appointment, clock, settings):
    path = history_path(appointment)
    clock.move_to(NOW + settings.MESSAGE_LINK_MAX_AGE + timedelta(minutes=1), tick=False)

    response = client.get(path)

    assert response.status_code == 410
    # The link still says which clinic to call, though it can no longer do anything.
    assert 'href="tel:01225000111"' in response.content.decode()


def test_a_cancelled_appointment_s_link_answers_410_with_the_clinic_s_phone(client, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)

    response = client.get(history_path(appointment))

    assert response.status_code == 410
    assert "This appointment is cancelled." in response.content.decode()
    assert 'href="tel:01225000111"' in response.content.decode()


def test_a_past_appointment_s_link_answers_410(client, appointment, clock):
    clock.move_to(appointment.starts_at + timedelta(minutes=1), tick=False)

    assert client.get(history_path(appointment)).status_code == 410


def test_a_link_signed_with_another_key_answers_404(client, appointment):
    forged = signing.dumps(
        {"o": appointment.pk, "v": 0}, key="not-the-secret", salt=links.HOME_HISTORY
    )

    assert client.get(reverse("treatments:home_history", args=[forged])).status_code == 404


def test_too_many_uses_of_a_link_answer_429(client, appointment, settings):
    settings.PATIENT_LINK_RATE_PER_LINK = 1
    path = history_path(appointment)
    statuses = [client.get(path).status_code for _ in range(12)]

    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


def test_the_medicine_type_ahead_needs_a_good_link_and_offers_names(client, appointment):
    path = history_path(appointment, "treatments:home_history_medicines")

    found = client.get(path, {"q": "warf"})
    short = client.get(path, {"q": "w"})
    bad = client.get(reverse("treatments:home_history_medicines", args=["nonsense"]), {"q": "warf"})

    assert found.status_code == 200
    assert any(r["key"] == "warfarin" for r in found.json()["results"])
    assert short.status_code == 400
    assert bad.status_code == 404


def test_each_patient_action_is_audited_with_the_patient_as_the_actor(client, appointment):
    client.get(history_path(appointment))
    client.post(history_path(appointment), {"sunburn": "no"})
    client.get(history_path(appointment, "treatments:home_history_consent"))
    client.post(history_path(appointment, "treatments:home_history_send"))
    client.get(history_path(appointment))

    entries = LogEntry.objects.filter(additional_data__actor="patient")
    actions = {entry.additional_data["action"] for entry in entries}
    assert {
        "viewed the medical history questionnaire",
        "saved medical history answers",
        "viewed the consent text",
        "sent the medical history",
        "viewed the medical history sent",
    } <= actions
    assert all(e.actor_id is None for e in entries)
    assert all(e.additional_data["patient"] == appointment.patient_id for e in entries)
    # The saved row itself is in the audit, written in the patient's name.
    history = _history(appointment)
    changes = LogEntry.objects.get_for_object(history).exclude(changes__has_key="patient action")
    assert changes.exists()
    assert all(e.actor_email == f"patient #{appointment.patient_id}" for e in changes)
