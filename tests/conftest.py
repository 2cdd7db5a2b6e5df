from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from clinic.staff.roles import Role
from tests.factories import UserFactory
from tests.signing_in import sign_in


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests on a file of the run's own, not in memory: Django hands an in-memory
    database's one connection to every thread of the browser tests' server, so two
    requests at once would share a transaction. On a file each has its own, as in use."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture
def front_desk(db):
    return UserFactory(username="desk", first_name="Rosa", roles=[Role.FRONT_DESK])


@pytest.fixture
def practitioner(db):
    return UserFactory(username="prac", first_name="Amara", roles=[Role.PRACTITIONER])


@pytest.fixture
def manager(db):
    return UserFactory(username="boss", first_name="Helen", roles=[Role.CLINIC_MANAGER])


@pytest.fixture
def outsider(db):
    """A signed-in account with no role: it must reach nothing."""
    return UserFactory(username="nobody", first_name="Nora")


def _client_for(user) -> Client:
    return sign_in(Client(), user)


@pytest.fixture
def front_desk_client(front_desk) -> Client:
    return _client_for(front_desk)


@pytest.fixture
def practitioner_client(practitioner) -> Client:
    return _client_for(practitioner)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


@pytest.fixture
def outsider_client(outsider) -> Client:
    return _client_for(outsider)


@pytest.fixture
def role_clients(front_desk_client, practitioner_client, manager_client, outsider_client):
    return {
        "front_desk": front_desk_client,
        "practitioner": practitioner_client,
        "manager": manager_client,
        "outsider": outsider_client,
        "anonymous": Client(),
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow by design; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The patient pages' throttle counts in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shared_cache(settings):
    """The cache as several web processes share it (SHARED_CACHE): what many requests read
    is kept between them (clinic/shared_cache.py). The test's memory cache, emptied before
    each test, stands in for it."""
    settings.SHARED_CACHE = True


BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def _database_order(item: pytest.Item) -> int:
    """Django's order: database tests, then those that flush the database, then the rest."""
    marker = item.get_closest_marker("django_db")
    names = item.fixturenames  # type: ignore[attr-defined]
    if (
        "transactional_db" in names
        or "live_server" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        return 1
    if "db" in names or marker is not None:
        return 0
    return 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every test that flushes the database after the tests that need shipped data.

    pytest regroups tests by session-wide parameters (the browser's name) after
    pytest-django has sorted them, which can put a flushing browser test in the middle.
    A test outside tests/browser that takes a Playwright fixture (a parameter named
    ``page``, say) would join that group, so it is refused outright.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        browser = callspec is not None and "browser_name" in callspec.params
        if browser and BROWSER_TESTS not in Path(str(item.path)).parents:
            raise pytest.UsageError(
                f"{item.nodeid} takes a Playwright fixture outside tests/browser/; "
                "rename the parameter or move the test."
            )
    items.sort(key=_database_order)
