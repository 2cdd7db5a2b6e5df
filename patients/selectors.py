import re
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from patients.models import Patient
from patients.validators import normalise_phone, normalise_text

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def _as_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, not a time
        except ValueError:
            continue
    return None


def _as_phone(text: str) -> str | None:
    if len(re.sub(r"\D", "", text)) < 6 or re.search(r"[a-zA-Z@]", text):
        return None
    try:
        return normalise_phone(text)
    except ValidationError:  # not a phone number, so not a phone search
        return None


def patient_search(query: str) -> QuerySet[Patient]:
    """Patients matching a date of birth, an email, a phone number or parts of a name.

    Name search is by words, each matched anywhere in the first or last name, ignoring
    case and accents ("zoe mart" finds Zoë Martin).
    """
    query = " ".join(query.split())[:200]
    patients = Patient.objects.all()
    if not query:
        return patients
    if (birth := _as_date(query)) is not None:
        return patients.filter(date_of_birth=birth)
    if "@" in query or ("." in query and " " not in query):
        return patients.filter(email__startswith=query.lower())
    if (phone := _as_phone(query)) is not None:
        return patients.filter(mobile=phone)
    for word in normalise_text(query).split():
        patients = patients.filter(search_name__contains=word)
    return patients


def patient_possible_duplicates(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    email: str = "",
    mobile: str = "",
    exclude_pk: int | None = None,
) -> list[Patient]:
    """Existing patients with the same name and birth date, or the same email or mobile."""
    match = Q(pk__in=[])
    if date_of_birth is not None:
        match |= Q(
            search_name=normalise_text(f"{first_name} {last_name}"), date_of_birth=date_of_birth
        )
    if email:
        match |= Q(email=email.strip().lower())
    if mobile:
        match |= Q(mobile=mobile)
    found = Patient.objects.filter(match)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found[: settings.DUPLICATE_WARNING_LIMIT])
