"""Registering, finding and editing patients: who may, what is checked, what it costs."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from patients.models import Patient
from tests.factories import PatientFactory, make_patient

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, SIGN_IN = 200, 403, 302


def _valid(**overrides):
    data = {
        "first_name": "Zoë",
        "last_name": "Martin",
        "date_of_birth": "1988-04-12",
        "sex": "female",
        "email": "Zoe.Martin@Example.org",
        "mobile": "07911 123456",
        "preferred_channel": "email",
        "consents_to_transactional_email": "on",
    }
    return {**data, **overrides}


# --- Who may --------------------------------------------------------------------------

ACCESS = {
    "patients:list": {"front_desk": OK, "practitioner": OK, "manager": FORBIDDEN},
    "patients:new": {"front_desk": OK, "practitioner": FORBIDDEN, "manager": FORBIDDEN},
    "patients:detail": {"front_desk": OK, "practitioner": OK, "manager": FORBIDDEN},
    "patients:edit": {"front_desk": OK, "practitioner": OK, "manager": FORBIDDEN},
}


@pytest.mark.parametrize(
    ("url_name", "who", "expected"),
    [
        (url, who, code)
        for url, by_role in ACCESS.items()
        for who, code in {**by_role, "outsider": FORBIDDEN, "anonymous": SIGN_IN}.items()
    ],
)
def test_each_role_reaches_only_the_patient_pages_it_may(role_clients, url_name, who, expected):
    patient = make_patient()
    args = [patient.pk] if url_name in ("patients:detail", "patients:edit") else []

    response = role_clients[who].get(reverse(url_name, args=args))

    assert response.status_code == expected


def test_a_record_that_does_not_exist_is_not_found(front_desk_client):
    assert front_desk_client.get(reverse("patients:detail", args=[999999])).status_code == 404


def test_a_manager_cannot_register_by_posting_either(manager_client):
    response = manager_client.post(reverse("patients:new"), _valid())

    assert response.status_code == 403
    assert not Patient.objects.exists()


# --- Registering ----------------------------------------------------------------------


def test_front_desk_registers_a_patient_with_tidy_contact_details(front_desk_client, front_desk):
    response = front_desk_client.post(reverse("patients:new"), _valid())

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert patient.mobile == "+447911123456"
    assert patient.email == "zoe.martin@example.org"
    assert patient.search_name == "zoe martin"
    assert patient.created_by == front_desk
    entry = LogEntry.objects.get_for_object(patient).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == front_desk


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "more than 120 years ago"),
        ({"date_of_birth": "12/31/1990"}, "date_of_birth", "Enter a valid date"),
        ({"email": "zoe@@example"}, "email", "valid email"),
        ({"mobile": "0770"}, "mobile", "not a valid phone number"),
        ({"mobile": "call me"}, "mobile", "Enter a phone number"),
        ({"emergency_contact_phone": "123"}, "emergency_contact_phone", "phone"),
        ({"first_name": ""}, "first_name", "required"),
        ({"last_name": "   "}, "last_name", "required"),
        ({"sex": "robot"}, "sex", "valid choice"),
        ({"first_name": "x" * 300}, "first_name", "at most 100"),
        ({"first_name": "Zo\x00e"}, "first_name", "Null characters"),
    ],
)
def test_bad_details_get_a_message_on_the_field(front_desk_client, change, field, message):
    response = front_desk_client.post(reverse("patients:new"), _valid(**change))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "", "mobile": "", "preferred_channel": "phone"}, "mobile", "mobile number"),
        ({"email": ""}, "email", "email address is needed"),
        (
            {"email": "", "consents_to_transactional_email": ""},
            "email",
            "preferred channel",
        ),
        ({"mobile": "", "preferred_channel": "sms"}, "mobile", "needs a mobile number"),
    ],
)
def test_contact_details_must_agree_with_each_other(front_desk_client, change, field, message):
    response = front_desk_client.post(reverse("patients:new"), _valid(**change))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Patient.objects.exists()


# --- Duplicates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "existing",
    [
        {"first_name": "ZOE", "last_name": "martin", "date_of_birth": "1988-04-12"},
        {"email": "zoe.martin@example.org"},
        {"mobile": "+447911123456"},
    ],
)
def test_a_possible_duplicate_is_shown_before_registering(front_desk_client, existing):
    from datetime import date

    fields = {k: date.fromisoformat(v) if k == "date_of_birth" else v for k, v in existing.items()}
    other = PatientFactory(**fields)

    response = front_desk_client.post(reverse("patients:new"), _valid())

    assert response.status_code == 200
    assert response.context["duplicates"] == [other]
    assert "may be someone already registered" in response.content.decode()
    assert Patient.objects.count() == 1


def test_confirming_a_different_person_registers_them(front_desk_client):
    PatientFactory(first_name="Zoe", last_name="Martin", date_of_birth="1988-04-12")

    response = front_desk_client.post(reverse("patients:new"), _valid(confirm_not_duplicate="on"))

    assert response.status_code == 302
    assert Patient.objects.count() == 2


# --- Editing --------------------------------------------------------------------------


def test_editing_saves_and_is_audited_without_warning_about_the_patient_itself(
    front_desk_client, front_desk
):
    patient = make_patient(first_name="Zoë", last_name="Martin", email="zoe.martin@example.org")
    form = front_desk_client.get(reverse("patients:edit", args=[patient.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(town="Bath", date_of_birth=patient.date_of_birth.isoformat())

    response = front_desk_client.post(reverse("patients:edit", args=[patient.pk]), data)

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.town == "Bath"
    change = LogEntry.objects.get_for_object(patient).get(action=LogEntry.Action.UPDATE)
    assert change.actor == front_desk
    assert "town" in change.changes_dict


# --- Finding --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["zoe", "ZOË", "mart", "zoe mart", "Martin Zoë", "07911 123456", "+44 7911 123456",
     "zoe.martin@", "zoe.mar", "12/04/1988", "1988-04-12"],
)  # fmt: skip
def test_search_finds_by_partial_name_phone_email_or_birth_date(front_desk_client, query):
    wanted = PatientFactory(
        first_name="Zoë",
        last_name="Martin",
        date_of_birth="1988-04-12",
        email="zoe.martin@example.org",
        mobile="+447911123456",
    )
    PatientFactory(first_name="Adam", last_name="Brown", date_of_birth="1970-01-01")

    response = front_desk_client.get(reverse("patients:list"), {"q": query})

    assert list(response.context["page"].object_list) == [wanted]


def test_no_match_says_so(front_desk_client):
    response = front_desk_client.get(reverse("patients:list"), {"q": "nobody-here"})

    assert "No patient matches" in response.content.decode()


def test_htmx_search_returns_only_the_results(front_desk_client):
    PatientFactory(first_name="Zoë", last_name="Martin")

    response = front_desk_client.get(
        reverse("patients:list"), {"q": "zoe"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert 'data-testid="patient-results"' in html
    assert "<html" not in html


@pytest.mark.parametrize("query", ["x" * 500, "\x00", "%", "_", "'; DROP TABLE", "31/02/2020"])
def test_odd_searches_answer_calmly(front_desk_client, query):
    response = front_desk_client.get(reverse("patients:list"), {"q": query, "page": "abc"})

    assert response.status_code == 200


# --- Query counts ---------------------------------------------------------------------


def test_the_patient_list_costs_the_same_for_ten_or_sixty_patients(
    front_desk_client, django_assert_num_queries
):
    # session, user, the roles with their permissions, count, one page of patients, the
    # search's access entry (its INSERT, the chain head locked, the seal, the head moved on)
    PatientFactory.create_batch(10)
    with django_assert_num_queries(9):
        front_desk_client.get(reverse("patients:list"))
    PatientFactory.create_batch(50)
    with django_assert_num_queries(9):
        front_desk_client.get(reverse("patients:list"), {"q": "a"})


def test_the_patient_record_costs_a_fixed_number_of_queries(
    front_desk_client, django_assert_num_queries
):
    patient = make_patient()
    PatientFactory.create_batch(20)
    # session, user, role permissions, the patient with who registered them,
    # cleared-for-treatment badge, consent signature with the newest version, appointments
    # to come and past, treatment plans with their progress, the messages sent to them,
    # the access entry (its INSERT, the chain head locked, the seal, the
    # head moved on)
    with django_assert_num_queries(14):
        front_desk_client.get(reverse("patients:detail", args=[patient.pk]))


def test_a_birth_date_of_today_is_accepted(front_desk_client):
    today = timezone.localdate().isoformat()

    response = front_desk_client.post(reverse("patients:new"), _valid(date_of_birth=today))

    assert response.status_code == 302
    assert Patient.objects.get().date_of_birth == timezone.localdate()
    assert timezone.localdate() - Patient.objects.get().date_of_birth < timedelta(days=1)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+447911123456", "07911 123456"),
        ("+447400123456", "07400 123456"),
        ("+12015550123", "+1 201-555-0123"),
        ("", ""),
    ],
)
def test_numbers_are_shown_as_dialled_from_the_clinic(stored, shown):
    from patients.validators import display_phone

    assert display_phone(stored) == shown


def test_an_empty_submission_says_what_is_required(front_desk_client):
    response = front_desk_client.post(reverse("patients:new"), {})

    assert response.status_code == 200
    assert "required" in " ".join(response.context["form"].errors["first_name"])
