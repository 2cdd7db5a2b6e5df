"""Production settings: refuse to start half-configured, and pass Django's deploy check."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "clinic.example.org",
    "AUDIT_CHAIN_KEY": "a-long-random-audit-key-" + "y" * 40,
}
# Variables that would make the child inherit this test run's choices.
INHERITED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "AUDIT_CHAIN_KEY",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_TIMEOUT_SECONDS",
    "MESSAGE_CLAIM_TIMEOUT_SECONDS",
    "MESSAGE_DISPATCH_EVERY_SECONDS",
)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in INHERITED}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings_in_production(**overrides: str) -> dict[str, object]:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY']}))"
    )
    result = _run(
        ["-c", code], {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "clinic.settings", **overrides}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "command",
    [["manage.py", "check"], ["-c", "import clinic.wsgi"], ["-c", "import clinic.celery"]],
)
def test_production_without_a_secret_key_stops_with_one_line(command):
    env = {**PRODUCTION, "SECRET_KEY": ""}

    result = _run(command, env)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr


def test_production_without_allowed_hosts_stops_with_one_line():
    result = _run(["manage.py", "check"], {**PRODUCTION, "ALLOWED_HOSTS": ""})

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: ALLOWED_HOSTS is not set. "
        "List the host names the clinic is served under."
    )


def test_debug_is_off_unless_asked_for():
    result = _run(["-c", "import clinic.settings"], {"SECRET_KEY": "", "ALLOWED_HOSTS": ""})

    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on():
    values = _settings_in_production()

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert isinstance(values["SECURE_HSTS_SECONDS"], int)
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_the_environment_chooses_database_broker_and_email():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
        "s.CELERY_BROKER_URL, s.EMAIL_BACKEND, s.EMAIL_HOST, s.TIME_ZONE]))"
    )
    env = {
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": "postgres://clinic:pw@db.internal:5432/clinic",
        "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
        "EMAIL_URL": "smtp+tls://mailer:pw@smtp.internal:587",
        "TIME_ZONE": "America/New_York",
    }

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.db.backends.postgresql",
        "clinic",
        "redis://cache.internal:6379/1",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.internal",
        "America/New_York",
    ]


def test_postgresql_connections_compile_no_queries():
    """Short page queries whose estimates pass the JIT threshold were compiled at a cost
    of several times their run; the clinic's connections turn JIT off."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['OPTIONS'].get('options'))"
    )
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "clinic.settings",
           "DATABASE_URL": "postgres://clinic:pw@db.internal:5432/clinic"}  # fmt: skip

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off"


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        ("", {"server_side_binding": True, "prepare_threshold": 5}),
        ("true", {"server_side_binding": True, "prepare_threshold": 5}),
        # Behind a pooler that cannot keep prepared statements.
        ("false", {"server_side_binding": None, "prepare_threshold": None}),
    ],
)
def test_postgresql_connections_prepare_the_statements_they_repeat_unless_told_not_to(
    binding, expected
):
    """Django prepares nothing unless told to: the clinic's connections bind on the
    server and prepare what they run again and again, so PostgreSQL stops planning it."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "o = s.DATABASES['default']['OPTIONS']; "
        "print(json.dumps({k: o.get(k) for k in ('server_side_binding', 'prepare_threshold')}))"
    )
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "clinic.settings",
           "DATABASE_URL": "postgres://clinic:pw@db.internal:5432/clinic"}  # fmt: skip
    if binding:
        env["DATABASE_SERVER_SIDE_BINDING"] = binding

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_with_nothing_set_it_runs_embedded():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
        "s.EMAIL_BACKEND]))"
    )
    env = {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**{k: v for k, v in base.items() if k not in INHERITED}, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.filebased.EmailBackend",
    ]


def test_session_limits_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_IDLE_TIMEOUT.total_seconds(), s.SESSION_ABSOLUTE_LIFETIME.total_seconds())"
    )
    env = {
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "SESSION_IDLE_MINUTES": "5",
        "SESSION_MAX_HOURS": "8",
    }

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["300.0", "28800.0"]


def test_production_serves_pages_over_https_with_its_own_hashed_static_files(tmp_path):
    """The real production stack: DEBUG off, manifest storage, SSL redirect, HSTS."""
    env = {
        **PRODUCTION,
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
    }
    collected = _run(["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
    assert collected.returncode == 0, collected.stderr
    code = (
        "import json, django; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='clinic.example.org'); "
        "s = c.get('/accounts/login/', secure=True); p = c.get('/accounts/login/'); "
        "h = c.get('/healthz'); "
        "print(json.dumps({'https': s.status_code, 'html': s.content.decode(), "
        "'hsts': s.get('Strict-Transport-Security', ''), 'http': p.status_code, "
        "'redirect': p.get('Location', ''), 'healthz': h.status_code}))"
    )

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["https"] == 200
    assert "max-age=31536000" in page["hsts"]
    assert page["http"] == 301
    assert page["redirect"] == "https://clinic.example.org/accounts/login/"
    # Probes reach /healthz over plain HTTP; here it answers (503: no migrated database).
    assert page["healthz"] == 503
    # Static URLs carry content hashes, so browsers may cache them for good.
    assert re.search(
        r"/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css", page["html"]
    )
    assert re.search(r"/static/css/clinic\.[0-9a-f]{12}\.css", page["html"])


def test_dispatch_interval_and_email_timeout_come_from_the_environment():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_BEAT_SCHEDULE['dispatch-patient-messages']['schedule'], "
        "s.EMAIL_TIMEOUT, s.EMAIL_BACKEND]))"
    )
    env = {
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "EMAIL_URL": "smtp://127.0.0.1:8025",
        "MESSAGE_DISPATCH_EVERY_SECONDS": "2",
        "EMAIL_TIMEOUT_SECONDS": "7",
    }

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    # EMAIL_URL fills the other EMAIL_* settings; the timeout survives it.
    assert json.loads(result.stdout) == [2.0, 7, "django.core.mail.backends.smtp.EmailBackend"]


@pytest.mark.parametrize("email_url", [None, "smtp://127.0.0.1:8025"])
def test_dispatch_runs_every_minute_and_emails_time_out_after_30_seconds_by_default(email_url):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_BEAT_SCHEDULE['dispatch-patient-messages']['schedule'], "
        "s.EMAIL_TIMEOUT, s.MESSAGE_CLAIM_TIMEOUT.total_seconds()]))"
    )
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    if email_url:
        env["EMAIL_URL"] = email_url

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [60.0, 30, 300.0]


def test_an_email_timeout_that_could_outlast_the_claim_stops_the_check():
    env = {**PRODUCTION, "EMAIL_TIMEOUT_SECONDS": "20", "MESSAGE_CLAIM_TIMEOUT_SECONDS": "30"}

    result = _run(["manage.py", "check"], env)

    assert result.returncode == 1
    assert "(messaging.E002) EMAIL_TIMEOUT (20 s) is not below half" in result.stderr


def test_links_in_emails_follow_the_port_in_development(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL)"
    env = {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "clinic.settings"}

    assert _run(["-c", code], {**env, "PORT": "9000"}).stdout.strip() == "http://127.0.0.1:9000"
    assert _run(["-c", code], env).stdout.strip() == "http://127.0.0.1:8000"


def test_make_run_hands_every_process_the_web_servers_address():
    # honcho gives the worker a PORT of its own; the links it writes must still lead to
    # the web server.
    make = shutil.which("make")
    assert make is not None, "make is needed to read the Makefile's recipe"
    result = subprocess.run(
        [make, "-n", "run", "PORT=9000"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip

    honcho = next(line for line in result.stdout.splitlines() if "SITE_URL" in line)
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:9000}" in honcho


def test_production_without_an_audit_key_stops_with_one_line():
    result = _run(["manage.py", "check"], {**PRODUCTION, "AUDIT_CHAIN_KEY": ""})

    assert result.returncode == 1
    assert result.stderr.strip().startswith("Configuration error: AUDIT_CHAIN_KEY is not set.")


def test_a_short_audit_key_fails_the_deploy_check():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**PRODUCTION, "AUDIT_CHAIN_KEY": "short"},
    )

    assert result.returncode == 1
    assert "staff.W001" in result.stdout + result.stderr
