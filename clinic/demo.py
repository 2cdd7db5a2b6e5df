"""Demo data for `make run`: a clinic a new user can explore at once.

Each part of the product adds its own section to ``SECTIONS``; ``load_demo`` runs them in
order inside one transaction. Demo accounts share the password ``demo``, so the loader
refuses to run unless DEBUG is on.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from clinic.staff.models import PractitionerProfile
from clinic.staff.roles import Role
from clinic.staff.services import staff_member_create

DEMO_PASSWORD = "demo"  # noqa: S105 - a published demo password, refused without DEBUG


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: Role
    job_title: str = ""
    registration_body: str = ""
    registration_number: str = ""
    calendar_colour: str = PractitionerProfile.CalendarColour.TEAL


DEMO_STAFF = [
    DemoStaff("frontdesk", "Rosa", "Bennett", Role.FRONT_DESK),
    DemoStaff(
        "practitioner",
        "Amara",
        "Okafor",
        Role.PRACTITIONER,
        "Aesthetic nurse practitioner",
        "NMC",
        "12A3456E",
        PractitionerProfile.CalendarColour.TEAL,
    ),
    DemoStaff(
        "lfischer",
        "Lena",
        "Fischer",
        Role.PRACTITIONER,
        "Aesthetic doctor",
        "GMC",
        "7654321",
        PractitionerProfile.CalendarColour.INDIGO,
    ),
    DemoStaff(
        "thughes",
        "Tom",
        "Hughes",
        Role.PRACTITIONER,
        "Dermatology nurse",
        "NMC",
        "09B8765C",
        PractitionerProfile.CalendarColour.ORANGE,
    ),
    DemoStaff("manager", "Helen", "Marsh", Role.CLINIC_MANAGER),
]


def _load_staff(log: Callable[[str], None]) -> None:
    for person in DEMO_STAFF:
        staff_member_create(
            username=person.username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=f"{person.username}@clinic.example",
            roles=[person.role],
            password=DEMO_PASSWORD,
            job_title=person.job_title,
            registration_body=person.registration_body,
            registration_number=person.registration_number,
            calendar_colour=person.calendar_colour,
        )
    log(f"Staff: {len(DEMO_STAFF)} accounts (password '{DEMO_PASSWORD}').")


SECTIONS: list[Callable[[Callable[[str], None]], None]] = [_load_staff]


def demo_is_loaded() -> bool:
    return get_user_model().objects.filter(username=DEMO_STAFF[0].username).exists()


def load_demo(log: Callable[[str], None]) -> bool:
    """Load every demo section once. Returns False when the demo was already there."""
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The demo loader only runs with DEBUG on: its accounts share a published password."
        )
    if demo_is_loaded():
        return False
    with transaction.atomic():
        for section in SECTIONS:
            section(log)
    return True
