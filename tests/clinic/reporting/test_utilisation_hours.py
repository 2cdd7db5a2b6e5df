"""Utilisation counts each day against the hours that applied on it: hours edited this
week apply from their day on, and the months before keep their figures."""

from datetime import time

import pytest

from clinic.reporting.filters import ReportFilterForm
from clinic.reporting.reports import REPORTS
from clinic.scheduling import setup_services
from tests.clinic.reporting.conftest import NOW, WEEK

pytestmark = pytest.mark.django_db
NEXT_WEEK = {"start": "2026-11-09", "end": "2026-11-15"}


def _utilisation(dates):
    form = ReportFilterForm(dates)
    assert form.is_valid(), form.errors
    report = REPORTS["utilisation"][2](form.period())
    first = report.columns[0].key
    return {row[first]: row["available"] for row in report.rows}


def _shorter_hours(week):
    """Today the clinic changes to 10:00-14:00, Monday to Friday, and so does Amara."""
    short = {day: [(time(10), time(14))] for day in range(5)}
    setup_services.opening_hours_set(location=week["location"], week=short, now=NOW)
    setup_services.working_hours_set(
        practitioner=week["p1"], location=week["location"], week=short, now=NOW
    )


def test_past_utilisation_does_not_change_when_the_hours_are_edited(week):
    before = _utilisation(WEEK)

    _shorter_hours(week)

    assert _utilisation(WEEK) == before
    assert before[str(week["p1"])] == 28.0


def test_the_edited_hours_count_from_their_day_on(week):
    _shorter_hours(week)

    after = _utilisation(NEXT_WEEK)

    # Amara: 5 days x 4 h; Tom keeps his 4 days x 8 h; the rooms: 5 days x 4 h.
    assert after[str(week["p1"])] == 20.0
    assert after[str(week["p2"])] == 32.0
    assert after["Room: Room 1 (Bath)"] == 20.0


def test_hours_planned_for_a_later_day_leave_the_weeks_before_alone(week):
    short = {day: [(time(10), time(14))] for day in range(5)}
    setup_services.opening_hours_set(
        location=week["location"], week=short, now=NOW,
        from_day=NOW.date().replace(day=16),
    )  # fmt: skip

    assert _utilisation(NEXT_WEEK)["Room: Room 1 (Bath)"] == 40.0
