"""The notifications against a real Redis and real worker processes.

1. Redis (broker and cache) frozen (SIGSTOP) or stopped: 50 workflow actions through the web all succeed, each in under 2 seconds, no 5xx; when
   Redis is back, the relay and a real worker deliver every notification exactly once.
2. A worker killed with SIGKILL in the middle of a notification task: the task runs again and each e-mail is sent
   exactly once.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

from catalog.models import Adoption
from cstportal.cache import reset_circuit_breakers
from cstportal.notifications import relay
from cstportal.notifications.models import Delivery
from tests.factories import SolutionFactory
from tests.services import celery_broker

from . import outbox_harness as harness
from .production import production_caches

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOLUTIONS = 10  # × 5 actions = 50 workflow actions, 50 notifications


def _post(client: Client, path: str, data: dict, timings: list[float]) -> None:
    started = time.perf_counter()
    response = client.post(path, data)
    timings.append(time.perf_counter() - started)
    assert response.status_code < 500, f"{path}: {response.status_code}"
    assert response.status_code == 302, f"{path}: {response.status_code}"


def _fifty_workflow_actions(referent, publisher, fano) -> list[float]:
    """Per solution: request, ask_info, answer, approve, start — 5 notifications (2 + 1 + 1 + 1 + 0)."""
    adopter, reviewer = Client(), Client()
    adopter.force_login(referent)
    reviewer.force_login(publisher)
    timings: list[float] = []
    for solution in SolutionFactory.create_batch(SOLUTIONS):
        _post(
            adopter,
            f"/catalogo/adozioni/richiedi/{solution.slug}/",
            {"adoption-body": fano.pk, "adoption-note": "Ci serve"},
            timings,
        )
        adoption = Adoption.objects.get(solution=solution, body=fano)
        base = f"/catalogo/adozioni/{adoption.pk}"
        _post(reviewer, f"{base}/ask_info/", {"ask_info-note": "Quale versione?"}, timings)
        _post(adopter, f"{base}/answer/", {"answer-note": "La più recente"}, timings)
        _post(reviewer, f"{base}/approve/", {"approve-note": ""}, timings)
        _post(adopter, f"{base}/start/", {"start-note": ""}, timings)
        adoption.refresh_from_db()
        assert adoption.status == "in_progress"
    return timings


@pytest.mark.parametrize("outage", ["frozen", "stopped"])
def test_with_redis_down_the_web_works_and_every_notification_goes_out_once_when_it_is_back(
    outage, redis_server, tmp_path, settings, referent_fano, publisher_pesaro, cst_admin, fano
):
    # Production configuration: the cache on the broker's Redis too, so the outage hits both.
    reset_circuit_breakers()
    settings.CACHES = production_caches(redis_server)
    database = harness.SharedDatabase(tmp_path)
    # A running server: the URL configuration and the views are imported before Redis freezes (a cold import of
    # every module takes over a second on its own and has nothing to do with the broker).
    assert Client().get("/").status_code == 200
    if outage == "frozen":
        redis_server.freeze()  # SIGSTOP: connections open, nothing answers — the nastier case
    else:
        redis_server.stop()
    try:
        with celery_broker(redis_server.url):
            timings = _fifty_workflow_actions(referent_fano, publisher_pesaro, fano)
            # The relay, meanwhile, cannot publish: it gives up quickly and the rows stay due.
            started = time.perf_counter()
            result = relay.relay_outbox()
            relay_seconds = time.perf_counter() - started
    finally:
        if outage == "frozen":
            redis_server.thaw()
        else:
            redis_server.start()  # same port, empty

    assert len(timings) == 50
    assert max(timings) < 2.0, f"slowest action {max(timings):.2f}s"
    assert result.count == 0 and result.error, result
    assert relay_seconds < 15, f"relay blocked {relay_seconds:.1f}s on a broker that is {outage}"
    expected = set(Delivery.objects.values_list("key", flat=True))
    assert len(expected) == 50
    assert Delivery.objects.filter(status="pending").count() == 50

    env = harness.subprocess_env(redis_url=redis_server.url, database_url=database.share(), var_dir=tmp_path / "var")
    worker = harness.start_worker(env, tmp_path)
    relay_loop = harness.start_relay(env, tmp_path)
    mail_dir = tmp_path / "var" / "mail"
    try:
        harness.wait_until(
            lambda: sum(harness.delivered(mail_dir).values()) >= 50,
            timeout=60,
            message="50 e-mails",
            logs=(worker, relay_loop),
        )
        time.sleep(2)  # anything duplicated would show up now
    finally:
        relay_loop.stop()
        worker.stop()

    sent = harness.delivered(mail_dir)
    assert set(sent) == expected
    assert set(sent.values()) == {1}, {k: n for k, n in sent.items() if n != 1}
    rows = database.deliveries()
    assert {row["status"] for row in rows} == {"sent"}, harness.dump(rows)
    print(
        f"\n50 actions with Redis {outage}: slowest {max(timings) * 1000:.0f} ms, "
        f"mean {sum(timings) / len(timings) * 1000:.0f} ms; relay gave up after {relay_seconds:.1f}s"
    )


def test_a_worker_killed_in_the_middle_of_a_task_leaves_each_email_sent_exactly_once(
    redis_server, tmp_path, referent_fano, publisher_pesaro, cst_admin, fano
):
    from catalog.adoptions import services as workflow

    workflow.request_adoption(solution=SolutionFactory(), body=fano, by=referent_fano)  # → publisher + CST
    expected = set(Delivery.objects.values_list("key", flat=True))
    assert len(expected) == 2
    database = harness.SharedDatabase(tmp_path)
    env = harness.subprocess_env(
        redis_url=redis_server.url,
        database_url=database.share(),
        var_dir=tmp_path / "var",
        NOTIFICATION_SENDING_TIMEOUT_SECONDS="3",
    )
    mail_dir = tmp_path / "var" / "mail"
    # The first worker's e-mail server takes a minute to answer: it will be killed while it sends.
    doomed = harness.start_worker(
        {**env, "DJANGO_SETTINGS_MODULE": "tests.reliability.slow_mail"}, tmp_path, name="doomed"
    )
    relay_loop = harness.start_relay(env, tmp_path)
    survivor = None
    try:
        harness.wait_until(
            lambda: any(row["status"] == "sending" for row in database.deliveries()),
            timeout=40,
            message="a delivery in progress",
            logs=(doomed, relay_loop),
        )
        doomed.kill()
        assert harness.delivered(mail_dir) == {}
        killed = next(row for row in database.deliveries() if row["status"] == "sending")

        survivor = harness.start_worker(env, tmp_path, name="survivor")
        harness.wait_until(
            lambda: {row["status"] for row in database.deliveries()} == {"sent"},
            timeout=40,
            message="both deliveries sent",
            logs=(survivor, relay_loop),
        )
        time.sleep(2)
    finally:
        relay_loop.stop()
        if survivor:
            survivor.stop()
        doomed.stop()

    sent = harness.delivered(mail_dir)
    assert set(sent) == expected
    assert set(sent.values()) == {1}
    rows = {row["id"]: row for row in database.deliveries()}
    assert rows[killed["id"]]["attempts"] == 2  # the killed attempt, then the one that sent it
