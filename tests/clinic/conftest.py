import pytest

from tests.factories import make_clinic_location, make_staff


@pytest.fixture
def bath(db):
    """A location with its rooms and practitioners, and a member of the front desk."""
    location, rooms, practitioners = make_clinic_location()
    return {"location": location, "rooms": rooms, "practitioners": practitioners,
            "desk": make_staff()}  # fmt: skip
