import pytest
from django.test import Client

from clinic.staff.roles import Role
from tests.factories import UserFactory


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
    client = Client()
    client.force_login(user)
    return client


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
