"""Booking from a free slot: find the patient or register them on the way, keep the slot."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from clinic.scheduling.models import Appointment
from patients.models import Patient
from tests.factories import make_patient

# Booking is for times to come: the clock stands at the Friday before the Monday booked.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def _slot(clinic, **overrides):
    values = {
        "appointment_type": str(clinic["type"].pk),
        "practitioner": str(clinic["practitioners"][0].pk),
        "room": str(clinic["rooms"][0].pk),
        "day": "2026-11-23",
        "start_time": "10:00",
    }
    return {**values, **overrides}


def _new(query=None) -> str:
    return f"{reverse('scheduling:new')}?{urlencode(query or {})}"


def _patient_details(**overrides):
    details = {
        "first_name": "Zoë",
        "last_name": "Martin",
        "date_of_birth": "1988-04-12",
        "sex": "female",
        "email": "zoe.martin@example.org",
        "mobile": "07911 123456",
        "preferred_channel": "email",
        "consents_to_transactional_email": "on",
        "step": "register",
    }
    return {**details, **overrides}


# --- Who may -----------------------------------------------------------------------------

ROLES = [("front_desk", 200), ("practitioner", 403), ("manager", 403), ("outsider", 403),
         ("anonymous", 302)]  # fmt: skip


@pytest.mark.parametrize(("who", "expected"), ROLES)
def test_only_the_front_desk_opens_a_slot_to_book(role_clients, clinic, who, expected):
    response = role_clients[who].get(_new(_slot(clinic)))

    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("who", "expected"), ROLES)
def test_only_the_front_desk_searches_patients_to_book(role_clients, clinic, who, expected):
    response = role_clients[who].get(
        _new({**_slot(clinic), "q": "mar"}), headers={"HX-Request": "true"}
    )

    assert response.status_code == expected


@pytest.mark.parametrize(("who", "expected"), [*ROLES[1:]])
def test_only_the_front_desk_registers_on_the_way(role_clients, clinic, who, expected):
    response = role_clients[who].post(_new(_slot(clinic)), _patient_details())

    assert response.status_code == expected
    assert not Patient.objects.filter(email="zoe.martin@example.org").exists()


# --- Finding the patient -------------------------------------------------------------------


def test_a_slot_without_a_patient_shows_the_slot_the_search_and_registration(
    front_desk_client, clinic
):
    response = front_desk_client.get(_new(_slot(clinic)))

    assert response.status_code == 200
    content = response.content.decode()
    summary = dict(response.context["slot_summary"])
    assert summary == {
        "Type": "Treatment session",
        "Practitioner": str(clinic["practitioners"][0]),
        "Room": "Room 1",
        "Date": "Monday 23 November 2026",
        "Time": "10:00",
    }
    assert 'name="q"' in content
    assert 'hx-get="/appointments/new/"' in content
    assert 'data-testid="register-patient"' in content
    # The search form carries the slot, so a search without JavaScript keeps it.
    for name, value in _slot(clinic).items():
        assert f'<input type="hidden" name="{name}" value="{value}">' in content


def test_typing_part_of_a_name_lists_patients_to_pick_with_the_slot(front_desk_client, clinic):
    zoe = make_patient(first_name="Zoë", last_name="Martin")
    make_patient(first_name="Ben", last_name="Okafor")

    response = front_desk_client.get(
        _new({**_slot(clinic), "q": "zoe mar"}), headers={"HX-Request": "true"}
    )

    assert response.templates[0].name == "scheduling/_patient_pick.html"
    assert [p.pk for p in response.context["found"]] == [zoe.pk]
    href = next(
        line.split('href="')[1].split('"')[0]
        for line in response.content.decode().splitlines()
        if "list-group-item" in line
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(href.replace("&amp;", "&")).query).items()}
    assert params == {"patient": str(zoe.pk), **_slot(clinic)}


def test_without_javascript_the_search_shows_the_whole_page(front_desk_client, clinic):
    make_patient(first_name="Zoë", last_name="Martin")

    response = front_desk_client.get(_new({**_slot(clinic), "q": "martin"}))

    assert "<html" in response.content.decode()
    assert len(response.context["found"]) == 1


def test_many_matches_ask_for_more_of_the_name(front_desk_client, clinic):
    for n in range(12):
        make_patient(first_name=f"Anna{n}", last_name="Smith")

    response = front_desk_client.get(_new({"q": "smith"}), headers={"HX-Request": "true"})

    assert len(response.context["found"]) == 10
    assert "More patients match" in response.content.decode()


def test_the_picked_patient_gets_the_booking_form_filled_from_the_slot(front_desk_client, clinic):
    patient = clinic["patient"]

    response = front_desk_client.get(_new({"patient": patient.pk, **_slot(clinic)}))

    form = response.context["form"]
    assert response.context["patient"] == patient
    assert not form.errors
    assert {name: str(form[name].value()) for name in _slot(clinic)} == _slot(clinic)
    assert f'<option value="{clinic["practitioners"][0].pk}" selected>' in (
        response.content.decode()
    )


def test_booking_from_the_slot_books_that_slot(front_desk_client, clinic):
    patient = clinic["patient"]

    response = front_desk_client.post(
        _new({"patient": patient.pk, **_slot(clinic)}), {"patient": patient.pk, **_slot(clinic)}
    )

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert appointment.patient == patient
    assert appointment.practitioner == clinic["practitioners"][0]
    assert appointment.room == clinic["rooms"][0]
    assert appointment.starts_at == datetime(2026, 11, 23, 10, tzinfo=UTC)


# --- Registering on the way --------------------------------------------------------------


def test_registering_on_the_way_comes_back_to_the_slot_with_the_patient(front_desk_client, clinic):
    response = front_desk_client.post(_new(_slot(clinic)), _patient_details())

    zoe = Patient.objects.get(email="zoe.martin@example.org")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == reverse("scheduling:new")
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {
        "patient": str(zoe.pk),
        **_slot(clinic),
    }
    assert zoe.created_by.username == "desk"


def test_a_near_match_is_shown_before_registering_and_can_be_booked_instead(
    front_desk_client, clinic
):
    existing = make_patient(first_name="Zoe", last_name="Martin", date_of_birth="1988-04-12")

    response = front_desk_client.post(_new(_slot(clinic)), _patient_details())

    assert response.status_code == 200
    assert response.context["duplicates"] == [existing]
    content = response.content.decode()
    assert 'data-testid="duplicate-warning"' in content
    assert f"?patient={existing.pk}&amp;appointment_type=" in content
    assert response.context["register_open"]
    assert Patient.objects.count() == 2  # the fixture's patient and the existing one

    confirmed = front_desk_client.post(
        _new(_slot(clinic)), _patient_details(confirm_not_duplicate="on")
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 3


def test_a_mistake_in_the_registration_is_shown_on_its_field_with_the_slot_kept(
    front_desk_client, clinic
):
    response = front_desk_client.post(_new(_slot(clinic)), _patient_details(last_name=" "))

    assert response.status_code == 200
    assert "required" in " ".join(response.context["patient_form"].errors["last_name"])
    assert response.context["slot_query"] == urlencode(_slot(clinic))
    assert not Patient.objects.filter(first_name="Zoë").exists()


# --- Wrong values in the address -----------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"day": "2026-02-30"}, "day", "Enter a valid date"),
        ({"start_time": "25:00"}, "start_time", "Enter a valid time"),
        ({"practitioner": "999999"}, "practitioner", "valid choice"),
        ({"room": "abc"}, "room", "valid choice"),
        ({"appointment_type": "999999"}, "appointment_type", "valid choice"),
    ],
)
@pytest.mark.parametrize("with_patient", [True, False])
def test_a_wrong_slot_value_gets_a_message_never_an_error_page(
    front_desk_client, clinic, change, field, message, with_patient
):
    query = {**_slot(clinic, **change)}
    if with_patient:
        query["patient"] = clinic["patient"].pk

    response = front_desk_client.get(_new(query))

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert set(form.errors) == {field}  # the right values are not questioned
    if not with_patient:
        assert 'data-testid="slot-error"' in response.content.decode()


@pytest.mark.parametrize("patient", ["999999", "abc", "99999999999999999999"])
def test_an_unknown_patient_is_explained_and_the_search_offered(front_desk_client, clinic, patient):
    response = front_desk_client.get(_new({"patient": patient, **_slot(clinic)}))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="patient-error"' in content
    assert "There is no such patient" in content
    assert "Who is it for?" in content
    assert response.context["slot_query"] == urlencode(_slot(clinic))
