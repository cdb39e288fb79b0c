"""Sending one webhook delivery, at most once whatever the broker does, and only to someone who may still see it.

The task receives a delivery id and re-reads everything. As for e-mails (cstportal.notifications.delivery):

1. claim: a conditional UPDATE moves the row `pending → sending` (or takes over a `sending` row whose worker died
   long enough ago); zero rows means somebody else has it: do nothing. A message the broker delivers twice sends
   one POST.
2. check: the webhook is still enabled (else the row is `held`), its owner may still see the object as it stands
   now (else `skipped`: a solution withdrawn before delivery is not sent to someone who can no longer see it);
3. POST the stored body through cstportal.fetch.send — the address checked and pinned as for every fetch, no
   redirect followed — signed with HMAC-SHA256 of the raw body under the webhook's secret;
4. a 2xx answer marks the row `sent` (guarded by the attempt number it was claimed with) and resets the webhook's
   failure count. Anything else (another status, a refused address, a timeout) is a failed attempt: the row goes
   back to `pending` after the outbox's back-off (NOTIFICATION_RETRY_*), `failed` after the last retry; and after
   WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row the webhook is disabled and the row `held`.

The window left is a worker killed after the receiver answered and before step 4: that POST goes again, with the
same X-CST-Delivery id, which is what a receiver uses to process each delivery once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from catalog import permissions
from catalog.models import Adoption, Solution, Webhook, WebhookDelivery
from cstportal.fetch import FetchError, send
from cstportal.notifications.delivery import backoff_seconds, claim_row, finish_row

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-CST-Signature"
DELIVERY_HEADER = "X-CST-Delivery"
EVENT_HEADER = "X-CST-Event"
RESPONSE_KEPT = 2000  # characters of the receiver's answer kept in the delivery log

SENT = "sent"
SKIPPED = "skipped"
RETRY = "retry"
FAILED = "failed"
HELD = "held"

Status = WebhookDelivery.Status


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the raw body under the secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def claim_webhook_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Take the delivery for this worker; None when there is nothing to do."""
    if not claim_row(WebhookDelivery, delivery_id, now=now):
        return None
    return WebhookDelivery.objects.select_related("webhook__owner").get(pk=delivery_id)


def still_visible(delivery: WebhookDelivery) -> bool:
    """Whether the webhook's owner may see the delivery's object as it stands now (read again, not the copy
    recorded with the event)."""
    solution = Solution.objects.filter(pk=delivery.solution_id).first() if delivery.solution_id else None
    adoption = Adoption.objects.filter(pk=delivery.adoption_id).first() if delivery.adoption_id else None
    return permissions.can_receive_webhook_event(
        delivery.webhook.owner, delivery.event, solution=solution, adoption=adoption
    )


def send_webhook_delivery(delivery_id: int) -> str:
    """Send one delivery if it is still to be sent. Returns what happened: sent, skipped, held, retry or failed."""
    delivery = claim_webhook_delivery(delivery_id)
    if delivery is None:
        return SKIPPED
    webhook = delivery.webhook
    if not webhook.is_active:
        finish_row(delivery, status=Status.HELD, due_at=None, attempts=F("attempts") - 1)
        return HELD
    if not still_visible(delivery):
        finish_row(
            delivery, status=Status.SKIPPED, due_at=None, last_error="not visible to the webhook's owner any more"
        )
        return SKIPPED
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(webhook.secret, body),
        DELIVERY_HEADER: str(delivery.delivery_id),
        EVENT_HEADER: delivery.event,
    }
    try:
        answer = send(webhook.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    except FetchError as exc:
        return _after_failure(delivery, error=f"{exc.__class__.__name__}: {exc}", status_code=None, response="")
    response = answer.body.decode("utf-8", errors="replace")[:RESPONSE_KEPT]
    if not answer.ok:
        return _after_failure(delivery, error=f"HTTP {answer.status}", status_code=answer.status, response=response)
    finish_row(
        delivery,
        status=Status.SENT,
        sent_at=timezone.now(),
        due_at=None,
        last_status_code=answer.status,
        last_response=response,
        last_error="",
    )
    Webhook.objects.filter(pk=webhook.pk).exclude(consecutive_failures=0).update(consecutive_failures=0)
    return SENT


def _after_failure(delivery: WebhookDelivery, *, error: str, status_code: int | None, response: str) -> str:
    now = timezone.now()
    log = {"last_error": error[:1000], "last_status_code": status_code, "last_response": response}
    webhook = delivery.webhook
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1, updated_at=now)
    failures = Webhook.objects.filter(pk=webhook.pk).values_list("consecutive_failures", flat=True).first() or 0
    if failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        disabled = Webhook.objects.filter(pk=webhook.pk, is_active=True).update(
            is_active=False, disabled_at=now, updated_at=now
        )
        if disabled:
            logger.warning("webhook %s disabled after %s failed attempts in a row", webhook.pk, failures)
        finish_row(delivery, status=Status.HELD, due_at=None, **log)
        return HELD
    if delivery.attempts > settings.NOTIFICATION_MAX_RETRIES:
        logger.info("webhook delivery %s failed after %s attempts: %s", delivery.delivery_id, delivery.attempts, error)
        finish_row(delivery, status=Status.FAILED, due_at=None, **log)
        return FAILED
    retry_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts))
    finish_row(delivery, status=Status.PENDING, available_at=retry_at, due_at=retry_at, **log)
    return RETRY
