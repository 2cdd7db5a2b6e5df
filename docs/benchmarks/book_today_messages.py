"""Staff pages at clinic-chain scale under load, each beside a bare Django page that
renders the same rows.

Run from the repository root against a scratch PostgreSQL database, which
`seed_demo --patients` fills with made-up data (never point it at real data):

    apt-get install wrk
    createdb -h 127.0.0.1 -U postgres clinic_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic_bench \\
        .venv/bin/python docs/benchmarks/book_today_messages.py

(``--targets book today messages`` picks some; ``--skip-grow`` reuses a database grown
before, after migrating it; ``--cpu`` also prints, for each page, the CPU time a request
took in the site's gunicorn workers and in PostgreSQL, read from /proc around each wrk
run: on a machine this size the two share its cores, so requests a second follow their
sum.)

1. Grow the demo to ``--patients`` (nothing is added when it is that size already),
   then VACUUM ANALYZE, as autovacuum would have by then on a live database.
2. Start the clinic under gunicorn (2 workers, DEBUG off, static files collected once
   into var/bench-static/) and the bare site of docs/benchmarks/bare_site/ (sign-in and
   database sessions on the same database, nothing of ours) the same way. Both run with
   their clock set to 08:00 on the busiest location's busiest day still to come
   (clock_wsgi.py), so that Today has a full day of arrivals whatever day it is run.
3. Sign in to both as the demo's front desk; for each target, load the bare page and
   ours in turn with wrk (8 connections), ``--rounds`` times, and print requests a
   second, the median latency and the ratio of ours to the bare page's.
4. Print the size of the busiest day's book: the grid page and its data for that day,
   as the browser fetches them (static files, cached after the first visit, apart).

The targets:

- ``book``: the grid's data for the busiest day at one location (``/calendar/data/``),
  beside a bare page that answers the same appointment rows as JSON;
- ``today``: the front desk's Today for that location (``/``), beside a bare page that
  draws the same arrivals, the first 40 still to come or checked in;
- ``messages``: the newest page of the outbox, beside the same 50 messages.

A target is a page of ours and its bare twin. To add one, add a view to bare_site/urls.py
that reads the same rows with plain SQL, and an entry to TARGETS below; ``Facts`` holds
what the addresses may need.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


@dataclass(frozen=True)
class Facts:
    """What the targets' addresses may need, read from the grown database."""

    busiest_location: int
    busiest_day: str  # YYYY-MM-DD, at that location
    busiest_upcoming_day: str  # the most appointments still to come there, for Today

    @property
    def day_after(self) -> str:
        return (date.fromisoformat(self.busiest_day) + timedelta(days=1)).isoformat()


@dataclass(frozen=True)
class Target:
    name: str
    ours: Callable[[Facts], str]
    bare: Callable[[Facts], str]
    goal: float  # the least ratio of ours to the bare page's requests a second


TARGETS = {
    "book": Target(
        "book",
        lambda f: (
            f"/calendar/data/?location={f.busiest_location}&start={f.busiest_day}"
            f"&end={f.day_after}&by=practitioner"
        ),
        lambda f: f"/calendar/data/?location={f.busiest_location}&start={f.busiest_day}",
        0.8,
    ),
    "today": Target(
        "today",
        lambda f: f"/?location={f.busiest_location}",
        lambda f: f"/?location={f.busiest_location}",
        0.8,
    ),
    "messages": Target("messages", lambda f: "/messages/", lambda f: "/messages/", 0.5),
}
PAGE_LIMIT_KB = 200  # the busiest day's grid page with its data


def read_facts(database_url: str) -> tuple[Facts, datetime]:
    """The busiest location and day, and the clock both sites run on (08:00 there on
    the day with the most appointments still to come)."""
    import psycopg

    with psycopg.connect(database_url) as db:
        row = db.execute(
            "SELECT a.location_id, (a.starts_at AT TIME ZONE l.time_zone)::date AS day"
            " FROM scheduling_appointment a JOIN scheduling_location l ON l.id = a.location_id"
            " GROUP BY 1, 2 ORDER BY count(*) DESC, 2 DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise SystemExit("The database has no appointments: was the demo grown?")
        upcoming = db.execute(
            "SELECT (a.starts_at AT TIME ZONE l.time_zone)::date AS day"
            " FROM scheduling_appointment a JOIN scheduling_location l ON l.id = a.location_id"
            " WHERE a.location_id = %s AND a.starts_at > now()"
            " AND a.status IN ('booked', 'confirmed')"
            " GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
            [row[0]],
        ).fetchone()
        zone = ZoneInfo(
            db.execute(
                "SELECT time_zone FROM scheduling_location WHERE id = %s", [row[0]]
            ).fetchone()[0]  # type: ignore[index]
        )
    if upcoming is None:
        raise SystemExit("The busiest location has nothing still to come: grow the demo again.")
    return Facts(
        busiest_location=row[0],
        busiest_day=row[1].isoformat(),
        busiest_upcoming_day=upcoming[0].isoformat(),
    ), datetime.combine(upcoming[0], dtime(8), tzinfo=zone)


def load_average() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def migrate(database_url: str) -> None:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, env=env, cwd=ROOT
    )


def grow(database_url: str, patients: int) -> None:
    import psycopg

    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": database_url}
    manage = [PYTHON, str(ROOT / "manage.py")]
    migrate(database_url)
    started = time.monotonic()
    subprocess.run(
        [*manage, "seed_demo", "--patients", str(patients), "-v0"], check=True, env=env, cwd=ROOT
    )
    print(f"demo grown to {patients} patients in {time.monotonic() - started:.0f} s")
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def production_env(database_url: str, static_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # The run's audit entries are sealed under a key of its own (a scratch database).
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        # Two workers share one cache, as a deployment with several processes must.
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/5"),
    }


def collect_static(env: dict[str, str], static_root: Path) -> None:
    if (static_root / "staticfiles.json").exists():
        return
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        check=True, env=env, cwd=ROOT,
    )  # fmt: skip


# Each site's gunicorn, by base address: the process group its master and workers are in.
SITE_GROUPS: dict[str, int] = {}


@contextmanager
def gunicorn(app: str, port: int, env: dict[str, str], cwd: Path) -> Iterator[str]:
    """A gunicorn with 2 workers running the WSGI module ``app`` on the clock of
    clock_wsgi.py, stopped on the way out; yields its base address."""
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "clock_wsgi:application", "--pythonpath", str(HERE),
         "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env={**env, "BENCH_APP": app}, cwd=cwd, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    SITE_GROUPS[base] = process.pid  # its own session: the workers are in its group
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers, if only with a redirect to sign in or a 404
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{app} did not start on port {port}")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _cookies(headers: Message) -> SimpleCookie:
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return jar


def sign_in(base: str, login_path: str, username: str, password: str) -> str:
    """Sign in through the site's own form; returns the session cookie's value."""
    opener = urllib.request.build_opener(_NoRedirect)
    page = opener.open(base + login_path, timeout=10)
    cookies = _cookies(page.headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    if token is None or "csrftoken" not in cookies:
        raise SystemExit(f"No sign-in form at {base}{login_path}")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
         "password": password}
    ).encode()  # fmt: skip
    request = urllib.request.Request(base + login_path, data=form, method="POST")
    request.add_header("Cookie", f"csrftoken={cookies['csrftoken'].value}")
    request.add_header("Referer", base + login_path)
    try:
        answer = opener.open(request, timeout=10)
    except urllib.error.HTTPError as redirect:  # a signed-in user is sent on: 302
        answer = redirect
    session = _cookies(answer.headers).get("sessionid")
    if session is None:
        raise SystemExit(f"Signing in at {base}{login_path} failed ({answer.status})")
    return session.value


def check_page(url: str, session: str) -> int:
    """The page answers 200 to the signed-in user (not a redirect); returns its size."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url} answered {exc.code}") from None
    return len(response.read())


@dataclass(frozen=True)
class Load:
    per_second: float
    p50_ms: float


def wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is needed: apt-get install wrk (or put it on PATH).")
    return found


def load(url: str, session: str, *, seconds: int, connections: int) -> Load:
    out = subprocess.run(
        [wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
         "-H", f"Cookie: sessionid={session}", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    if rate is None or p50 is None:
        raise SystemExit(f"Could not read wrk's output:\n{out}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    return Load(per_second=float(rate.group(1)), p50_ms=float(p50.group(1)) * scale)


def cpu_seconds() -> dict[int, tuple[int, str, float]]:
    """Every process's group, name and CPU seconds (user and system) so far, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[2]), name, (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_a_request(
    before: dict[int, tuple[int, str, float]],
    after: dict[int, tuple[int, str, float]],
    group: int,
    requests: float,
) -> tuple[float, float]:
    """CPU milliseconds a request in the site's gunicorn (``group``) and in PostgreSQL,
    between two readings of ``cpu_seconds``."""
    site = database = 0.0
    for pid, (pgid, name, seconds) in after.items():
        used = seconds - before.get(pid, (0, "", 0.0))[2]
        if pgid == group:
            site += used
        elif name.startswith("postgres"):
            database += used
    return site * 1000 / requests, database * 1000 / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", choices=sorted(TARGETS), default=sorted(TARGETS))
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument(
        "--skip-grow", action="store_true", help="migrate only; the demo was grown before"
    )
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8701, help="ours; the bare site uses +1")
    parser.add_argument(
        "--cpu", action="store_true", help="also the CPU a request in gunicorn and PostgreSQL"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a scratch PostgreSQL database.")
    wrk()
    if not (BIN / "gunicorn").exists():
        raise SystemExit(f"gunicorn is needed in {BIN} (pip install gunicorn).")

    if args.skip_grow:
        migrate(database_url)
    else:
        grow(database_url, args.patients)
    facts, clock = read_facts(database_url)
    static_root = ROOT / "var" / "bench-static"
    ours_env = production_env(database_url, static_root) | {"BENCH_NOW": clock.isoformat()}
    collect_static(ours_env, static_root)
    bare_env = {**ours_env, "DJANGO_SETTINGS_MODULE": "bare_site.settings"}
    bare_env.pop("DEBUG")

    with (
        gunicorn("clinic.wsgi", args.port, ours_env, ROOT) as ours,
        gunicorn("bare_site.wsgi", args.port + 1, bare_env, HERE) as bare,
    ):
        sessions = {
            ours: sign_in(ours, "/accounts/login/", "frontdesk", "demo"),
            bare: sign_in(bare, "/login/", "frontdesk", "demo"),
        }
        print(
            f"busiest day {facts.busiest_day} at location {facts.busiest_location}; "
            f"clock {clock:%Y-%m-%d %H:%M %Z} for Today; wrk: {args.connections} "
            f"connections, {args.seconds} s a run, {args.rounds} rounds; gunicorn: 2 workers "
            f"each; load average {load_average()}\n"
        )
        shell = f"/calendar/?location={facts.busiest_location}&date={facts.busiest_day}"
        grid_kb = check_page(ours + shell, sessions[ours]) / 1024
        data_kb = check_page(ours + TARGETS["book"].ours(facts), sessions[ours]) / 1024
        verdict = "within" if grid_kb + data_kb <= PAGE_LIMIT_KB else "over"
        print(
            f"The busiest day's book: page {grid_kb:.0f} KB + data {data_kb:.0f} KB = "
            f"{grid_kb + data_kb:.0f} KB ({verdict} {PAGE_LIMIT_KB} KB; static files apart)\n"
        )
        cpu_lines: list[str] = []
        print("| page | bare req/s | ours req/s | bare p50 ms | ours p50 ms | KB | ratio | goal |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name in args.targets:
            target = TARGETS[name]
            urls = {ours: ours + target.ours(facts), bare: bare + target.bare(facts)}
            size = check_page(urls[ours], sessions[ours])
            check_page(urls[bare], sessions[bare])
            runs: dict[str, list[Load]] = {ours: [], bare: []}
            spent: dict[str, list[tuple[float, float]]] = {ours: [], bare: []}
            for _ in range(args.rounds):
                for side in (bare, ours):
                    before = cpu_seconds() if args.cpu else {}
                    runs[side].append(
                        load(urls[side], sessions[side], seconds=args.seconds,
                             connections=args.connections)
                    )  # fmt: skip
                    if args.cpu:
                        requests = runs[side][-1].per_second * args.seconds
                        spent[side].append(
                            cpu_a_request(before, cpu_seconds(), SITE_GROUPS[side], requests)
                        )
            rate = {side: statistics.median(r.per_second for r in runs[side]) for side in runs}
            p50 = {side: statistics.median(r.p50_ms for r in runs[side]) for side in runs}
            ratio = rate[ours] / rate[bare]
            print(
                f"| {target.ours(facts)} | {rate[bare]:.0f} | {rate[ours]:.0f} | "
                f"{p50[bare]:.0f} | {p50[ours]:.0f} | {size / 1024:.0f} | {ratio:.2f}x | "
                f"{target.goal:.1f}x{'' if ratio >= target.goal else ' (missed)'} |"
            )
            if args.cpu:
                cpu_lines.append(
                    f"| {name} | "
                    + " | ".join(
                        f"{statistics.median(x[i] for x in spent[side]):.1f}"
                        for side in (bare, ours)
                        for i in (0, 1)
                    )
                    + " |"
                )
        if cpu_lines:
            print(
                "\nCPU ms a request (median of the rounds):\n\n"
                "| page | bare gunicorn | bare PostgreSQL | ours gunicorn | ours PostgreSQL |\n"
                "| --- | ---: | ---: | ---: | ---: |"
            )
            print("\n".join(cpu_lines))
        print(f"\nload average at the end: {load_average()}")


if __name__ == "__main__":
    main()
