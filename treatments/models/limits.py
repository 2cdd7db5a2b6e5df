"""What every part of a course shares: the course limits, skin thickness and the
screening level as a database field."""

from decimal import Decimal

from django.db import models

from treatments.screening.rules import Level

# Fitzpatrick skin types run from I to VI.
FITZPATRICK_LOWEST, FITZPATRICK_HIGHEST = 1, 6


class CourseLimits:
    """The bounds every course keeps, in the catalog's defaults and in each plan and
    session record: the database checks, the forms and the services all read these."""

    MIN_SESSIONS = 1
    MAX_SESSIONS = 12
    MIN_SESSION_MINUTES = 15
    MAX_SESSION_MINUTES = 240
    MIN_INTERVAL_DAYS = 1
    MAX_INTERVAL_DAYS = 365  # what a form accepts; the database only asks for a minimum
    MAX_DEPTH_MM = 3  # needle depth, in the guidance and as used; always more than 0

    SESSIONS_TEXT = f"A course has between {MIN_SESSIONS} and {MAX_SESSIONS} sessions."
    SESSION_MINUTES_TEXT = (
        f"A session lasts between {MIN_SESSION_MINUTES} and {MAX_SESSION_MINUTES} minutes."
    )

    @classmethod
    def sessions_ok(cls, sessions: int) -> bool:
        return cls.MIN_SESSIONS <= sessions <= cls.MAX_SESSIONS

    @classmethod
    def session_minutes_ok(cls, minutes: int) -> bool:
        return cls.MIN_SESSION_MINUTES <= minutes <= cls.MAX_SESSION_MINUTES

    @classmethod
    def depth_ok(cls, depth_mm: Decimal) -> bool:
        return 0 < depth_mm <= cls.MAX_DEPTH_MM

    @classmethod
    def sessions_check(cls, field: str) -> models.Q:
        return models.Q(**{f"{field}__gte": cls.MIN_SESSIONS, f"{field}__lte": cls.MAX_SESSIONS})

    @classmethod
    def interval_check(cls) -> models.Q:
        """The interval window of a catalog area or a plan: at least a day, min <= max."""
        return models.Q(min_interval_days__gte=cls.MIN_INTERVAL_DAYS) & models.Q(
            min_interval_days__lte=models.F("max_interval_days")
        )


class SkinThickness(models.TextChoices):
    """The catalog's depth guidance has a range for each (thin skin is the shallower)."""

    THIN = "thin", "Thin skin"
    THICK = "thick", "Thick skin"


class LevelField(models.CharField):
    """A screening level stored by its code ("needs_clearance")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("choices", [(level.code, level.label) for level in Level])
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
