"""Validation and normalisation of patient contact details and names."""

import unicodedata
from datetime import date

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

OLDEST_AGE_YEARS = 120


def normalise_text(text: str) -> str:
    """Lower case without accents or extra spaces: what name search compares."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def normalise_phone(raw: str) -> str:
    """A phone number in international form (+447700900123), or ValidationError."""
    try:
        number = phonenumbers.parse(raw, settings.PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            "Enter a phone number, for example 07700 900123 or +44 7700 900123.",
            code="invalid_phone",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "This is not a valid phone number. Check the digits and the country code.",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(stored: str) -> str:
    """A stored number written as people read it in the clinic's country."""
    if not stored:
        return ""
    number = phonenumbers.parse(stored, settings.PHONE_REGION)
    # Compare country codes, not regions: +44 7911 numbers belong to Jersey, say, yet are
    # dialled like any UK mobile.
    if number.country_code == phonenumbers.country_code_for_region(settings.PHONE_REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_birth_date(value: date, *, today: date) -> None:
    if value > today:
        raise ValidationError("The date of birth cannot be in the future.", code="future")
    if value.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError(
            f"That is more than {OLDEST_AGE_YEARS} years ago. Check the year.", code="too_old"
        )
