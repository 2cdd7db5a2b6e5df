"""Where the CPU time of the benchmarked pages goes, in one process.

Runs ``-n`` requests of each page through Django's test client, signed in as the demo's
front desk the way book_today_messages.py signs in (its own sign-in form), with the
settings that script gives the clinic (DEBUG off, an audit chain key of the run's own,
the shared Redis cache) and the same clock (08:00 on the busiest location's busiest
day still to come). Prints the CPU milliseconds a request for each page, and with
``--profile`` the top entries by cumulative and own time under cProfile:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python docs/benchmarks/profile_pages.py -n 20 --profile

The pages: the book's data for the busiest day (``book``), the front desk's Today for
that location (``today``), the outbox (``messages``), and ``empty``: a signed-in page of
ours that draws the base template around nothing, which is what every page pays for the
middleware, the context processors and the menu. ``--site bare`` measures the bare
site's twins of the first three (docs/benchmarks/bare_site/) in the same way, and
``--save DIR`` writes each page's answer there, to compare before and after a change
(only the CSRF tokens differ). Point it at a scratch database grown by
book_today_messages.py, never at real data.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]

from book_today_messages import TARGETS, read_facts


def configure(site: str, database_url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/5"),
        }
    )
    os.environ.pop("DEBUG", None)  # off, as in production
    os.environ["DJANGO_SETTINGS_MODULE"] = (
        "bare_site.settings" if site == "bare" else "clinic.settings"
    )


def add_empty_page() -> str:
    """A signed-in page of ours with nothing in it but the base template."""
    from django.contrib.auth.decorators import login_required
    from django.shortcuts import render
    from django.urls import clear_url_caches, path

    import clinic.urls

    @login_required
    def empty(request):  # type: ignore[no-untyped-def]
        return render(request, "base.html", {})

    clinic.urls.urlpatterns.append(path("profile-empty/", empty))
    clear_url_caches()
    return "/profile-empty/"


def print_query_times(client, url: str, n: int) -> None:  # type: ignore[no-untyped-def]
    """Each query a request of ``url`` makes, in order, with its median wall time over
    ``n`` requests: where a page waits on the database rather than on Python."""
    from django.db import connection

    times: list[list[float]] = []
    sqls: list[str] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            times[-1].append((time.perf_counter() - started) * 1000)
            if len(times) == 1:
                sqls.append(sql)

    with connection.execute_wrapper(timed):
        for _ in range(n):
            times.append([])
            client.get(url)
    per_query = list(zip(*times, strict=False))
    for index, sql in enumerate(sqls):
        median = statistics.median(per_query[index]) if index < len(per_query) else 0.0
        print(f"          {median:6.1f} ms  {' '.join(sql.split())[:150]}")
    total = statistics.median(sum(request) for request in times)
    print(f"          {total:6.1f} ms in {len(sqls)} queries (median a request)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", choices=["ours", "bare"], default="ours")
    parser.add_argument("--pages", nargs="+", default=["empty", "book", "today", "messages"])
    parser.add_argument("-n", type=int, default=20, help="requests a page (after 3 to warm)")
    parser.add_argument("--rounds", type=int, default=3, help="timings a page, median shown")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top entries")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--queries", action="store_true", help="print each query's median wall time"
    )
    parser.add_argument(
        "--save", type=Path, help="write each page's answer to this folder, to compare"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to the scratch PostgreSQL database of the benchmark.")
    facts, clock = read_facts(database_url)
    configure(args.site, database_url)

    if args.site == "ours" and not (ROOT / "var" / "bench-static" / "staticfiles.json").exists():
        raise SystemExit("Collect the static files first (book_today_messages.py does).")
    import time_machine

    time_machine.travel(clock, tick=True).start()

    import django

    django.setup()
    from django.test import Client

    pages: dict[str, str] = {}
    if args.site == "ours":
        if "empty" in args.pages:
            pages["empty"] = add_empty_page()
        login = "/accounts/login/"
    else:
        login = "/login/"
    for name in args.pages:
        if name in TARGETS:
            target = TARGETS[name]
            pages[name] = (target.ours if args.site == "ours" else target.bare)(facts)

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(login)
    answer = client.post(login, {"username": "frontdesk", "password": "demo"})
    if answer.status_code != 302:
        raise SystemExit(f"Signing in failed ({answer.status_code})")

    print(f"{args.site}: {args.n} requests a page, {args.rounds} rounds; "
          f"load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}")  # fmt: skip
    for name, url in pages.items():
        for _ in range(3):
            answer = client.get(url)
            if answer.status_code != 200:
                raise SystemExit(f"{url} answered {answer.status_code}")
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{args.site}-{name}.out").write_bytes(answer.content)
        timings = []
        for _ in range(args.rounds):
            started = time.process_time()
            for _ in range(args.n):
                client.get(url)
            timings.append((time.process_time() - started) * 1000 / args.n)
        print(
            f"{name:9} {url}\n          CPU ms a request: median {statistics.median(timings):.1f}"
            f" (rounds: {', '.join(f'{t:.1f}' for t in timings)})"
        )
        if args.queries:
            print_query_times(client, url, args.n)
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU time, not waiting
            profiler.enable()
            for _ in range(args.n):
                client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
