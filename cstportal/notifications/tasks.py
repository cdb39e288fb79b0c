"""Celery tasks of the notifications: thin wrappers around delivery.py and relay.py."""

from __future__ import annotations

from celery import shared_task

from . import delivery, relay


@shared_task(
    name="notifications.send_delivery",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # The hard limit stays below NOTIFICATION_SENDING_TIMEOUT_SECONDS, so a claim is never taken over while its
    # worker may still be sending.
    time_limit=120,
    soft_time_limit=100,
)
def send_delivery(delivery_id: int) -> str:
    """Send one outbox row (by id); a second run of the same row does nothing."""
    return delivery.send_delivery(int(delivery_id))


@shared_task(name="notifications.relay_outbox", ignore_result=True, time_limit=60, soft_time_limit=50)
def relay_outbox() -> int:
    """Publish the due outbox rows (run by beat every few seconds)."""
    return relay.relay_outbox().count
