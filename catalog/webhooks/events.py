"""Recording webhook events: called by catalog.notices inside the service's transaction, it writes one outbox row
per webhook that wants the event and whose owner may see it now. Nothing is sent here: the relay hands the rows
to the workers (catalog.webhooks.delivery), which check the owner's sight again before sending.

The document sent is fixed here, once, so that every retry carries the same bytes and the same id:

    {"id": "<delivery id>", "event": "solution.published", "occurred_at": "2026-01-31T08:00:00Z",
     "data": {"solution": {...}, "release": {...}, "adoption": {...}}}

`data` names the objects (with the API address of each) rather than copying them: the receiver reads the details
through the API with its own token, which applies its own rights at that moment.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog import permissions
from catalog.models import Adoption, Release, Solution, Webhook, WebhookDelivery, WebhookEvent


def _api_url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def solution_data(solution: Solution) -> dict[str, Any]:
    return {
        "slug": solution.slug,
        "name": solution.name,
        "status": solution.status,
        "owner": solution.owner.key,
        "url": _api_url("api:solution-detail", slug=solution.slug),
    }


def adoption_data(adoption: Adoption, *, from_status: str, action: str) -> dict[str, Any]:
    return {
        "id": adoption.pk,
        "status": adoption.status,
        "from_status": from_status or None,
        "action": action,
        "solution": adoption.solution.slug,
        "municipality": adoption.body.key,
        "url": _api_url("api:adoption-detail", pk=adoption.pk),
    }


def release_data(release: Release) -> dict[str, Any]:
    return {"version": release.version, "date": release.date.isoformat()}


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def record_webhook_event(
    *,
    event: WebhookEvent,
    event_key: str,
    data: dict[str, Any],
    solution: Solution | None = None,
    adoption: Adoption | None = None,
) -> list[WebhookDelivery]:
    """Write one delivery per webhook that wants `event` and whose owner may see it, in the caller's transaction.

    `event_key` names what happened, once: recording the same key again writes nothing for a webhook that already
    has it. A disabled webhook gets its delivery `held`, sent when its owner enables it again. Returns the rows."""
    webhooks = [
        webhook
        for webhook in Webhook.objects.select_related("owner").filter(owner__is_active=True).order_by("pk")
        if webhook.wants(event)
        and permissions.can_receive_webhook_event(webhook.owner, event, solution=solution, adoption=adoption)
    ]
    if not webhooks:
        return []
    already = set(
        WebhookDelivery.objects.filter(event_key=event_key, webhook__in=webhooks).values_list("webhook_id", flat=True)
    )
    now = timezone.now()
    rows = []
    for webhook in webhooks:
        if webhook.pk in already:
            continue
        delivery_id = uuid.uuid4()
        body = json.dumps(
            {"id": str(delivery_id), "event": str(event), "occurred_at": _timestamp(now), "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        held = not webhook.is_active
        rows.append(
            WebhookDelivery(
                webhook=webhook,
                delivery_id=delivery_id,
                event_key=event_key,
                event=event,
                solution=solution,
                adoption=adoption,
                body=body,
                status=WebhookDelivery.Status.HELD if held else WebhookDelivery.Status.PENDING,
                due_at=None if held else now,
                available_at=now,
            )
        )
    return WebhookDelivery.objects.bulk_create(rows)
