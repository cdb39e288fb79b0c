"""The API's rate limits as fixed windows (cstportal/api/throttling.py), counted in the Redis that production uses
(in leases: one round trip for several requests of a client) and in Django's local-memory cache (one count a
request); the kept anonymous answers served before DRF's dispatch are counted like any other request."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.test import Client

from cstportal import anon_cache
from cstportal.api.throttling import forget_leases, lease_size
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


def test_a_lease_is_a_tenth_of_the_quota_between_one_and_ten_requests():
    assert [lease_size(n) for n in (1, 3, 9, 10, 30, 60, 99, 600, 100_000)] == [1, 1, 1, 1, 3, 6, 9, 10, 10]


def _counted(key: str) -> int | None:
    raw = cache._cache.get_client(write=True)
    value = raw.get(cache.make_key(f"throttle:anon:{key}"))
    return None if value is None else int(value)


@pytest.mark.redis
def test_one_process_answers_exactly_the_quota_counting_once_a_lease(redis_cache, settings, catalogue):
    """30 a minute: leases of 3. The counter moves by a lease at its first request and not at the next two; the
    31st request is refused, as with one round trip a request."""
    _rates(settings, "30/minute", "100/minute")
    client = Client(REMOTE_ADDR="192.0.2.10")
    seen = []
    for _ in range(30):
        assert client.get(LIST).status_code == 200
        seen.append(_counted("192.0.2.10"))
    assert seen[:7] == [3, 3, 3, 6, 6, 6, 9]  # one round trip every third request
    assert seen[-1] == 30
    refused = client.get(LIST)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60


@pytest.mark.redis
def test_a_client_spread_over_processes_is_never_answered_more_than_the_quota(redis_cache, settings, catalogue):
    """Another process (its leases forgotten, as a process that never saw them) counts from the same window: the
    lease the first took and did not use is lost to the client, never added to it."""
    _rates(settings, "30/minute", "100/minute")
    client = Client(REMOTE_ADDR="192.0.2.11")
    assert client.get(LIST).status_code == 200  # the first process: a lease of 3, one used
    forget_leases()  # the same client's next requests reach another process
    answered = 1
    while client.get(LIST).status_code == 200:
        answered += 1
        assert answered <= 30
    assert answered == 30 - (lease_size(30) - 1)
    forget_leases()
    assert client.get(LIST).status_code == 429  # a third process: nothing left in the window either


@pytest.mark.redis
def test_a_lease_ends_with_its_window(redis_cache, settings, catalogue):
    """20 a second: leases of 2. After the window, the lease's unused request is not served from memory: the next
    request opens a new window in Redis."""
    _rates(settings, "20/second", "100/minute")
    client = Client(REMOTE_ADDR="192.0.2.12")
    assert client.get(LIST).status_code == 200
    assert _counted("192.0.2.12") == 2
    time.sleep(1.2)
    assert _counted("192.0.2.12") is None  # the window is over in Redis
    assert client.get(LIST).status_code == 200
    assert _counted("192.0.2.12") == 2  # counted: a new window and a new lease


def test_two_leases_a_process_took_for_one_client_add_up():
    """Two threads that both found no lease each took one from Redis (both counted there): the process keeps the
    requests of both, until the earlier end."""
    import time as clock

    from cstportal.api import throttling

    key = ("throttle:anon:192.0.2.13", "60/minute")
    now = clock.monotonic()
    throttling._keep_lease(key, now + 30, 2)
    throttling._keep_lease(key, now + 31, 3)
    assert [throttling._take_leased(key) for _ in range(6)] == [True] * 5 + [False]
    throttling._keep_lease(key, now - 1, 4)  # a lease whose window is over is not kept
    assert not throttling._take_leased(key)
