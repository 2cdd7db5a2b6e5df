"""Each report's figures against the week described in conftest.py, worked out by hand;
an empty range; the filters; the CSV files; who may open them; the query counts."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from clinic.reporting.filters import Period, ReportFilterForm
from clinic.reporting.reports import REPORTS
from clinic.scheduling.models import Appointment, AppointmentType, Location, Room
from tests.clinic.reporting.conftest import WEEK
from tests.factories import make_patient, make_practitioner

pytestmark = pytest.mark.django_db


def _period(week, **extra):
    form = ReportFilterForm({**WEEK, **extra})
    assert form.is_valid(), form.errors
    return form.period()


def _rows(name, period):
    """The report's rows without the chart-only marker, keyed by their first column."""
    report = REPORTS[name][2](period)
    first = report.columns[0].key
    return {row[first]: {k: v for k, v in row.items() if k not in (first, "total")}
            for row in report.rows}  # fmt: skip


def test_appointments_by_type_and_status(week):
    rows = _rows("appointments", _period(week))

    zero = dict.fromkeys(("booked", "confirmed", "checked_in", "in_progress"), 0)
    assert rows == {
        "Consultation": {**zero, "completed": 1, "no_show": 1, "cancelled": 2, "all": 4},
        "Session": {**zero, "completed": 2, "no_show": 0, "cancelled": 1, "all": 3},
        "All types": {**zero, "completed": 3, "no_show": 1, "cancelled": 3, "all": 7},
    }


def test_utilisation_of_practitioners_and_rooms(week):
    rows = _rows("utilisation", _period(week))
    p1, p2 = str(week["p1"]), str(week["p2"])

    # P1: a1 + a2 booked (cancellations left out) over 4 days x 8 h less 4 h of leave.
    assert rows[p1] == {"booked": 2.0, "available": 28.0, "use": 7.1}
    # P2: a5 (2 h) + a7 over 32 h; the cancelled a6 is not booked time.
    assert rows[p2] == {"booked": 3.0, "available": 32.0, "use": 9.4}
    # Rooms: open Monday to Friday, 8 h a day, but closed on Friday: 32 h.
    assert rows["Room: Room 1 (Bath)"] == {"booked": 5.0, "available": 32.0, "use": 15.6}
    assert rows["Room: Room 2 (Bath)"] == {"booked": 0.0, "available": 32.0, "use": 0.0}


def test_no_shows_and_late_cancellations(week):
    rows = _rows("attendance", _period(week))
    p1, p2 = str(week["p1"]), str(week["p2"])

    assert rows[p1] == {"all": 4, "due": 2, "no_shows": 1, "late_cancels": 1,
                        "no_show_rate": 50.0, "late_cancel_rate": 25.0}  # fmt: skip
    assert rows[p2] == {"all": 3, "due": 2, "no_shows": 0, "late_cancels": 0,
                        "no_show_rate": 0.0, "late_cancel_rate": 0.0}  # fmt: skip
    assert rows["All practitioners"] == {
        "all": 7, "due": 4, "no_shows": 1, "late_cancels": 1,
        "no_show_rate": 25.0, "late_cancel_rate": 14.3,
    }  # fmt: skip


def test_new_patients_and_conversion(week):
    rows = _rows("conversion", _period(week))

    # Two patients registered this week (the third before it); three consultations
    # signed, two of them led to a booked plan (the third's plan is a draft).
    assert list(rows.values()) == [
        {"new_patients": 2, "consultations": 3, "planned": 2, "conversion": 66.7}
    ]


def test_plan_completion_counts_a_plan_with_a_skipped_session_as_completed(week):
    rows = _rows("plans", _period(week))

    assert rows == {
        "Completed": {"plans": 1, "share": 50.0, "skipped": 1},
        "Under way": {"plans": 1, "share": 50.0, "skipped": 0},
        "Paused": {"plans": 0, "share": 0.0, "skipped": 0},
        "Cancelled": {"plans": 0, "share": 0.0, "skipped": 0},
        "All booked plans": {"plans": 2, "share": 100.0, "skipped": 1},
    }


def test_interval_adherence_counts_a_rebooked_session_once(week):
    rows = _rows("intervals", _period(week))
    p2 = str(week["p2"])

    # Plan A's session 2 was inside its window; plan B's, cancelled and rebooked, was a
    # day early. Skipped and first sessions do not count.
    assert rows == {
        p2: {"done": 2, "inside": 1, "adherence": 50.0},
        "All practitioners": {"done": 2, "inside": 1, "adherence": 50.0},
    }


def test_screening_outcomes_by_rule(week):
    rows = _rows("screening", _period(week))

    assert rows == {
        "Sunburn": {"level": "Precaution", "found": 2, "share": 66.7, "overridden": 0},
        "Blood thinner": {"level": "Needs clearance", "found": 1, "share": 33.3,
                          "overridden": 1},
    }  # fmt: skip


def test_overrides_by_practitioner(week, practitioner):
    rows = _rows("overrides", _period(week))

    assert rows == {practitioner.get_full_name(): {"overrides": 1, "rules": 1, "with_clearance": 1}}


def test_message_delivery(week):
    rows = _rows("messages", _period(week))

    none = {"failed": 0, "skipped": 0, "cancelled": 0, "waiting": 0, "confirmed": 0,
            "cancel_asked": 0}  # fmt: skip
    assert rows == {
        "Booking confirmation": {**none, "all": 2, "sent": 1, "failed": 1, "delivered": 50.0,
                                 "confirmed": 1},
        "Reminder": {**none, "all": 3, "sent": 1, "skipped": 1, "cancelled": 1,
                     "delivered": 100.0, "cancel_asked": 1},
        "Aftercare": {**none, "all": 1, "sent": 0, "waiting": 1, "delivered": None},
        "All messages": {"all": 6, "sent": 2, "failed": 1, "skipped": 1, "cancelled": 1,
                         "waiting": 1, "delivered": 66.7, "confirmed": 1, "cancel_asked": 1},
    }  # fmt: skip


@pytest.mark.parametrize("name", list(REPORTS))
def test_a_range_with_nothing_in_it(week, name):
    """October 2025: no appointments, patients, plans or messages."""
    period = _period(week, start="2025-10-01", end="2025-10-31")

    report = REPORTS[name][2](period)

    if name == "conversion":
        assert report.rows == [{"month": period.first, "new_patients": 0, "consultations": 0,
                                "planned": 0, "conversion": None}]  # fmt: skip
    elif name == "utilisation":  # hours to work, none booked
        assert {row["booked"] for row in report.rows} == {0.0}
    else:
        assert report.rows == []


def test_the_filters_narrow_the_figures(week):
    other = Location.objects.create(name="Bristol", time_zone="Europe/London")

    by_practitioner = _rows("attendance", _period(week, practitioner=week["p2"].pk))
    at_bristol = _rows("appointments", _period(week, location=other.pk))

    assert list(by_practitioner) == [str(week["p2"]), "All practitioners"]
    assert at_bristol == {}


# --- Pages and files ---------------------------------------------------------------------


ROLES = [
    ("manager", 200), ("front_desk", 403), ("practitioner", 403), ("outsider", 403),
    ("anonymous", 302),
]  # fmt: skip


@pytest.mark.parametrize(("role", "status"), ROLES)
def test_only_the_manager_opens_the_reports_and_their_files(role_clients, role, status):
    client = role_clients[role]
    urls = [reverse("reporting:index")]
    for name in REPORTS:
        urls += [reverse("reporting:report", args=[name]), reverse("reporting:csv", args=[name])]

    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, status)


def test_a_report_page_shows_the_table_and_the_chart_data(week, manager_client):
    url = reverse("reporting:report", args=["attendance"])

    response = manager_client.get(url, WEEK)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="report-chart-data"' in content
    assert sorted(response.context["chart"]["datasets"][0]["data"]) == [0.0, 50.0]
    assert "14.3%" in content
    assert "/reports/attendance.csv?start=2026-11-02&amp;end=2026-11-08" in content


def test_the_csv_is_utf8_with_a_header_row_and_iso_dates(week, manager_client):
    response = manager_client.get(reverse("reporting:csv", args=["conversion"]), WEEK)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="conversion-2026-11-02-to-2026-11-08.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # spreadsheets then read UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Month", "New patients", "Consultations signed", "Led to a booked plan", "Conversion"],
        ["2026-11-01", "2", "3", "2", "66.7"],
    ]


def test_names_with_accents_survive_the_csv(week, manager_client):
    profile = week["p1"]
    profile.user.first_name, profile.user.last_name = "Zoë", "Ó Súilleabháin"
    profile.user.save()

    response = manager_client.get(reverse("reporting:csv", args=["attendance"]), WEEK)

    assert "Zoë Ó Súilleabháin,4,2,1,50.0,1,25.0" in response.content.decode("utf-8")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-11-08", "end": "2026-11-01"}, "The range ends before it starts."),
        ({"start": "2020-01-01", "end": "2026-11-01"}, "at most three years"),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "Choose days from 2000 to"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "Choose days from 2000 to"),
        ({"location": "999"}, "Select a valid choice."),
        ({"practitioner": "x"}, "Select a valid choice."),
    ],
)
def test_a_bad_filter_is_explained_and_the_last_30_days_shown(manager_client, query, message):
    page = manager_client.get(reverse("reporting:report", args=["appointments"]), query)
    csv_file = manager_client.get(reverse("reporting:csv", args=["appointments"]), query)

    assert page.status_code == 200
    assert message in page.content.decode()
    assert page.context["period"].last - page.context["period"].first == timedelta(days=29)
    assert csv_file.status_code == 400
    assert message in csv_file.content.decode()


def test_an_unknown_report_is_404(manager_client):
    assert manager_client.get("/reports/payroll/").status_code == 404
    assert manager_client.get("/reports/payroll.csv").status_code == 404


# Queries for each report page: session, user, the roles with their permissions (which
# the menu uses too), the filter's two lists and the report's own (utilisation also
# reads the locations, hours, closures, leave, rooms and opening hours).
PAGE_QUERIES = {
    "appointments": 7, "utilisation": 15, "attendance": 7, "conversion": 8, "plans": 7,
    "intervals": 7, "screening": 8, "overrides": 7, "messages": 7,
}  # fmt: skip


def _more_of_everything(week):
    """Ten more appointments in the week, with a practitioner and a room of their own."""
    kind = AppointmentType.objects.get(name="Consultation")
    room = Room.objects.create(location=week["location"], name=f"Extra {Room.objects.count()}")
    who = make_practitioner()
    for n in range(10):
        start = datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(days=n % 4, minutes=15 * n)
        Appointment.objects.create(
            patient=make_patient(), practitioner=who, room=room,
            location=week["location"], appointment_type=kind, starts_at=start,
            ends_at=start + timedelta(minutes=15), blocked_from=start,
            blocked_until=start + timedelta(minutes=15), status="completed",
            booked_by=who.user,
        )  # fmt: skip


def test_each_report_costs_the_same_queries_whatever_the_data(
    week, manager_client, django_assert_num_queries
):
    manager_client.get(reverse("reporting:index"))  # the session is read and kept
    for _attempt in range(2):
        for name, count in PAGE_QUERIES.items():
            with django_assert_num_queries(count):
                response = manager_client.get(reverse("reporting:report", args=[name]), WEEK)
            assert response.status_code == 200
        _more_of_everything(week)


def test_the_index_lists_every_report(manager_client, django_assert_num_queries):
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("reporting:index"))

    assert response.status_code == 200
    assert set(REPORTS) == {r["name"] for r in response.context["reports"]}


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(week, manager_client):
    profile = week["p1"]
    profile.user.first_name, profile.user.last_name = "=HYPERLINK(1)", "x"
    profile.user.save()

    response = manager_client.get(reverse("reporting:csv", args=["attendance"]), WEEK)

    assert "'=HYPERLINK(1) x,4," in response.content.decode("utf-8-sig")


def test_a_location_counts_its_days_from_its_own_midnight(week):
    new_york = Location.objects.create(name="New York", time_zone="America/New_York")

    period = _period(week, location=new_york.pk)

    assert period.start == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # midnight EST
    assert period.end == datetime(2026, 11, 9, 5, 0, tzinfo=UTC)


def test_the_period_is_midnight_to_midnight_in_the_clinics_zone(week):
    period = _period(week)

    assert isinstance(period, Period)
    assert period.start == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 9, 0, 0, tzinfo=UTC)


# The CSV asks only for the session, the user, their roles' permissions and the report's
# own (no filter lists).
CSV_QUERIES = {name: count - 2 for name, count in PAGE_QUERIES.items()}


def test_each_csv_costs_the_same_queries_whatever_the_data(
    week, manager_client, django_assert_num_queries
):
    manager_client.get(reverse("reporting:index"))
    for _attempt in range(2):
        for name, count in CSV_QUERIES.items():
            with django_assert_num_queries(count):
                response = manager_client.get(reverse("reporting:csv", args=[name]), WEEK)
            assert response.status_code == 200
        _more_of_everything(week)


# Reports about patients and consultations, which belong to no location.
NOT_BY_LOCATION = {"conversion", "screening", "overrides"}


@pytest.mark.parametrize("name", sorted(set(REPORTS) - NOT_BY_LOCATION))
def test_another_location_has_none_of_the_weeks_figures(week, name):
    other = Location.objects.create(name="Bristol", time_zone="Europe/London")

    assert _rows(name, _period(week, location=other.pk)) == {}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_a_practitioner_with_nothing_in_the_week_has_no_figures(week, name):
    idle = make_practitioner()  # no hours, no appointments, no consultations

    report = REPORTS[name][2](_period(week, practitioner=idle.pk))

    if name == "conversion":  # new patients are counted whoever sees them
        assert [(r["consultations"], r["planned"]) for r in report.rows] == [(0, 0)]
    else:
        assert report.rows == []
