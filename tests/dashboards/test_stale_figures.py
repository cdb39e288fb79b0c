"""Stale-while-revalidate figures (catalog.dashboards.stats): after a change the last copy is served at once, marked
stale, and ONE refresh is queued; the refresh makes the next view fresh; without any copy (first view, cache down)
the figures are computed in the request; with the broker down the stale copy is still served.

The cache and the broker are a real private Redis (the production cache class behind its circuit breaker, Celery's
Redis transport), and the queued refresh is read back from the broker's queue.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging

import pytest
import redis
from django.core.management import call_command
from django.test import Client

from catalog import tasks
from catalog.dashboards import stats
from catalog.reports import documents
from cstportal import versioned_cache
from cstportal.cache import reset_circuit_breakers
from tests.api.conftest import client_for
from tests.dashboards.conftest import NOW, at
from tests.reliability.production import production_caches
from tests.services import celery_broker, free_port

pytestmark = pytest.mark.django_db

DASHBOARD = "/catalogo/cruscotto/provincia/"
UPDATING = "aggiornamento in corso"


def by_status(figures) -> dict[str, int]:
    return {row["status"]: row["count"] for row in figures["adoptions_by_status"]}


def queued(server) -> list[tuple[str, list]]:
    """The tasks waiting in the broker's default queue: (name, args), oldest first."""
    found = []
    for raw in reversed(redis.Redis.from_url(server.url).lrange("celery", 0, -1)):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], args))
    return found


def run_queued(server) -> int:
    """Run the queued tasks as a worker would (its name, its arguments), emptying the queue. Returns how many."""
    client = redis.Redis.from_url(server.url)
    done = 0
    while (raw := client.rpop("celery")) is not None:
        message = json.loads(raw)
        args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        assert message["headers"]["task"] == "catalog.refresh_figures"
        tasks.refresh_figures(*args, **kwargs)
        done += 1
    return done


def change(known) -> None:
    """An adoption moves on: the figures' version is bumped (catalog/caching.py)."""
    known.a10.status = "in_progress"
    known.a10.save()


def go_live(known) -> None:
    """Fano's approved adoption of the service (A10) goes into production."""
    known.a10.status = "in_production"
    known.a10.in_production_at = at("2026-03-01")
    known.a10.save()


@pytest.fixture
def italian_pages(settings):
    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # read the catalogues again


@pytest.fixture
def production_cache(redis_server, settings):
    """The cache as production builds it for CACHE_URL, on a private Redis."""
    reset_circuit_breakers()
    settings.CACHES = production_caches(redis_server)
    versioned_cache.forget_local_versions()
    yield redis_server
    versioned_cache.forget_local_versions()
    reset_circuit_breakers()


@pytest.fixture
def not_eager():
    """Tasks go to the broker, as in production (tests/dashboards/conftest.py makes them eager otherwise)."""
    from cstportal.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.fixture
def broker(production_cache, not_eager):
    """Broker and cache on the same private Redis (the broker in database 0, the cache in database 1)."""
    with celery_broker(production_cache.url):
        yield production_cache


@pytest.fixture
def broker_down(production_cache, not_eager):
    """The cache answers; the broker is an address where nothing listens."""
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        yield production_cache


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.mark.redis
def test_without_any_copy_the_figures_are_computed_in_the_request_and_nothing_is_queued(known, broker):
    figures = stats.province_stats()

    assert not figures.stale
    assert figures.computed_at == NOW
    assert by_status(figures)["approved"] == 1
    assert queued(broker) == []
    assert stats.province_stats() == figures and not stats.province_stats().stale  # kept: a fresh hit


@pytest.mark.redis
def test_after_a_change_the_last_copy_is_served_stale_and_one_refresh_is_queued(known, broker):
    before = stats.province_stats()
    change(known)

    burst = [stats.province_stats() for _ in range(20)]
    stats.invalidate()  # more changes while the refresh waits for a worker: still one refresh
    burst.append(stats.province_stats())

    assert all(figures.stale for figures in burst)
    assert all(figures == before and figures.computed_at == before.computed_at for figures in burst)
    assert by_status(burst[-1])["in_progress"] == 0  # the copy from before the change
    assert queued(broker) == [("catalog.refresh_figures", ["province", "None|None|"])]


@pytest.mark.redis
def test_the_refresh_makes_the_next_view_fresh_and_lets_the_next_change_queue_again(known, broker):
    stats.province_stats()
    change(known)
    assert stats.province_stats().stale

    assert run_queued(broker) == 1
    after = stats.province_stats()

    assert not after.stale
    assert by_status(after)["in_progress"] == 1 and by_status(after)["approved"] == 0
    stats.invalidate()
    assert stats.province_stats().stale
    assert len(queued(broker)) == 1  # the refresh released its lock: a new change queues a new refresh


@pytest.mark.redis
def test_each_set_of_figures_is_refreshed_on_its_own(known, broker, fano):
    stats.province_stats(kind="service")
    stats.province_stats()
    stats.body_stats(fano)
    stats.public_summary()
    change(known)

    assert stats.province_stats(kind="service").stale and stats.province_stats().stale
    assert stats.body_stats(fano).stale and stats.public_summary().stale
    assert sorted(args for _name, args in queued(broker)) == [
        ["body", str(fano.pk)],
        ["province", "None|None|"],
        ["province", "None|None|service"],
        ["public", ""],
    ]
    assert run_queued(broker) == 4
    assert by_status(stats.province_stats(kind="service"))["in_progress"] == 1
    assert by_status(stats.body_stats(fano))["in_progress"] == 1  # A10 is Fano's
    assert not stats.public_summary().stale


@pytest.mark.redis
def test_the_dashboard_says_when_its_figures_were_computed_and_that_an_update_runs(
    known, broker, analyst_client, italian_pages
):
    page = analyst_client.get(DASHBOARD).content.decode()
    assert "Dati aggiornati alle 12:00" in page and UPDATING not in page
    change(known)

    stale = analyst_client.get(DASHBOARD)

    assert stale.status_code == 200
    text = stale.content.decode()
    assert "Dati aggiornati alle 12:00 (aggiornamento in corso)" in text
    assert 'data-stale="true"' in text
    assert "Richieste in attesa oltre la soglia" in text  # the whole page, not a placeholder
    run_queued(broker)
    assert UPDATING not in analyst_client.get(DASHBOARD).content.decode()


@pytest.mark.redis
def test_with_the_cache_down_the_figures_are_computed_in_the_request(known, production_cache, analyst_client):
    stats.province_stats()
    production_cache.stop()

    figures = stats.province_stats()
    change(known)
    after = stats.province_stats()
    response = analyst_client.get(DASHBOARD)

    assert not figures.stale and not after.stale
    assert by_status(after)["in_progress"] == 1
    assert response.status_code == 200 and 'data-stale="false"' in response.content.decode()


@pytest.mark.redis
def test_with_the_broker_down_the_stale_copy_is_served_and_a_warning_logged(known, broker_down, analyst_client, caplog):
    before = stats.province_stats()
    change(known)

    with caplog.at_level(logging.WARNING, logger="catalog.dashboards.stats"):
        figures = stats.province_stats()
        response = analyst_client.get(DASHBOARD)

    assert figures.stale and figures == before
    assert response.status_code == 200 and 'data-stale="true"' in response.content.decode()
    warnings = [r for r in caplog.records if r.name == "catalog.dashboards.stats"]
    assert len(warnings) == 1 and "broker unavailable" in warnings[0].getMessage()  # the lock spares the next view


def test_with_an_eager_celery_the_first_view_after_a_change_is_already_fresh(known, analyst_client):
    stats.province_stats()
    change(known)

    figures = stats.province_stats()

    assert not figures.stale
    assert by_status(figures)["in_progress"] == 1
    assert 'data-stale="false"' in analyst_client.get(DASHBOARD).content.decode()


@pytest.mark.redis
def test_fresh_figures_are_computed_when_only_a_stale_copy_exists(known, broker, fano):
    stats.province_stats()
    stats.body_stats(fano)
    change(known)

    figures = stats.province_stats(fresh=True)

    assert not figures.stale and by_status(figures)["in_progress"] == 1
    assert queued(broker) == []  # nothing to refresh: computed now, and kept for the next views
    assert not stats.province_stats().stale
    assert by_status(stats.body_stats(fano, fresh=True))["in_progress"] == 1


@pytest.mark.redis
def test_reports_are_built_from_fresh_figures(known, broker, fano):
    stats.province_stats()
    stats.body_stats(fano)
    stats.solution_stats(known.s2)
    go_live(known)

    province = dict(documents.build_province_content().figures)
    body = dict(documents.build_body_content(fano).figures)
    solution = dict(documents.build_solution_content(known.s2).figures)

    assert province["Adozioni in produzione"] == 6  # was 5
    assert body["Adozioni che attendono l'ente"] == 0  # was 1: A10
    assert solution["Enti che la usano in produzione"] == 3  # was 2
    assert queued(broker) == []
    assert not stats.province_stats().stale  # the report's figures are kept for the next view


@pytest.mark.redis
def test_the_api_answer_carries_when_the_figures_were_computed(known, broker, analyst):
    api = client_for(analyst)
    first = api.get("/api/v1/stats/province/").json()
    change(known)

    stale = api.get("/api/v1/stats/province/").json()
    run_queued(broker)
    fresh = api.get("/api/v1/stats/province/").json()

    assert dt.datetime.fromisoformat(first["computed_at"]) == NOW
    assert first["stale"] is False
    assert stale["stale"] is True and stale["computed_at"] == first["computed_at"]
    assert {r["status"]: r["count"] for r in stale["adoptions_by_status"]}["in_progress"] == 0
    assert fresh["stale"] is False
    assert {r["status"]: r["count"] for r in fresh["adoptions_by_status"]}["in_progress"] == 1


@pytest.mark.parametrize(
    "filters",
    [
        stats.Filters(),
        stats.Filters(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 2, 28), kind="service"),
        stats.Filters(date_to=dt.date(2025, 12, 31)),
    ],
)
def test_a_queued_refresh_names_the_same_filters(filters):
    assert stats.Filters.from_key(filters.key()) == filters
