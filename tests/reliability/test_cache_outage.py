"""The cache as production configures it (settings.py with CACHE_URL on a private Redis), while Redis is frozen
(SIGSTOP: connections open, nothing answers) or stopped: requests answer as with an empty cache and wait at most one
socket timeout in all; the cache is used again once Redis is back, without values left stale by the outage.

The same against a real gunicorn server: test_redis_outage_live.py.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core.cache import cache, caches
from django.test import Client

from catalog.adoptions.services import request_adoption
from catalog.models import Adoption
from cstportal import anon_cache
from cstportal.cache import reset_circuit_breakers
from tests.factories import SolutionFactory

from .production import production_caches

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

SOCKET_TIMEOUT = 0.5  # settings.py: the cache's socket_timeout


@pytest.fixture
def production_cache(redis_server, settings):
    """This test's cache is the one settings.py builds for CACHE_URL on the private Redis."""
    reset_circuit_breakers()
    settings.CACHES = production_caches(redis_server)
    anon_cache.clear_local()
    yield redis_server
    anon_cache.clear_local()
    reset_circuit_breakers()


@pytest.fixture
def cache_failures(production_cache, monkeypatch):
    """Every error the cache's breaker records (a timeout or a refused connection), in order: how many times a
    request waited for Redis, counted rather than timed so that a loaded machine cannot change the verdict."""
    breaker = caches["default"].breaker
    failures: list[str] = []
    real_failed = breaker.failed

    def counted(error: BaseException) -> None:
        failures.append(error.__class__.__name__)
        real_failed(error)

    monkeypatch.setattr(breaker, "failed", counted)
    return failures


@pytest.fixture
def clock(production_cache, monkeypatch):
    """The breaker's clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(cache.breaker, "clock", lambda: now[0])
    return now


def _take_down(redis_server, outage: str) -> None:
    if outage == "frozen":
        redis_server.freeze()
    else:
        redis_server.stop()


def _timed(call) -> tuple[object, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


@pytest.mark.parametrize("outage", ["frozen", "stopped"])
def test_with_redis_down_anonymous_api_reads_answer_after_one_socket_timeout_at_most(
    production_cache, cache_failures, outage
):
    solution = SolutionFactory()
    client = Client()
    assert client.get("/api/v1/solutions/").status_code == 200  # throttles counted in Redis
    _take_down(production_cache, outage)

    paths = ["/api/v1/solutions/", f"/api/v1/solutions/{solution.slug}/", "/api/v1/municipalities/"] * 3
    cache_failures.clear()
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    # One timeout (the first cache call) and then nothing: the other calls do not reach Redis.
    assert len(cache_failures) == 1, cache_failures


@pytest.mark.parametrize("outage", ["frozen", "stopped"])
def test_with_redis_down_an_html_workflow_action_and_the_pages_wait_one_socket_timeout_at_most(
    production_cache, cache_failures, settings, outage, publisher_pesaro, referent_fano, analyst, fano
):
    settings.ANON_CACHE_SECONDS = 300  # the page cache as in production
    adoption = request_adoption(solution=SolutionFactory(), body=fano, by=referent_fano)
    reviewer, visitor, dashboards = Client(), Client(), Client()
    reviewer.force_login(publisher_pesaro)
    dashboards.force_login(analyst)
    assert visitor.get("/catalogo/").status_code == 200
    _take_down(production_cache, outage)
    cache_failures.clear()

    # Approving writes an event (the page cache and the figures are invalidated now and after the commit).
    response, approve_seconds = _timed(
        lambda: reviewer.post(f"/catalogo/adozioni/{adoption.pk}/approve/", {"approve-note": ""})
    )
    assert response.status_code == 302
    adoption.refresh_from_db()
    assert adoption.status == Adoption.Status.APPROVED
    catalogue, catalogue_seconds = _timed(lambda: visitor.get("/catalogo/"))
    assert catalogue.status_code == 200
    figures, figures_seconds = _timed(lambda: dashboards.get("/catalogo/cruscotto/provincia/"))
    assert figures.status_code == 200

    # One wait for Redis in all three (each bump of a version, each page-cache read after it goes without).
    assert len(cache_failures) == 1, (cache_failures, approve_seconds, catalogue_seconds, figures_seconds)


def test_while_the_circuit_is_open_the_cache_answers_as_an_empty_cache(production_cache):
    cache.set("kept", "value")
    production_cache.freeze()
    assert cache.get("kept", "default") == "default"  # waits one socket timeout, then opens the circuit
    assert cache.breaker.is_open

    started = time.perf_counter()
    assert cache.get("kept") is None
    assert cache.get_many(["kept", "other"]) == {}
    assert cache.has_key("kept") is False
    assert cache.add("new", 1) is True  # as an empty cache: the key was absent
    assert cache.set("kept", "other") is None
    assert cache.set_many({"a": 1, "b": 2}) == []
    assert cache.touch("kept") is False
    assert cache.delete("kept") is False
    assert cache.delete_many(["a", "b"]) is None
    with pytest.raises(ValueError):
        cache.incr("counter")
    with pytest.raises(ValueError):
        cache.decr("counter")
    assert cache.get_or_set("computed", lambda: 42) == 42
    assert time.perf_counter() - started < 0.1  # nothing waited for Redis


def test_redis_is_tried_again_after_the_retry_interval_and_used_once_it_answers(production_cache, clock, settings):
    production_cache.freeze()
    cache.get("anything")
    assert cache.breaker.is_open
    production_cache.thaw()
    cache.set("key", "lost")  # the circuit is still open: not sent
    assert cache.get("key") is None

    clock[0] += settings.CACHE_RETRY_SECONDS
    cache.set("key", "stored")
    assert not cache.breaker.is_open
    assert cache.get("key") == "stored"


def test_a_value_written_during_the_outage_is_not_left_stale_in_redis_afterwards(production_cache, clock, settings):
    cache.set("catalog:version", "before")
    production_cache.freeze()
    cache.set("catalog:version", "changed during the outage")  # lost: Redis keeps "before"
    production_cache.thaw()

    clock[0] += settings.CACHE_RETRY_SECONDS
    assert cache.get("catalog:version") is None  # deleted when the circuit closed: a miss, never the old value


def test_an_invalidation_of_the_page_cache_during_the_outage_reaches_the_pages_afterwards(
    production_cache, clock, settings
):
    settings.ANON_CACHE_SECONDS = 300
    settings.ANON_CACHE_VERSION_CHECK_SECONDS = 0
    SolutionFactory(name="Prima versione")
    visitor = Client()
    assert "Prima versione" in visitor.get("/catalogo/").content.decode()
    production_cache.freeze()
    SolutionFactory(name="Aggiunta durante il guasto")  # invalidates the page cache: a write Redis never gets
    production_cache.thaw()
    clock[0] += settings.CACHE_RETRY_SECONDS
    anon_cache.clear_local()  # another process, which knows only what Redis says

    assert "Aggiunta durante il guasto" in visitor.get("/catalogo/").content.decode()


def test_the_warning_is_logged_at_most_once_a_minute(production_cache, clock, caplog, settings):
    production_cache.freeze()
    with caplog.at_level(logging.WARNING, logger="cstportal.cache"):
        cache.get("a")  # opens the circuit: warning
        for _ in range(3):  # tried again every CACHE_RETRY_SECONDS (30 s), still frozen
            clock[0] += settings.CACHE_RETRY_SECONDS
            cache.get("a")
    warnings = [r for r in caplog.records if r.name == "cstportal.cache" and "unreachable" in r.getMessage()]
    assert len(warnings) == 2  # at 0 s and at 60 s, not at 30 s and 90 s


def test_a_command_redis_refuses_fails_open_for_that_call_without_opening_the_circuit(production_cache):
    import redis

    cache.set("kept", "value")
    cache.set("changed", "old")
    server = redis.Redis.from_url(production_cache.url)
    server.config_set("maxmemory", 1)  # with noeviction every write is refused: OOM
    try:
        assert cache.set("changed", "new") is None
        assert cache.get("changed") is None  # deleted instead: never the old value
        assert cache.get("kept") == "value"
        assert not cache.breaker.is_open
    finally:
        server.config_set("maxmemory", 0)
        server.close()


def test_healthz_reports_the_cache_and_stays_quick_with_redis_frozen(production_cache, settings, client):
    settings.CELERY_BROKER_URL = production_cache.url  # broker and cache on the same Redis
    up = client.get("/healthz").json()
    assert up["status"] == "ok" and up["cache"]["ok"] and up["broker"]["ok"], up
    production_cache.freeze()

    response, first_seconds = _timed(lambda: client.get("/healthz"))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded"
    assert data["database"]["ok"] and not data["cache"]["ok"] and not data["broker"]["ok"], data
    again, again_seconds = _timed(lambda: client.get("/healthz"))
    assert again.json()["status"] == "degraded"
    assert first_seconds < 2 * SOCKET_TIMEOUT + 0.5, first_seconds  # one short probe each
    assert again_seconds < 0.3, again_seconds  # the recent answers are reused
