"""With Redis away, the cache misses and counters fail open: no error page anywhere."""

import pytest
from django.test import Client

from tests.outage import cache_away

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_away(settings):
    return cache_away(settings)


def test_it_misses_and_drops_writes_when_redis_is_away(redis_away):
    assert redis_away.get("anything", "fallback") == "fallback"
    redis_away.set("key", 1)
    assert redis_away.add("key", 1) is True
    assert redis_away.incr("counter") == 1
    assert redis_away.get_many(["a", "b"]) == {}


def test_sign_in_answers_when_redis_is_away(redis_away):
    response = Client().post(
        "/accounts/login/", {"login": "nobody@example.ca", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
