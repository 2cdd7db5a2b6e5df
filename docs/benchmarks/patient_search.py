"""Patient search at clinic-chain size: N patients (default 50,000), timed query by query.

Run from the repository root against a scratch database, which it fills with made-up
patients (never point it at real data):

    createdb -h 127.0.0.1 -U postgres clinic_bench
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python docs/benchmarks/patient_search.py --patients 50000

Each search runs the same queries as the patient list page (one page of 25 and the count)
and is timed over repeated runs after a warm-up; the table is printed as Markdown.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django

django.setup()

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from patients.models import Patient
from patients.selectors import patient_search
from patients.validators import normalise_text

FIRST = (
    "Zoë Aisha Chloé Priya Olivia Siobhán Mei Fatima Grace Hannah Isla Amélie Lucy Nadia Sofia "
    "Yasmin Emily Inès Jade Kiran Laura Maya Niamh Orla Phoebe Rachel Sara Tara Uma Vanessa "
    "Wendy Ximena Yara Zara Daniel James Mohammed Oliver Tomasz Kwame Liam Noah Arjun Ben Chidi "
    "Diego Ethan Felix Hiro Jonas Anna Beatriz Carmen Dana Elif Freya Gemma Holly Ivy Julia"
).split()
LAST = (
    "Martin Rahman Dubois Patel Hughes Kelly Chen Hussain Okoye Schmidt MacLeod Laurent Evans "
    "Kowalska Rossi Ali Clarke García Thompson Sharma Nowak Cohen O'Brien Byrne Wright Green "
    "Lindqvist Singh Reddy Costa Liu López Haddad Ahmed Morgan Taylor Khan Davies Wiśniewski "
    "Mensah Walsh Bennett Mehta Carter Eze Fernández Price Bauer Tanaka Berg Jones Smith Brown "
    "Wilson Johnson Roberts Walker Robinson Lewis Hall Young Allen King Scott Baker Adams Hill "
    "Mitchell Turner Phillips Campbell Parker Edwards Collins Stewart Morris Murphy Cook Rogers"
).split()


def fill(target: int, rng: random.Random) -> None:
    have = Patient.objects.count()
    if have >= target:
        return
    author, _ = User.objects.get_or_create(username="benchmark")
    batch = []
    for n in range(have, target):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        plain = normalise_text(f"{first}.{last}").replace(" ", "").replace("'", "")
        batch.append(
            Patient(
                first_name=first,
                last_name=last,
                date_of_birth=date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65)),
                email=f"{plain}{n}@example.org",
                mobile=f"+447400{n:06d}",
                search_name=normalise_text(f"{first} {last}"),
                created_by=author,
            )
        )
        if len(batch) == 5000:
            Patient.objects.bulk_create(batch)
            batch = []
    Patient.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE patients_patient")


def time_search(query: str, runs: int) -> tuple[float, float, int]:
    def once() -> int:
        found = patient_search(query)
        list(found[:25])
        return found.count()

    once()  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        count = once()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    fill(args.patients, random.Random(7))
    sample = Patient.objects.order_by("id")[args.patients // 2]
    searches = [
        ("no search: first page of all", ""),
        ("part of a name", "mart"),
        ("first and part of last name", "zoe mart"),
        ("accented, upper case", "ZOË"),
        ("rare part of a name", "wisn"),
        ("mobile number", sample.mobile_display),
        ("email, start", sample.email[:12]),
        ("date of birth", sample.date_of_birth.strftime("%d/%m/%Y")),
        ("no match", "qqqq"),
    ]
    print(f"{Patient.objects.count():,} patients on {connection.vendor}, {args.runs} runs each\n")
    print("| search | query | matches | median ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, query in searches:
        median, p95, count = time_search(query, args.runs)
        print(f"| {label} | `{query}` | {count:,} | {median:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
