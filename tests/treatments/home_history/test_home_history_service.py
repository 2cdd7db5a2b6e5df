"""The service behind the questionnaire: answers kept as given, refused once sent,
screened as they are when sent (for the appointment's day), and sent only once, even by
two requests at the same moment."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from clinic.scheduling.models import Appointment
from tests.treatments.home_history.home_setup import consultation_booked, in_days
from treatments.consultations.home_forms import check_answers, medicine_row
from treatments.consultations.home_history import (
    home_history_save,
    home_history_send,
)
from treatments.models import HomeHistory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks"
)


@pytest.fixture
def appointment(db, time_machine) -> Appointment:
    time_machine.move_to(NOW, tick=False)
    return consultation_booked(start=in_days(NOW, 10), now=NOW)


def _save(appointment, answers=None, medicines=None, **kwargs) -> HomeHistory:
    return home_history_save(
        appointment=appointment, answers=answers or {}, medicines=medicines or [], now=NOW,
        **kwargs,
    )  # fmt: skip


@pytest.mark.django_db
def test_saving_keeps_the_answers_as_given_and_keeps_a_rejected_one_as_it_was(appointment):
    _save(appointment, {"sunburn": True, "allergies": "Nickel"})

    history = _save(appointment, {"sunburn": False}, keep={"allergies"})

    assert history.answers == {"sunburn": False, "allergies": "Nickel"}
    assert HomeHistory.objects.count() == 1
    assert history.patient == appointment.patient


@pytest.mark.django_db
def test_an_unknown_question_is_refused(appointment):
    with pytest.raises(ValidationError):
        _save(appointment, {"favourite_colour": "blue"})


@pytest.mark.django_db
def test_nothing_changes_once_sent(appointment):
    _save(appointment, {"sunburn": True})
    home_history_send(appointment=appointment, now=NOW)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        _save(appointment, {"sunburn": False})

    assert HomeHistory.objects.get().answers == {"sunburn": True}


@pytest.mark.django_db
def test_a_cancelled_consultation_s_history_cannot_be_saved(appointment):
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)

    with pytest.raises(ValidationError, match="no longer coming up"):
        _save(appointment, {"sunburn": True})


@pytest.mark.django_db
def test_sending_screens_the_answers_for_the_appointment_s_day_and_keeps_the_findings(
    appointment,
):
    # Isotretinoin stopped five months before the visit: still inside its six months.
    stopped = (appointment.starts_at - timedelta(days=150)).date().isoformat()
    _save(
        appointment,
        {"bleeding_disorder": True, "isotretinoin_stopped_on": stopped},
        [medicine_row("Eliquis 5mg", current=True, stopped_on=None, dose="5mg")],
    )

    history, sent_now = home_history_send(appointment=appointment, now=NOW)

    assert sent_now is True
    assert history.submitted_at == NOW
    codes = {finding["code"] for finding in history.findings}
    assert {"bleeding_disorder", "isotretinoin_recent", "blood_thinners"} <= codes, codes
    assert history.screening_level == "needs_clearance"
    assert history.ruleset_version
    assert history.vocabulary_version
    appointment.refresh_from_db()
    assert appointment.history_received_at == NOW


@pytest.mark.django_db
def test_a_treatment_the_patient_is_not_sure_when_counts_as_recent(appointment):
    _save(appointment, {"chemical_peel_on": None})

    history, _ = home_history_send(appointment=appointment, now=NOW)

    assert any("peel" in finding["code"] for finding in history.findings), history.findings


@pytest.mark.django_db
def test_nothing_answered_screens_clear(appointment):
    history, _ = home_history_send(appointment=appointment, now=NOW)

    assert history.screening_level == "clear"
    assert history.findings == []


@pytest.mark.django_db
def test_sending_twice_makes_one_submission(appointment, time_machine):
    _first, sent_first = home_history_send(appointment=appointment, now=NOW)
    later = NOW + timedelta(minutes=5)
    second, sent_second = home_history_send(appointment=appointment, now=later)

    assert (sent_first, sent_second) == (True, False)
    assert second.submitted_at == NOW
    appointment.refresh_from_db()
    assert appointment.history_received_at == NOW


def test_the_form_matches_a_medicine_only_when_named_exactly():
    checked = check_answers(
        {"med-0-text": "warfarin", "med-1-text": "warfrin", "med-2-text": "Eliquis 5mg bd"},
        today=NOW.date(),
    )

    assert [row["medicine_key"] for row in checked.medicines] == ["warfarin", "", "eliquis"]


def test_the_form_refuses_a_medicine_line_too_long_and_a_stop_date_in_the_future():
    checked = check_answers(
        {
            "med-0-text": "x" * 201,
            "med-1-text": "warfarin", "med-1-status": "stopped", "med-1-stopped": "2027-01-01",
            "med-2-text": "aspirin", "med-2-status": "stopped", "med-2-stopped": "2026-01-01",
        },
        today=NOW.date(),
    )  # fmt: skip

    # Each message is named by the field it is about, which is its input's id.
    assert set(checked.errors) == {"med-0-text", "med-1-stopped"}
    assert checked.medicines == [
        {"text": "aspirin", "medicine_key": "aspirin", "route": "", "current": False,
         "stopped_on": "2026-01-01", "dose": ""},
    ]  # fmt: skip


def test_the_form_refuses_an_answer_that_is_not_yes_or_no():
    checked = check_answers({"sunburn": "maybe", "active_acne": ""}, today=NOW.date())

    assert checked.errors == {"sunburn": "Choose yes or no."}
    assert checked.answers == {}


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_moment_make_one_submission(time_machine):
    time_machine.move_to(NOW, tick=False)
    appointment = consultation_booked(start=in_days(NOW, 10), now=NOW)
    home_history_save(appointment=appointment, answers={"sunburn": True}, medicines=[], now=NOW)
    results: list[bool] = []
    start = threading.Barrier(4)

    def send():
        try:
            start.wait()
            results.append(home_history_send(appointment=appointment, now=NOW)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [False, False, False, True]
    assert HomeHistory.objects.filter(submitted_at__isnull=False).count() == 1
