from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patients.models import Patient
from patients.validators import normalise_phone, normalise_text, validate_birth_date

# The fields staff fill in; everything else on Patient is derived or bookkeeping.
PATIENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "email",
    "mobile",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "preferred_channel",
    "consents_to_transactional_email",
    "consents_to_marketing_email",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "physician_name",
    "physician_practice",
    "physician_phone",
    "notes",
)
PHONE_FIELDS = ("mobile", "emergency_contact_phone", "physician_phone")


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim text, normalise email and phone numbers, and check what must agree."""
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"Not patient fields: {', '.join(sorted(unknown))}")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    errors: dict[str, list[str]] = {}
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].lower()
    for name in PHONE_FIELDS:
        if cleaned.get(name):
            try:
                cleaned[name] = normalise_phone(cleaned[name])
            except ValidationError as exc:
                errors[name] = exc.messages
    born = fields.get("date_of_birth")
    if isinstance(born, date):
        try:
            validate_birth_date(born, today=timezone.localdate())
        except ValidationError as exc:
            errors["date_of_birth"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_contact(patient: Patient) -> None:
    errors = {}
    if not patient.email and not patient.mobile:
        errors["mobile"] = [
            "Give a mobile number or an email address, so the clinic can reach them."
        ]
    if patient.consents_to_transactional_email and not patient.email:
        errors["email"] = ["An email address is needed for the emails they agreed to."]
    if patient.preferred_channel == Patient.Channel.EMAIL and not patient.email:
        errors.setdefault("email", []).append("Email is their preferred channel: add an address.")
    if (
        patient.preferred_channel in (Patient.Channel.SMS, Patient.Channel.PHONE)
        and not patient.mobile
    ):
        errors["mobile"] = ["Their preferred channel needs a mobile number."]
    if errors:
        raise ValidationError(errors)


def _save(patient: Patient) -> Patient:
    patient.search_name = normalise_text(f"{patient.first_name} {patient.last_name}")
    _check_contact(patient)
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_register(*, by: User, **fields: Any) -> Patient:
    """Register a new patient. Duplicates are the caller's question (see selectors)."""
    return _save(Patient(created_by=by, **_clean_fields(fields)))


@transaction.atomic
def patient_update(*, patient: Patient, **fields: Any) -> Patient:
    """Change a patient's details; the audit log records who changed what."""
    for name, value in _clean_fields(fields).items():
        setattr(patient, name, value)
    return _save(patient)
