"""Sending one delivery, at most once, whatever the broker does.

The task receives only a delivery id and re-reads everything from the database. The row's state is the truth:

1. claim: a conditional UPDATE moves the row `pending → sending` (or takes over a `sending` row whose worker died
   long enough ago). Zero rows updated means somebody else sent it, is sending it, or it failed: do nothing.
   So a message delivered twice by the broker (acks_late, a reconnect, the visibility timeout) sends one e-mail.
2. send the e-mail;
3. mark it `sent`, guarded by the attempt number we claimed with.

A transient error (SMTP refusing, a socket error) puts the row back to `pending` with a back-off, doubled at each
attempt; the relay publishes it again when the back-off has passed (no Celery retry: a retry kept in the database
survives a broker restart and a lost worker). After the last retry the row is `failed`, visible to CST staff.

The one window left is a worker killed after the SMTP server accepted the message and before step 3: that e-mail
may go out twice. It is as small as one UPDATE; the stable Message-ID lets mail clients fold such a pair.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .emails import build_email
from .models import Delivery, OutboxRow

logger = logging.getLogger(__name__)

# Errors worth retrying: the mail server is down, refuses for now, or the network failed.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)

SENT = "sent"
SKIPPED = "skipped"
RETRY = "retry"
FAILED = "failed"


def backoff_seconds(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th failed attempt (1-based): BASE·2^(attempt-1), capped."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempt - 1, 0), settings.NOTIFICATION_RETRY_MAX_SECONDS))


def retry_schedule() -> list[int]:
    """The gaps between attempts of a delivery that never succeeds (for the docs and the tests)."""
    return [backoff_seconds(n) for n in range(1, settings.NOTIFICATION_MAX_RETRIES + 1)]


def claim_row(model: type[OutboxRow], row_id: int, *, now: dt.datetime | None = None) -> bool:
    """Take outbox row `row_id` of `model` for this worker: a compare-and-set from `pending` (its back-off over) or
    from a `sending` whose claim has expired (its worker died). False when somebody else has it or nothing is left
    to do. While the worker works, `due_at` moves past the claim's time limit, so that the relay publishes the row
    again if this worker dies."""
    now = now or timezone.now()
    timeout = dt.timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS)
    claimable = Q(status="pending", available_at__lte=now) | Q(status="sending", claimed_at__lte=now - timeout)
    return bool(
        model._default_manager.filter(claimable, pk=row_id).update(
            status="sending", attempts=F("attempts") + 1, claimed_at=now, due_at=now + timeout, updated_at=now
        )
    )


def finish_row(row: OutboxRow, **fields: Any) -> bool:
    """Update the claimed row only if it is still ours (same claim), so a late worker never overwrites a newer
    state. False when the claim was taken over."""
    fields.setdefault("updated_at", timezone.now())
    return bool(type(row)._default_manager.filter(pk=row.pk, status="sending", attempts=row.attempts).update(**fields))


def claim_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Take the delivery for this worker; None when there is nothing to do."""
    if not claim_row(Delivery, delivery_id, now=now):
        return None
    return Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)


def send_delivery(delivery_id: int) -> str:
    """Send one delivery if it is still to be sent. Returns what happened: sent, skipped, retry or failed."""
    delivery = claim_delivery(delivery_id)
    if delivery is None:
        return SKIPPED
    recipient = delivery.notification.recipient  # None for a notice to a bare address
    if recipient is not None and (not recipient.is_active or not recipient.email):
        finish_row(
            delivery, status=Delivery.Status.FAILED, due_at=None, last_error="recipient inactive or without e-mail"
        )
        return FAILED
    try:
        build_email(delivery).send(fail_silently=False)
    except TRANSIENT_ERRORS as exc:
        return _after_transient_error(delivery, exc)
    except Exception as exc:  # a bug or bad data: retrying will not help; show it to CST staff
        logger.exception("delivery %s failed permanently", delivery.key)
        finish_row(delivery, status=Delivery.Status.FAILED, due_at=None, last_error=_describe(exc))
        return FAILED
    finish_row(delivery, status=Delivery.Status.SENT, sent_at=timezone.now(), due_at=None, last_error="")
    return SENT


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:1000]


def _after_transient_error(delivery: Delivery, exc: BaseException) -> str:
    now = timezone.now()
    if delivery.attempts > settings.NOTIFICATION_MAX_RETRIES:
        logger.warning("delivery %s failed after %s attempts: %s", delivery.key, delivery.attempts, exc)
        finish_row(delivery, status=Delivery.Status.FAILED, due_at=None, last_error=_describe(exc))
        return FAILED
    retry_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts))
    logger.info("delivery %s attempt %s failed (%s); next at %s", delivery.key, delivery.attempts, exc, retry_at)
    finish_row(
        delivery, status=Delivery.Status.PENDING, available_at=retry_at, due_at=retry_at, last_error=_describe(exc)
    )
    return RETRY
