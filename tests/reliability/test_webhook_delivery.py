"""Webhook deliveries against a real Redis, real worker processes and a real receiver.

Thirty adoption steps are taken while Redis is stopped; two subscribers' webhooks and one whose server is down
must hear of them. Redis comes back, a worker and the relay start; the receiver turns the first deliveries away
(503), so they are retried; midway the worker is killed (SIGKILL) and Redis stopped again, then both restart (Redis
empty). At the end the receiver, which checks every signature, has accepted each delivery of the two live
webhooks, and the dead server's webhook has given up: its deliveries failed or are held once it was disabled.
"""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from catalog.adoptions import services as workflow
from catalog.models import WebhookDelivery
from catalog.webhooks import services as webhooks
from cstportal.notifications import relay
from tests.factories import SolutionFactory
from tests.webhooks.receiver import Receiver

from . import outbox_harness as harness
from .test_notification_delivery import celery_broker

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRET = "segreto-del-test-di-affidabilita"
SOLUTIONS = 10  # × 3 steps (request, approve, start) = 30 events
TURNED_AWAY = 8  # the receiver's first answers are 503
DEAD_DISABLED_AFTER = 6
COLUMNS = ["id", "webhook_id", "delivery_id", "status", "attempts", "last_status_code", "last_error"]


def _thirty_adoption_steps(referent, publisher, fano, owner) -> None:
    for solution in SolutionFactory.create_batch(SOLUTIONS, owner=owner):
        adoption = workflow.request_adoption(solution=solution, body=fano, by=referent)
        workflow.transition_adoption(adoption, action="approve", by=publisher)
        workflow.transition_adoption(adoption, action="start", by=referent)


def test_every_webhook_event_is_accepted_once_while_redis_and_the_worker_stop_and_restart(
    redis_server, tmp_path, pesaro, fano, referent_fano, publisher_pesaro, cst_admin
):
    events = ["adoption.status_changed"]
    with (
        Receiver(SECRET, answers=[503] * TURNED_AWAY) as receiver,
        override_settings(FETCH_ALLOWED_HOSTS=["127.0.0.1"]),
    ):
        live = [
            webhooks.register_webhook(owner=publisher_pesaro, url=receiver.url, secret=SECRET, events=events),
            webhooks.register_webhook(owner=referent_fano, url=receiver.url, secret=SECRET, events=events),
        ]
        dead = webhooks.register_webhook(
            owner=cst_admin, url="http://127.0.0.1:9/hook", secret=SECRET, events=events
        )  # port 9 (discard): nothing listens, refused at once

        redis_server.stop()
        try:
            with celery_broker(redis_server.url):
                _thirty_adoption_steps(referent_fano, publisher_pesaro, fano, pesaro)
                result = relay.relay_outbox()  # cannot publish: the rows stay due
        finally:
            redis_server.start()
        assert result.count == 0 and result.error
        expected = {
            str(d) for d in WebhookDelivery.objects.filter(webhook__in=live).values_list("delivery_id", flat=True)
        }
        assert len(expected) == 2 * 3 * SOLUTIONS
        assert WebhookDelivery.objects.filter(webhook=dead).count() == 3 * SOLUTIONS

        database = harness.SharedDatabase(tmp_path)
        env = harness.subprocess_env(
            redis_url=redis_server.url,
            database_url=database.share(),
            var_dir=tmp_path / "var",
            FETCH_ALLOWED_HOSTS="127.0.0.1",
            NOTIFICATION_RETRY_BASE_SECONDS="1",
            NOTIFICATION_RETRY_MAX_SECONDS="2",
            NOTIFICATION_MAX_RETRIES="2",
            NOTIFICATION_REPUBLISH_AFTER_SECONDS="2",
            NOTIFICATION_SENDING_TIMEOUT_SECONDS="4",
            WEBHOOK_DISABLE_AFTER_FAILURES=str(DEAD_DISABLED_AFTER),
            LOG_LEVEL="WARNING",
        )
        worker = harness.start_worker(env, tmp_path, name="first")
        relay_loop = harness.start_relay(env, tmp_path)
        second = None
        try:
            harness.wait_until(
                lambda: len(receiver.accepted) >= len(expected) // 3,
                timeout=90,
                message="a third of the deliveries accepted",
                logs=(worker, relay_loop),
            )
            worker.kill()
            redis_server.stop()
            time.sleep(1)
            redis_server.start()  # empty: whatever was queued is gone; the outbox still has it
            second = harness.start_worker(env, tmp_path, name="second")
            harness.wait_until(
                lambda: set(receiver.accepted) >= expected,
                timeout=120,
                message="every live delivery accepted",
                logs=(second, relay_loop),
            )

            def dead_settled() -> bool:
                rows = database.rows("catalog_webhookdelivery", COLUMNS)
                return all(r["status"] in ("failed", "held") for r in rows if r["webhook_id"] == dead.pk)

            harness.wait_until(dead_settled, timeout=90, message="the dead webhook settled", logs=(second, relay_loop))
            time.sleep(2)  # anything sent twice would show up now
        finally:
            relay_loop.stop()
            if second:
                second.stop()
            worker.stop()

    rows = database.rows("catalog_webhookdelivery", COLUMNS)
    live_rows = [r for r in rows if r["webhook_id"] != dead.pk]
    dead_rows = [r for r in rows if r["webhook_id"] == dead.pk]
    assert receiver.bad_signatures == 0
    assert set(receiver.accepted) == expected
    received_twice = [d for d, n in receiver.accepted.items() if n > 1]
    # A second POST is possible only for a delivery the receiver answered just before the worker was killed and
    # before the worker could mark it sent; the receiver recognises it by its X-CST-Delivery id.
    assert len(received_twice) <= 1, received_twice
    assert {r["status"] for r in live_rows} == {"sent"}, harness.dump(live_rows)
    retried = sum(r["attempts"] - 1 for r in live_rows)
    assert retried >= TURNED_AWAY
    failed = sum(r["status"] == "failed" for r in dead_rows)
    held = sum(r["status"] == "held" for r in dead_rows)
    assert failed + held == 3 * SOLUTIONS and held > 0
    print(
        f"\nwebhook deliveries: {len(rows)} recorded for {3 * SOLUTIONS} events; live {len(live_rows)}: "
        f"{len(receiver.accepted)} accepted, {sum(receiver.accepted.values())} POSTs accepted "
        f"({len(received_twice)} received twice), {retried} retried attempts, {receiver.requests} requests in all; "
        f"dead server {len(dead_rows)}: {failed} failed, {held} held after the webhook was disabled"
    )
