"""How the setup pages write a stretch of leave."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.scheduling.models import Leave
from clinic.scheduling.templatetags.setup_display import leave_span

LONDON = ZoneInfo("Europe/London")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        ("2026-08-03T00:00", "2026-08-04T00:00", "Mon 3 Aug 2026, all day"),
        ("2026-08-03T00:00", "2026-08-08T00:00", "Mon 3 Aug to Fri 7 Aug 2026"),
        ("2026-08-03T09:00", "2026-08-03T12:30", "Mon 3 Aug 2026, 09:00 to 12:30"),
        ("2026-08-03T13:00", "2026-08-04T12:00", "Mon 3 Aug 2026, 13:00 to Tue 4 Aug 2026, 12:00"),
        # The clocks go back on 25 October: whole days still read as days.
        ("2026-10-24T00:00", "2026-10-26T00:00", "Sat 24 Oct to Sun 25 Oct 2026"),
    ],
)
def test_leave_span(settings, starts, ends, expected):
    settings.TIME_ZONE = "Europe/London"

    assert leave_span(Leave(starts_at=_at(starts), ends_at=_at(ends))) == expected
