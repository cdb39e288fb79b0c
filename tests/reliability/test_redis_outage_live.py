"""A real gunicorn in the production configuration (DEBUG off, broker and cache on one private Redis) while Redis is
frozen (SIGSTOP) or stopped, and while the database is down.

For each state, /healthz and real requests are held together: all up, "ok" and everything answers; Redis down,
"degraded" and everything still answers (anonymous API list and detail, a write with an API token, a login through
the form, an approval through the web form, the catalogue page), none with 5xx and none slower than 3 s; Redis back,
"ok" again and every notification written meanwhile is delivered once; database down, 503 for both.
The p95 and the slowest request of each outage are printed (run with -s) and recorded as test properties.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from dataclasses import dataclass

import pytest
import requests

from catalog.adoptions.services import request_adoption
from cstportal.apitokens.services import create_api_token
from tests.factories import SolutionFactory

from . import outbox_harness as harness
from .production import Timings, WebServer, csrf_token, log_in, production_env, set_production_password, static_root

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUNDS = 3  # rounds of requests while Redis is down
LIMIT_SECONDS = 3.0
RETRY_SECONDS = "3"  # CACHE_RETRY_SECONDS: the server tries the frozen Redis again several times meanwhile


@dataclass
class Portal:
    """The server and what the rounds of requests use: round i requests solutions[i] through the API and approves
    adoptions[i] through the web form."""

    server: WebServer
    fano: str
    token: str
    publisher: str
    solutions: list[str]
    adoptions: list[int]


@pytest.fixture
def portal(redis_server, tmp_path, tmp_path_factory, publisher_pesaro, referent_fano, cst_admin, fano):
    rounds = ROUNDS + 2  # one before the outage, ROUNDS during it, one after
    adoptions = [request_adoption(solution=SolutionFactory(), body=fano, by=referent_fano).pk for _ in range(rounds)]
    solutions = [SolutionFactory().slug for _ in range(rounds)]
    token = create_api_token(user=referent_fano, name="prova").key
    set_production_password(publisher_pesaro)
    database = harness.SharedDatabase(tmp_path)
    env = production_env(
        redis=redis_server, database_url=database.share(), var_dir=tmp_path / "var",
        static=static_root(tmp_path_factory.mktemp("static")), CACHE_RETRY_SECONDS=RETRY_SECONDS,
    )
    server = WebServer(env, tmp_path)
    try:
        server.wait_ready()
        yield Portal(server, fano.istat_code, token, publisher_pesaro.email, solutions, adoptions), env, database
    finally:
        server.stop()


def _health(timings: Timings) -> tuple[int, dict]:
    response = timings.request(requests.Session(), "GET", "/healthz", "healthz")
    return response.status_code, response.json()


def _round(portal: Portal, timings: Timings, i: int) -> None:
    """Every kind of request once; each must succeed."""
    anonymous = requests.Session()
    token = {"Authorization": f"Token {portal.token}"}
    assert timings.request(anonymous, "GET", "/api/v1/solutions/", "API list").status_code == 200
    assert timings.request(anonymous, "GET", f"/api/v1/solutions/{portal.solutions[i]}/", "API detail").status_code == 200
    assert timings.request(anonymous, "GET", "/catalogo/", "catalogue page").status_code == 200
    created = timings.request(
        requests.Session(), "POST", "/api/v1/adoptions/", "API write (token)", headers=token,
        json={"solution": portal.solutions[i], "municipality": portal.fano, "note": "Vorremmo adottarla."},
    )
    assert created.status_code == 201, created.text
    reviewer = log_in(timings, portal.publisher)
    approved = timings.request(
        reviewer, "POST", f"/catalogo/adozioni/{portal.adoptions[i]}/approve/", "approve (web form)",
        data={"csrfmiddlewaretoken": csrf_token(reviewer), "approve-note": ""},
    )
    assert approved.status_code == 302, approved.text[:500]
    check = timings.request(requests.Session(), "GET", f"/api/v1/adoptions/{portal.adoptions[i]}/", "API read (token)",
                            headers=token)
    assert check.json()["status"] == "approved"


def _report(record_property, name: str, timings: Timings) -> None:
    print(f"\n{name}: {timings.summary()}\n  slowest of each kind (ms): {timings.by_label()}")
    record_property(f"{name} p95 ms", round(timings.percentile(0.95) * 1000))
    record_property(f"{name} max ms", round(timings.slowest().seconds * 1000))


@pytest.mark.parametrize("outage", ["frozen", "stopped"])
def test_with_redis_down_every_request_answers_quickly_and_notifications_go_out_once_it_is_back(
    portal, redis_server, tmp_path, record_property, outage
):
    portal, env, database = portal
    base = portal.server.base

    # All up: "ok", and every request answers (this also warms up each server process).
    before = Timings(base)
    _round(portal, before, 0)
    status, health = _health(before)
    assert (status, health["status"], health["cache"]["ok"], health["broker"]["ok"]) == (200, "ok", True, True), health

    if outage == "frozen":
        redis_server.freeze()  # connections open, nothing answers: every call waits for its timeout
    else:
        redis_server.stop()
    during = Timings(base)
    try:
        for i in range(1, ROUNDS + 1):
            _round(portal, during, i)
            status, health = _health(during)
            assert (status, health["status"], health["database"]["ok"]) == (200, "degraded", True), health
            assert not health["cache"]["ok"] and not health["broker"]["ok"], health
    finally:
        if outage == "frozen":
            redis_server.thaw()
        else:
            redis_server.start()  # same port, empty
    _report(record_property, "all up", before)
    _report(record_property, f"Redis {outage}", during)
    assert not during.failures(), during.failures()
    slow = [sample for sample in during.samples if sample.seconds >= LIMIT_SECONDS]
    assert not slow, slow

    # Back: within CACHE_RETRY_SECONDS every process uses the cache again and /healthz says so.
    after = Timings(base)
    harness.wait_until(lambda: _health(after)[1]["status"] == "ok", timeout=30, interval=1,
                       message="healthz ok again", logs=(portal.server.process,))
    _round(portal, after, ROUNDS + 1)
    assert not after.failures(), after.failures()

    # Every notification written while Redis was down goes out once, through a real worker and the relay.
    expected = {row["key"] for row in database.deliveries()}
    worker = harness.start_worker(env, tmp_path)
    relay_loop = harness.start_relay(env, tmp_path)
    mail_dir = tmp_path / "var" / "mail"
    try:
        harness.wait_until(lambda: set(harness.delivered(mail_dir)) >= expected, timeout=90,
                           message=f"{len(expected)} e-mails", logs=(worker, relay_loop))
        time.sleep(2)  # anything duplicated would show up now
    finally:
        relay_loop.stop()
        worker.stop()
    sent = harness.delivered(mail_dir)
    assert set(sent) == expected
    assert set(sent.values()) == {1}, {key: n for key, n in sent.items() if n != 1}


@contextlib.contextmanager
def database_down(database: harness.SharedDatabase):
    """The database stops accepting connections: PostgreSQL refuses them (ALLOW_CONNECTIONS false, the open ones
    terminated); SQLite's file cannot be opened (a folder stands in its place)."""
    from django.db import connection

    if database.vendor == "postgresql":
        import psycopg

        s = connection.settings_dict
        name = s["NAME"]
        # From another database: PostgreSQL refuses to close the current one to connections.
        admin = psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"],
                                password=s["PASSWORD"] or None, dbname="postgres", autocommit=True)
        try:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            admin.close()
            connection.close()  # the test's own connection was terminated too
        return
    away = database.path.with_suffix(".away")
    database.path.rename(away)
    database.path.mkdir()
    try:
        yield
    finally:
        shutil.rmtree(database.path)
        away.rename(database.path)


def test_with_the_database_down_healthz_and_every_request_answer_503(portal, record_property):
    portal, _env, database = portal
    timings = Timings(portal.server.base)
    _round(portal, timings, 0)
    assert _health(timings)[0] == 200

    with database_down(database):
        status, health = _health(timings)
        assert (status, health["status"], health["database"]["ok"]) == (503, "down", False), health
        anonymous = requests.Session()
        api = timings.request(anonymous, "GET", "/api/v1/solutions/?q=nuovo", "API list")
        assert api.status_code == 503 and api.headers["Retry-After"] == "5", api.text
        assert api.json()["errors"][0]["code"] == "service_unavailable"
        page = timings.request(anonymous, "GET", "/catalogo/?q=nuovo", "catalogue page")
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        assert "text/html" in page.headers["Content-Type"]

    status, health = _health(timings)
    assert (status, health["status"]) == (200, "ok"), health
    _round(portal, timings, 1)
    assert [sample for sample in timings.failures() if sample.status != 503] == []
