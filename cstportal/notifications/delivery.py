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

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .emails import build_email
from .models import Delivery

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


def claim_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Take the delivery for this worker; None when there is nothing to do."""
    now = now or timezone.now()
    timeout = dt.timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS)
    claimable = Q(status=Delivery.Status.PENDING, available_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lte=now - timeout
    )
    claimed = Delivery.objects.filter(claimable, pk=delivery_id).update(
        status=Delivery.Status.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        # If this worker dies, the relay publishes the row again once the claim has expired.
        due_at=now + timeout,
        updated_at=now,
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)


def _finish(delivery: Delivery, **fields) -> bool:
    """Update the row only if it is still ours (same claim), so a late worker never overwrites a newer state."""
    fields.setdefault("updated_at", timezone.now())
    return bool(
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, attempts=delivery.attempts).update(
            **fields
        )
    )


def send_delivery(delivery_id: int) -> str:
    """Send one delivery if it is still to be sent. Returns what happened: sent, skipped, retry or failed."""
    delivery = claim_delivery(delivery_id)
    if delivery is None:
        return SKIPPED
    recipient = delivery.notification.recipient  # None for a notice to a bare address
    if recipient is not None and (not recipient.is_active or not recipient.email):
        _finish(delivery, status=Delivery.Status.FAILED, due_at=None, last_error="recipient inactive or without e-mail")
        return FAILED
    try:
        build_email(delivery).send(fail_silently=False)
    except TRANSIENT_ERRORS as exc:
        return _after_transient_error(delivery, exc)
    except Exception as exc:  # a bug or bad data: retrying will not help; show it to CST staff
        logger.exception("delivery %s failed permanently", delivery.key)
        _finish(delivery, status=Delivery.Status.FAILED, due_at=None, last_error=_describe(exc))
        return FAILED
    _finish(delivery, status=Delivery.Status.SENT, sent_at=timezone.now(), due_at=None, last_error="")
    return SENT


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:1000]


def _after_transient_error(delivery: Delivery, exc: BaseException) -> str:
    now = timezone.now()
    if delivery.attempts > settings.NOTIFICATION_MAX_RETRIES:
        logger.warning("delivery %s failed after %s attempts: %s", delivery.key, delivery.attempts, exc)
        _finish(delivery, status=Delivery.Status.FAILED, due_at=None, last_error=_describe(exc))
        return FAILED
    retry_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts))
    logger.info("delivery %s attempt %s failed (%s); next at %s", delivery.key, delivery.attempts, exc, retry_at)
    _finish(delivery, status=Delivery.Status.PENDING, available_at=retry_at, due_at=retry_at, last_error=_describe(exc))
    return RETRY
