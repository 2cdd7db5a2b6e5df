"""Playwright on the system Chromium (the Playwright browser download is not used).

Outside CI a machine without Chromium skips these tests with the reason; in CI (CI=true)
a missing Chromium fails them, so a green run always means the browser journeys ran.
"""

import importlib
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.signals import request_finished, request_started

from clinic.staff.role_grants import grant_role_permissions

# The data migrations that grant role permissions; each has a ROLE_PERMISSIONS table.
ROLE_MIGRATIONS = [
    "clinic.staff.migrations.0002_role_groups",
    "patients.migrations.0003_role_permissions",
    "treatments.migrations.0002_role_permissions",
    "treatments.migrations.0007_consent_permissions",
    "clinic.scheduling.migrations.0003_role_permissions",
    "treatments.migrations.0012_catalog_and_plan_permissions",
    "clinic.messaging.migrations.0002_role_permissions",
    "treatments.migrations.0014_aftercare_default_and_permissions",
    "clinic.scheduling.migrations.0004_manager_admin_permissions",
    "treatments.migrations.0015_manager_admin_permissions",
    "clinic.messaging.migrations.0003_manager_admin_permissions",
    "clinic.staff.migrations.0004_managers_use_the_admin",
    "treatments.migrations.0016_skin_thickness_and_lot_recall",
]

# live_server runs Django in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = _chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's chromium package or set CHROMIUM_PATH"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture
def screenshot(page):
    """Save one screenshot for a journey under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console_errors(page):
    """Errors the page logs (a Content Security Policy violation shows up here)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """Browser tests run on a flushed database; put back the groups the migration made."""
    for module in ROLE_MIGRATIONS:
        grant_role_permissions(apps, importlib.import_module(module).ROLE_PERMISSIONS)


@pytest.fixture(autouse=True)
def _server_quiet_before_flush(request):
    """Let the live server finish its requests before the database is flushed.

    Teardown closes the browser first, but a request it sent last (an htmx swap, the
    keep-alive) may still be running in the server's thread; on the embedded SQLite its
    open transaction would lock a table and make the flush fail.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    running = 0
    lock = threading.Lock()

    def started(**kwargs):
        nonlocal running
        with lock:
            running += 1

    def finished(**kwargs):
        nonlocal running
        with lock:
            running -= 1

    request_started.connect(started, weak=False, dispatch_uid="browser-requests-started")
    request_finished.connect(finished, weak=False, dispatch_uid="browser-requests-finished")
    # Set up before the page and torn down after it is closed: no new request can start.
    yield
    deadline = time.monotonic() + 15
    while running > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    request_started.disconnect(dispatch_uid="browser-requests-started")
    request_finished.disconnect(dispatch_uid="browser-requests-finished")
