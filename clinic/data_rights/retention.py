"""How long a patient's clinical record is kept after they ask for it to be erased.

The clinic's rule (settings ``RECORD_RETENTION_YEARS`` and
``RECORD_RETENTION_MINORS_UNTIL_AGE``): the record is kept for the number of years after
the last contact, and, for someone first seen as a child, at least until the birthday of
the given age, whichever comes later. No database here.
"""

from datetime import date


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retained_until(*, born: date, last_contact: date, years: int, minors_until_age: int) -> date:
    """The first day the clinical record may be anonymised."""
    return max(add_years(last_contact, years), add_years(born, minors_until_age))
