"""Demo data for `make run`: a clinic a new user can explore at once.

Each part of the product adds its own section to ``SECTIONS``. ``load_demo`` loads every
section that is not there yet, each in its own transaction, so a demo database made
before a section existed gains it on the next `make run` and keeps everything else.
Demo accounts share the password ``demo``, so the loader refuses to run unless DEBUG is on.
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
            check_password_strength=False,
            job_title=person.job_title,
            registration_body=person.registration_body,
            registration_number=person.registration_number,
            calendar_colour=person.calendar_colour,
        )
    log(f"Staff: {len(DEMO_STAFF)} accounts (password '{DEMO_PASSWORD}').")


def _staff_loaded() -> bool:
    return get_user_model().objects.filter(username=DEMO_STAFF[0].username).exists()


@dataclass(frozen=True)
class DemoSection:
    name: str
    is_loaded: Callable[[], bool]
    load: Callable[[Callable[[str], None]], None]


SECTIONS = [DemoSection("staff", _staff_loaded, _load_staff)]


def load_demo(log: Callable[[str], None]) -> list[str]:
    """Load each demo section that is not there yet; return the names of those loaded."""
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "The demo loader only runs with DEBUG on: its accounts share a published password."
        )
    loaded = []
    for section in SECTIONS:
        if section.is_loaded():
            continue
        with transaction.atomic():
            section.load(log)
        loaded.append(section.name)
    return loaded
