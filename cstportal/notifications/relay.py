"""The relay: publishes due outbox rows to Celery, never inside a database transaction.

1. In a short transaction, pick the due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so several relays share the
   work) and lease them: `due_at` moves forward by NOTIFICATION_REPUBLISH_AFTER_SECONDS.
2. Outside any transaction, publish each id with short broker timeouts. The first failure stops the batch (the
   broker is down: no point waiting on each row) and the unpublished rows are made due again at once.

A row whose message is lost after publishing (a broker restarted empty) comes back when its lease runs out; a
second message for a row already sent is harmless (the task's claim makes it a no-op).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import Delivery

logger = logging.getLogger(__name__)

# Publishing must never hang: one quick retry, then give up until the next relay tick.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


@dataclass
class RelayResult:
    published: list[int] = field(default_factory=list)
    unpublished: list[int] = field(default_factory=list)
    error: str = ""

    @property
    def count(self) -> int:
        return len(self.published)


def publish_delivery(delivery_id: int) -> None:
    """Hand one delivery id to Celery. Raises when the broker cannot take it."""
    from .tasks import send_delivery

    send_delivery.apply_async(args=[delivery_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)


def lease_due_deliveries(*, limit: int, now: dt.datetime) -> list[int]:
    """Pick up to `limit` due rows and move their `due_at` past the lease, in one short transaction."""
    lease_until = now + dt.timedelta(seconds=settings.NOTIFICATION_REPUBLISH_AFTER_SECONDS)
    with transaction.atomic():
        rows = Delivery.objects.due(now).order_by("due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(due_at=lease_until, updated_at=now)
    return ids


def relay_outbox(*, limit: int | None = None, publish: Callable[[int], None] | None = None) -> RelayResult:
    """Publish the due deliveries; returns which were published and which stay due."""
    publish = publish or publish_delivery
    now = timezone.now()
    ids = lease_due_deliveries(limit=limit or settings.NOTIFICATION_RELAY_BATCH, now=now)
    result = RelayResult()
    for index, pk in enumerate(ids):
        try:
            publish(pk)
        except Exception as exc:  # the broker is unreachable, frozen or refusing: keep the rest for later
            result.unpublished = ids[index:]
            result.error = f"{exc.__class__.__name__}: {exc}"
            logger.warning("outbox relay: broker unavailable (%s); %s rows stay due", result.error, len(ids) - index)
            break
        result.published.append(pk)
    if result.published:
        Delivery.objects.filter(pk__in=result.published).update(published_at=now)
    if result.unpublished:
        # Only rows still under our lease: a row a worker has claimed meanwhile keeps its own due time.
        lease_until = now + dt.timedelta(seconds=settings.NOTIFICATION_REPUBLISH_AFTER_SECONDS)
        Delivery.objects.filter(pk__in=result.unpublished, due_at=lease_until).update(due_at=now, updated_at=now)
    return result
