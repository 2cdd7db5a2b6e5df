"""The manager's reports at clinic-chain size: every report page, timed end to end.

Run from the repository root against a scratch database, which `seed_demo --patients`
fills with made-up data (never point it at real data):

    createdb -h 127.0.0.1 -U postgres clinic_bench
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python docs/benchmarks/reports.py --patients 10000

Each report page is requested as the demo's clinic manager through Django's test client,
so the time covers the queries, the arithmetic and the template; a warm-up first, then
the median and the slowest of the runs. The table is printed as Markdown.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.urls import reverse
from django.utils import timezone

from clinic.messaging.models import PatientMessage
from clinic.reporting.reports import REPORTS
from clinic.scheduling.models import Appointment
from patients.models import Patient


def time_page(
    client: Client, url: str, query: dict[str, str], runs: int
) -> tuple[float, float, int]:
    client.get(url, query)  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, query)
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    # The query log keeps the last 9,000 queries; start it afresh so the count is right.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query)
    return statistics.median(timings), max(timings), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", patients=args.patients, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    today = timezone.localdate()
    ranges = [
        ("last 12 months", today - timedelta(days=364), today),
        ("two years", today - timedelta(days=729), today),
    ]
    print(
        f"{Patient.objects.count():,} patients, {Appointment.objects.count():,} appointments, "
        f"{PatientMessage.objects.count():,} messages on {connection.vendor}; "
        f"{args.runs} runs each\n"
    )
    print("| report | range | queries | median ms | slowest ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, (title, _about, _make) in REPORTS.items():
        url = reverse("reporting:report", args=[name])
        for label, first, last in ranges:
            query = {"start": first.isoformat(), "end": last.isoformat()}
            median, slowest, count = time_page(client, url, query, args.runs)
            print(f"| {title} | {label} | {count} | {median:.0f} | {slowest:.0f} |")


if __name__ == "__main__":
    main()
