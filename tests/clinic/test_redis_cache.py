"""The Redis cache backend that makes its client once (clinic/redis_cache.py)."""

import json
import secrets

import pytest
from django.conf import settings

from clinic.redis_cache import OneClientRedisCache
from tests.clinic.test_settings import PRODUCTION, _run


def test_a_redis_cache_url_is_served_by_the_backend_that_makes_its_client_once():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "import json; print(json.dumps([s.CACHES['default']['BACKEND'], s.SHARED_CACHE]))"
    )
    env = {
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "CACHE_URL": "redis://cache.internal:6379/1",
    }

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["clinic.redis_cache.OneClientRedisCache", True]


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"),
    reason="needs a Redis server: the PostgreSQL + Redis run has one (CELERY_BROKER_URL)",
)
def test_the_backend_keeps_and_forgets_values_through_one_client():
    cache = OneClientRedisCache(
        settings.CELERY_BROKER_URL, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"}
    )
    try:
        cache.set("roles", {"frontdesk": ["front_desk"]}, 30)
        cache.set("count", 3, 30)

        assert cache.get("roles") == {"frontdesk": ["front_desk"]}
        assert cache.get_many(["roles", "count", "absent"]) == {
            "roles": {"frontdesk": ["front_desk"]},
            "count": 3,
        }
        assert cache.add("count", 4, 30) is False
        assert cache.incr("count") == 4
        cache.delete("roles")
        assert cache.get("roles") is None
        # Every call went through the same client, made at the first.
        client = cache._cache.get_client(write=True)
        assert cache._cache.get_client(write=True) is client
        assert cache._cache.get_client() is client  # one server: reads use its pool too
    finally:
        cache.delete_many(["roles", "count"])
        cache.close()
