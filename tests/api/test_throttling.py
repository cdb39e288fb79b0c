"""The API's rate limits as fixed windows (cstportal/api/throttling.py), counted in the Redis that production uses
(one round trip a request) and in Django's local-memory cache; the kept anonymous answers served before DRF's
dispatch are counted like any other request."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from cstportal import anon_cache
from cstportal.cache import reset_circuit_breakers
from tests.api.conftest import client_for
from tests.reliability.production import production_caches

LIST = "/api/v1/solutions/"
DETAIL = "/api/v1/solutions/tributi/"


def _rates(settings, anon: str, user: str) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user}}


@pytest.fixture
def redis_cache(redis_server, settings):
    """The cache settings.py builds for CACHE_URL, on a private Redis."""
    reset_circuit_breakers()
    settings.CACHES = production_caches(redis_server)
    anon_cache.clear_local()
    yield redis_server
    anon_cache.clear_local()
    reset_circuit_breakers()


@pytest.mark.redis
def test_a_redis_counter_opens_its_window_with_the_first_hit_and_closes_it_after_the_period(redis_cache):
    assert cache.count_hit("window", 2)[0] == 1
    hits, left = cache.count_hit("window", 2)
    assert hits == 2 and 0 < left <= 2
    time.sleep(2.1)
    assert cache.count_hit("window", 2)[0] == 1  # a new window


@pytest.mark.redis
def test_a_redis_counter_without_an_expiry_gets_one(redis_cache):
    """A key made again by INCR after its expiry (between two commands of another kind of counter) must not count
    for ever."""
    raw = cache._cache.get_client(write=True)
    raw.set(cache.make_key("stuck"), 5)
    hits, left = cache.count_hit("stuck", 60)
    assert hits == 6 and 59 <= left <= 60
    assert 0 < raw.ttl(cache.make_key("stuck")) <= 60


@pytest.mark.redis
@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_the_anonymous_limit_holds_in_redis_with_retry_after(redis_cache, settings, catalogue, url):
    _rates(settings, "3/minute", "100/minute")
    client = Client()
    for _ in range(3):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Client(REMOTE_ADDR="192.0.2.9").get(url).status_code == 200  # another address, its own window


@pytest.mark.django_db
def test_anonymous_requests_are_not_counted_against_the_user_limit(api, settings):
    _rates(settings, "5/minute", "1/minute")
    for _ in range(5):
        assert api.get("/api/v1/municipalities/").status_code == 200
    assert not [key for key in cache._cache if "throttle:user" in key]


def test_people_are_not_counted_against_the_anonymous_limit(catalogue, referent_fano, settings):
    _rates(settings, "1/minute", "5/minute")
    fano = client_for(referent_fano)
    for _ in range(5):
        assert fano.get("/api/v1/adoptions/").status_code == 200
    assert fano.get("/api/v1/adoptions/").status_code == 429


@pytest.fixture
def kept_answers(settings):
    """ETags from the catalogue's version and anonymous answers kept, as with a shared cache."""
    settings.API_ETAG_FROM_VERSION = True
    settings.API_CACHE_SECONDS = 60
    anon_cache.clear_local()
    yield settings
    anon_cache.clear_local()


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_kept_answers_and_their_304_count_against_the_anonymous_limit(api, catalogue, kept_answers, url):
    _rates(kept_answers, "4/minute", "100/minute")
    tag = api.get(url)["ETag"]  # DRF's answer, kept
    assert api.get(url).status_code == 200
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    assert api.get(url).status_code == 200
    refused = api.get(url)
    assert refused.status_code == 429 and refused.json()["errors"][0]["code"] == "throttled"
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 429
