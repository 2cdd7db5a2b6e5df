"""Journey: the manager opens the reports on the demo clinic, widens the range, sees the
chart drawn and downloads the CSV; the admin opens without a policy error."""

import csv
import importlib
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHIPPED = [
    "treatments.migrations.0006_consent_text",
    "treatments.migrations.0012_catalog_and_plan_permissions",
    "treatments.migrations.0014_aftercare_default_and_permissions",
]


def test_the_manager_reads_a_report_changes_the_range_and_downloads_it(
    live_server, page: Page, screenshot, console_errors
):
    for module in SHIPPED:
        importlib.import_module(module).create(apps, None)
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())

    sign_in(page, live_server.url, "manager", password="demo")
    page.get_by_role("link", name="Reports").click()
    page.get_by_test_id("report-list").get_by_role("link", name="Appointments").click()
    expect(page.get_by_role("heading", name="Appointments by type and status")).to_be_visible()

    today = timezone.localdate()
    first = today - timedelta(days=90)
    last = today + timedelta(days=30)
    page.get_by_label("From").fill(first.isoformat())
    page.get_by_label("To").fill(last.isoformat())
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_test_id("report-period")).to_contain_text(f"{first:%-d %B %Y}")
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-drawn", "true")
    table = page.get_by_test_id("report-table")
    expect(table).to_contain_text("Microneedling session")
    expect(table).to_contain_text("All types")
    screenshot("reports-appointments")

    with page.expect_download() as download_info:
        page.get_by_test_id("csv-link").click()
    download = download_info.value
    assert download.suggested_filename == f"appointments-{first}-to-{last}.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Appointment type"
    assert rows[-1][0] == "All types"

    page.get_by_role("link", name="Utilisation").click()
    expect(page.get_by_test_id("report-chart")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("report-period")).to_contain_text(f"{last:%-d %B %Y}")

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_text("Clinic administration").first).to_be_visible()
    assert console_errors == []
