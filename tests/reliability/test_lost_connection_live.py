"""A real gunicorn on PostgreSQL while every one of its database connections is terminated (pg_terminate_backend)
every 150 ms: reads, pages and writes with an API token answer 200/201 or 503 with Retry-After, never 500; every
adoption that was written is whole (its event and its notifications), none half written."""

from __future__ import annotations

import threading
from collections import Counter

import psycopg
import pytest
import requests
from django.db import connection

from catalog.models import Adoption
from cstportal.apitokens.services import create_api_token
from cstportal.notifications.models import Delivery
from tests.factories import SolutionFactory

from . import outbox_harness as harness
from .production import Timings, WebServer, production_env, static_root

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REQUESTS = 100
WRITE_EVERY = 5
INTERVAL_SECONDS = 0.15


class Terminator(threading.Thread):
    """Terminates every other backend of the database every INTERVAL_SECONDS, from a connection of its own."""

    def __init__(self, *, spare_pid: int) -> None:
        super().__init__(daemon=True)
        self.spare_pid = spare_pid
        self.stopped = threading.Event()
        self.terminated = 0

    def run(self) -> None:
        s = connection.settings_dict
        with psycopg.connect(
            host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
            dbname=s["NAME"], autocommit=True,
        ) as killer:
            while not self.stopped.wait(INTERVAL_SECONDS):
                rows = killer.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND pid <> %s AND backend_type = 'client backend'",
                    [self.spare_pid],
                ).fetchall()
                self.terminated += sum(1 for (done,) in rows if done)

    def stop(self) -> None:
        self.stopped.set()
        self.join(10)


def test_connections_terminated_every_150_ms_answer_503_with_retry_after_never_500(
    redis_server, tmp_path, tmp_path_factory, record_property, referent_fano, publisher_pesaro, cst_admin, fano
):
    solutions = [SolutionFactory().slug for _ in range(REQUESTS // WRITE_EVERY)]
    token = {"Authorization": f"Token {create_api_token(user=referent_fano, name='prova').key}"}
    database = harness.SharedDatabase(tmp_path)
    env = production_env(redis=redis_server, database_url=database.share(), var_dir=tmp_path / "var",
                         static=static_root(tmp_path_factory.mktemp("static")), API_THROTTLE_ANON="10000/minute")
    server = WebServer(env, tmp_path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]
    timings = Timings(server.base)
    writes: list[int] = []
    terminator = Terminator(spare_pid=own_pid)
    try:
        server.wait_ready()
        for path in ("/api/v1/solutions/", "/catalogo/", f"/api/v1/solutions/{solutions[0]}/"):  # warm
            assert requests.get(server.base + path, timeout=15).status_code == 200
        terminator.start()
        anonymous = requests.Session()
        for i in range(REQUESTS):
            if i % WRITE_EVERY == WRITE_EVERY - 1:
                response = timings.request(
                    requests.Session(), "POST", "/api/v1/adoptions/", "API write (token)", headers=token,
                    json={"solution": solutions[i // WRITE_EVERY], "municipality": fano.istat_code, "note": "Prova"},
                )
                writes.append(response.status_code)
            elif i % 3 == 0:
                timings.request(anonymous, "GET", f"/api/v1/solutions/?q=prova{i}", "API list")
            elif i % 3 == 1:
                timings.request(anonymous, "GET", f"/catalogo/?q=prova{i}", "catalogue page")
            else:
                timings.request(anonymous, "GET", f"/api/v1/solutions/{solutions[0]}/", "API detail")
    finally:
        terminator.stop()
        server.stop()

    statuses = Counter(sample.status for sample in timings.samples)
    by_kind = Counter((sample.label, sample.status) for sample in timings.samples)
    print(f"\n{REQUESTS} requests, {terminator.terminated} connections terminated: {dict(statuses)}; "
          f"{timings.summary()}\n  by kind: {dict(sorted(by_kind.items()))}")
    record_property("statuses", dict(statuses))
    assert terminator.terminated > 20, "the terminator did not get to work"
    assert set(statuses) <= {200, 201, 503}, statuses
    assert set(writes) <= {201, 503}, writes

    # Every adoption that exists is whole: its request event and its two notifications (publisher, CST staff).
    connection.close()
    adoptions = Adoption.objects.filter(solution__slug__in=solutions)
    assert adoptions.count() >= writes.count(201)
    for adoption in adoptions:
        event = adoption.events.get()  # exactly one: the request
        deliveries = Delivery.objects.filter(notification__event_key=f"adoption-event:{event.pk}")
        assert deliveries.count() == 2, adoption  # the publisher of Pesaro and CST staff
