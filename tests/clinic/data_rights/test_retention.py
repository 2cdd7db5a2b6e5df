"""The retention rule: years after the last contact, and for someone first seen as a
child at least until the birthday of the given age, whichever is later."""

from datetime import date

import pytest

from clinic.data_rights.retention import retained_until


@pytest.mark.parametrize(
    ("born", "last_contact", "expected"),
    [
        # An adult: eight years after the last contact.
        (date(1980, 5, 1), date(2026, 11, 23), date(2034, 11, 23)),
        # Seen at 16: the 25th birthday comes after eight years from the last contact.
        (date(2010, 3, 1), date(2026, 6, 1), date(2035, 3, 1)),
        # Seen at 10: eight years on is at 18; the 25th birthday is later.
        (date(2016, 2, 10), date(2026, 2, 10), date(2041, 2, 10)),
        # Seen at 20 for the last time: eight years on (28) is later than 25.
        (date(2006, 7, 1), date(2026, 7, 1), date(2034, 7, 1)),
        # A last contact on 29 February: the 28th in a common year.
        (date(1990, 1, 1), date(2028, 2, 29), date(2036, 2, 29)),
        (date(1990, 1, 1), date(2024, 2, 29), date(2032, 2, 29)),
        (date(2004, 2, 29), date(2020, 1, 1), date(2029, 2, 28)),
    ],
)
def test_the_record_is_kept_until(born, last_contact, expected):
    assert (
        retained_until(born=born, last_contact=last_contact, years=8, minors_until_age=25)
        == expected
    )


def test_the_clinic_may_keep_records_longer():
    assert retained_until(
        born=date(1980, 1, 1), last_contact=date(2026, 1, 1), years=10, minors_until_age=25
    ) == date(2036, 1, 1)
