"""Webhooks: an API user's address told of the catalogue's events, and the outbox of their deliveries.

A `Webhook` belongs to one person (the API user of a body) and receives the events that person may see. Each event
for each webhook is one `WebhookDelivery`, written in the transaction of the change it reports (catalog.notices
calls catalog.webhooks.events) and sent by a worker (catalog.webhooks.delivery). The delivery row is an outbox row
(settings.OUTBOXES), with the same states as an e-mail's and two more:

    pending ──claim──▶ sending ──▶ sent
       ▲                  │  └──▶ skipped   (the subscriber can no longer see the object: nothing is sent)
       └──failed attempt──┘ (after a back-off; after the last retry ──▶ failed)
    held: the webhook is disabled; re-enabling it makes its held deliveries pending again.

`body` is the JSON document exactly as it is signed and sent: every retry sends the same bytes with the same
`delivery_id`, which the receiver uses to ignore a delivery it has already processed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models.adoptions import Adoption
from catalog.models.solutions import Solution
from cstportal.notifications.models import OutboxRow


class WebhookEvent(models.TextChoices):
    SOLUTION_PUBLISHED = "solution.published", _("Soluzione pubblicata")
    SOLUTION_UPDATED = "solution.updated", _("Soluzione pubblicata aggiornata")
    SOLUTION_RETIRED = "solution.retired", _("Soluzione ritirata")
    RELEASE_ADDED = "release.added", _("Nuovo rilascio")
    ADOPTION_STATUS_CHANGED = "adoption.status_changed", _("Cambio di stato di un'adozione")


class Webhook(models.Model):
    """An address (URL) and a shared secret that receive, signed, the events `owner` may see."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("titolare")
    )
    url = models.URLField(_("indirizzo"), max_length=500)
    # Kept as given: the HMAC needs it. Never shown again after registration.
    secret = models.CharField(_("segreto"), max_length=200)
    events = models.JSONField(_("eventi"), default=list)
    description = models.CharField(_("descrizione"), max_length=200, blank=True)
    is_active = models.BooleanField(_("attivo"), default=True)
    # Failed attempts in a row, whatever the delivery; a success resets it; at WEBHOOK_DISABLE_AFTER_FAILURES the
    # webhook is disabled until its owner enables it again.
    consecutive_failures = models.PositiveIntegerField(_("tentativi falliti di fila"), default=0)
    disabled_at = models.DateTimeField(_("disattivato il"), null=True, blank=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=True, disabled_at__isnull=True) | Q(is_active=False, disabled_at__isnull=False),
                name="webhook_disabled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return event in self.events


class WebhookDelivery(OutboxRow):
    """One event for one webhook: an outbox row sent at most once (module docstring); the columns the outboxes
    share come from cstportal.notifications.models.OutboxRow."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Da inviare")
        SENDING = "sending", _("In invio")
        SENT = "sent", _("Consegnata")
        FAILED = "failed", _("Non riuscita")
        HELD = "held", _("In attesa della riattivazione")
        SKIPPED = "skipped", _("Non inviata: non più visibile")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(_("identificativo"), default=uuid.uuid4, unique=True, editable=False)
    # What happened, once (the same key as the notices': an AdoptionEvent, a PublicationEvent, a Release).
    event_key = models.CharField(_("evento"), max_length=160)
    event = models.CharField(_("tipo di evento"), max_length=40, choices=WebhookEvent.choices)
    # What the subscriber must still be able to see when the delivery leaves.
    solution = models.ForeignKey(Solution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    adoption = models.ForeignKey(Adoption, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField(_("contenuto"))
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(_("consegnata il"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("ultimo stato HTTP"), null=True, blank=True)
    last_response = models.TextField(_("ultima risposta"), blank=True)

    class Meta:
        verbose_name = _("consegna di webhook")
        verbose_name_plural = _("consegne di webhook")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_key"], name="webhook_delivery_unique_event"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "held", "skipped"]),
                name="webhook_delivery_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="webhook_delivery_due"),
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.delivery_id})"
