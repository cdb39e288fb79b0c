"""The outbox writer and the few state changes people make on their notifications.

`record_notifications` is what domain code calls (catalog.notices) inside its own transaction: it writes rows and
nothing else. It never talks to the broker; the relay does that later, from another process.
`record_notification_to_address` does the same for a reader who is not a person of the portal (the feedback
mailbox): no bell, one e-mail delivery through the same outbox.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Delivery, Notification

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS: tuple[str, ...] = (Delivery.Channel.EMAIL,)


def delivery_key(event_key: str, recipient_id: int, channel: str) -> str:
    """The unique key of one delivery: event × recipient × channel."""
    return f"{event_key}:user-{recipient_id}:{channel}"


def address_delivery_key(event_key: str, address: str, channel: str) -> str:
    """The unique key of one delivery to a bare address: event × address × channel. The address is digested so the
    key stays within its column whatever the address's length."""
    digest = hashlib.sha256(address.encode()).hexdigest()[:16]
    return f"{event_key}:address-{digest}:{channel}"


@transaction.atomic(savepoint=False)
def record_notifications(
    *,
    recipients: Iterable[Any],
    kind: str,
    event_key: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    actor: Any = None,
    channels: Sequence[str] = DEFAULT_CHANNELS,
) -> list[Notification]:
    """Write one in-app notification per recipient and one outbox row per recipient × channel.

    Runs in the caller's transaction (it joins it; it opens one only when called outside any), so the rows exist
    if and only if the change they report is committed. `message` is an Italian message id (marked with
    gettext_noop) formatted with `params` when shown. The actor is never told about their own action, inactive
    people are skipped, and people already told about `event_key` are skipped too: calling twice writes nothing
    new. Returns the notifications written.
    """
    actor_id = getattr(actor, "pk", None)
    people: dict[int, Any] = {}
    for person in recipients:
        if person is None or person.pk == actor_id or not getattr(person, "is_active", True):
            continue
        people.setdefault(person.pk, person)
    if not people:
        return []
    already = set(
        Notification.objects.filter(event_key=event_key, recipient_id__in=people).values_list("recipient_id", flat=True)
    )
    fresh = [pk for pk in people if pk not in already]
    if not fresh:
        return []
    params = dict(params or {})
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                actor_id=actor_id,
                kind=kind,
                event_key=event_key,
                message=str(message),
                params=params,
                url=url,
            )
            for pk in sorted(fresh)
        ]
    )
    _queue_deliveries(
        (notification, delivery_key(event_key, pk, channel), channel)
        for pk, notification in zip(sorted(fresh), notifications, strict=True)
        for channel in channels
    )
    return notifications


_SILENT: ContextVar[bool] = ContextVar("notifications_silent", default=False)


@contextmanager
def recorded_without_sending() -> Iterator[None]:
    """Within the block, notices are written in-app but no e-mail is queued: for history that is written after the
    fact (the demo's past events), which nobody should receive now."""
    token = _SILENT.set(True)
    try:
        yield
    finally:
        _SILENT.reset(token)


def _queue_deliveries(rows: Iterable[tuple[Notification, str, str]]) -> None:
    """The outbox rows (notification, delivery key, channel), due at once."""
    if _SILENT.get():
        return
    now = timezone.now()
    Delivery.objects.bulk_create(
        [Delivery(notification=n, channel=channel, key=key, due_at=now, available_at=now) for n, key, channel in rows]
    )


@transaction.atomic(savepoint=False)
def record_notification_to_address(
    *,
    address: str,
    kind: str,
    event_key: str,
    message: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    reply_to: str = "",
    channels: Sequence[str] = DEFAULT_CHANNELS,
) -> Notification:
    """Write a notice for an e-mail address that is not a person of the portal, and its outbox rows.

    Like `record_notifications` it joins the caller's transaction and never talks to the broker. The e-mail is in
    the portal's language (an address has no preferences) and its replies go to `reply_to` when given. Both
    addresses must be valid, single-line e-mail addresses (the caller validates them). Calling twice with the same
    `event_key` and `address` writes nothing new and returns the notification written the first time.
    """
    existing = Notification.objects.filter(event_key=event_key, recipient__isnull=True, address=address).first()
    if existing is not None:
        return existing
    notification = Notification.objects.create(
        address=address,
        reply_to=reply_to,
        kind=kind,
        event_key=event_key,
        message=str(message),
        params=dict(params or {}),
        url=url,
    )
    _queue_deliveries((notification, address_delivery_key(event_key, address, channel), channel) for channel in channels)
    return notification


def mark_notification_read(notification: Notification, *, by: Any) -> bool:
    """Mark one of `by`'s notifications as read. Returns False when it was already read."""
    if notification.recipient_id != by.pk:
        raise PermissionError("not the recipient")
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return bool(updated)


def mark_all_notifications_read(*, user: Any) -> int:
    """Mark every unread notification of `user` as read; returns how many changed."""
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def retry_delivery(delivery: Delivery, *, by: Any) -> bool:
    """Give a failed delivery a fresh round of attempts (CST staff). The relay publishes it within seconds.

    Compare-and-set on `failed`: a delivery that is not failed (anymore) is left alone and False is returned.
    """
    now = timezone.now()
    updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, due_at=now, available_at=now, claimed_at=None, updated_at=now
    )
    if updated:
        logger.info("delivery %s queued again by %s", delivery.key, getattr(by, "email", by))
    return bool(updated)
