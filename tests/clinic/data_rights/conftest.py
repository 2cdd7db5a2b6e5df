from datetime import UTC, datetime

import pytest
import time_machine

from tests.page_world import World, build_world

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(frozen, front_desk, practitioner, manager) -> World:
    """A patient with a signed consultation, a booked course whose first session was
    signed today with aftercare, messages and audit entries (tests/page_world.py)."""
    return build_world(front_desk, practitioner, manager)
