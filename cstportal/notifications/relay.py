"""The relay: publishes due outbox rows to Celery, never inside a database transaction.

An outbox is a table whose rows are work for the workers, written by the web request in its own transaction: the
deliveries of notifications, the reports people asked for. `settings.OUTBOXES` names each one (the model, by
label) with the task that does its work (by name, called with the row's id). An outbox row has `due_at` (when the
relay should publish it; null when nothing is left to do) and `published_at`. For each outbox, in turn:

1. In a short transaction, pick the due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, so several relays share the
   work) and lease them: `due_at` moves forward by NOTIFICATION_REPUBLISH_AFTER_SECONDS.
2. Outside any transaction, publish each id with short broker timeouts. The first failure stops the pass (the
   broker is down: no point waiting on each row) and the unpublished rows are made due again at once.

A row whose message is lost after publishing (a broker restarted empty) comes back when its lease runs out; a
second message for a row already done is harmless: each task claims its row with a compare-and-set, and moves
`due_at` past its own time limit while it works, so that a row whose worker died becomes due again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# Publishing must never hang: one quick retry, then give up until the next relay tick.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

Publish = Callable[[str, int], None]  # (task name, row id); raises when the broker cannot take it


@dataclass
class RelayResult:
    published: list[tuple[str, int]] = field(default_factory=list)
    unpublished: list[tuple[str, int]] = field(default_factory=list)
    error: str = ""

    @property
    def count(self) -> int:
        return len(self.published)


def publish_task(task: str, row_id: int) -> None:
    """Hand one row id to the Celery task named `task`. Raises when the broker cannot take it."""
    from cstportal.celery import app

    app.send_task(task, args=[row_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY)


def outboxes() -> list[tuple[type[models.Model], str]]:
    return [(apps.get_model(label), task) for label, task in settings.OUTBOXES.items()]


def lease_due(model: type[models.Model], *, limit: int, now: dt.datetime) -> list[int]:
    """Pick up to `limit` due rows and move their `due_at` past the lease, in one short transaction."""
    lease_until = now + dt.timedelta(seconds=settings.NOTIFICATION_REPUBLISH_AFTER_SECONDS)
    manager = model._default_manager
    with transaction.atomic():
        rows = manager.filter(due_at__isnull=False, due_at__lte=now).order_by("due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if ids:
            manager.filter(pk__in=ids).update(due_at=lease_until)
    return ids


def relay_outbox(*, limit: int | None = None, publish: Publish | None = None) -> RelayResult:
    """Publish the due rows of every outbox; returns which were published and which stay due."""
    publish = publish or publish_task
    now = timezone.now()
    lease_until = now + dt.timedelta(seconds=settings.NOTIFICATION_REPUBLISH_AFTER_SECONDS)
    result = RelayResult()
    for model, task in outboxes():
        ids = lease_due(model, limit=limit or settings.NOTIFICATION_RELAY_BATCH, now=now)
        published: list[int] = []
        for index, pk in enumerate(ids):
            try:
                publish(task, pk)
            except Exception as exc:  # the broker is unreachable, frozen or refusing: keep the rest for later
                result.error = f"{exc.__class__.__name__}: {exc}"
                result.unpublished = [(task, row) for row in ids[index:]]
                logger.warning("outbox relay: broker unavailable (%s); %s rows stay due", result.error, len(ids) - index)
                # Only rows still under our lease: a row a worker has claimed meanwhile keeps its own due time.
                model._default_manager.filter(pk__in=ids[index:], due_at=lease_until).update(due_at=now)
                break
            published.append(pk)
        if published:
            model._default_manager.filter(pk__in=published).update(published_at=now)
            result.published += [(task, pk) for pk in published]
        if result.error:
            break
    return result
