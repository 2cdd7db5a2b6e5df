"""Free times for one practitioner over 30 days at clinic-chain size, database included.

Run from the repository root against a scratch database that `seed_demo --patients`
has filled with made-up data (never point it at real data):

    createdb -h 127.0.0.1 -U postgres clinic_bench
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python manage.py seed_demo --patients 10000
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python docs/benchmarks/free_times.py

It takes the location with the most rooms and, there, the practitioner with the most
appointments in the next 30 days, then times both ways of asking for their free times
from today: every room's bookings read (``free_slots_for``), and rooms read only as far
as needed (``free_slots_in_any_room``, what a plan uses). A warm-up, then 30 runs each;
the table is printed as Markdown.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django

django.setup()

from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.scheduling.models import Appointment, AppointmentType, Location
from clinic.scheduling.selectors import free_slots_for, free_slots_in_any_room

RUNS = 30


def _time(label: str, ask: Callable[[], list[Any]]) -> None:
    ask()  # warm-up
    with CaptureQueriesContext(connection) as queries:
        slots = ask()
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        ask()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    median, p95 = statistics.median(timings), timings[int(RUNS * 0.95) - 1]
    print(f"| {label} | {len(slots)} | {len(queries)} | {median:.1f} | {p95:.1f} |")


def main() -> None:
    location = Location.objects.annotate(
        room_count=Count("rooms", filter=Q(rooms__is_active=True))
    ).latest("room_count")
    now = timezone.now()
    today = timezone.localdate(timezone=location.zone)
    busiest = (
        Appointment.objects.filter(
            location=location, starts_at__gte=now, starts_at__lt=now + timedelta(days=30)
        )
        .values("practitioner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    practitioner_id = busiest["practitioner_id"] if busiest else None
    kind = AppointmentType.objects.filter(is_active=True, kind="treatment").first()
    if practitioner_id is None or kind is None:
        sys.exit("Nothing booked ahead: run seed_demo --patients first.")
    fields: dict[str, Any] = {
        "location": location,
        "appointment_type": kind,
        "first_day": today,
        "last_day": today + timedelta(days=29),
        "practitioner_ids": [practitioner_id],
        "not_before": now,
    }
    rooms = location.room_count
    booked = Appointment.objects.filter(location=location, starts_at__gte=now).count()
    print(f"{location.name}: {rooms} rooms, {booked} appointments to come; 30 days, "
          f"1 practitioner, {RUNS} runs each ({connection.vendor})\n")  # fmt: skip
    print("| rooms read | free slots | queries | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    _time("every room (`free_slots_for`)", lambda: free_slots_for(**fields))
    _time("as needed (`free_slots_in_any_room`)", lambda: free_slots_in_any_room(**fields))


if __name__ == "__main__":
    main()
