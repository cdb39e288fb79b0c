"""In-app notifications and the outbox of their deliveries.

A `Notification` is what a person sees under the bell; it is written in the same transaction as the change it
reports, so it is visible at once. A `Delivery` is one row of the transactional outbox: the same notice sent on
another channel (e-mail), with a unique key (event × recipient × channel) and its own small state machine:

    pending ──claim──▶ sending ──▶ sent
       ▲                  │
       └──transient error─┘ (after a back-off; after the last retry ──▶ failed)

`due_at` says when the relay should (re)publish the row to the broker; NULL means there is nothing left to do.

A notice is for a person of the portal (`recipient`) or, when the reader has no account (the feedback mailbox,
settings.FEEDBACK_EMAIL), for a bare e-mail `address`: exactly one of the two, checked by the database. An address
has no bell, so its notice is only ever delivered; it rides the same outbox, with the same retries, and a failure
shows on the same deliveries page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .querysets import DeliveryQuerySet, NotificationQuerySet


class Notification(models.Model):
    """One notice for one person. The text is kept as an Italian message id plus parameters and translated when
    shown, so that each reader sees it in their own language."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("destinatario"),
    )
    # Set only when the recipient is not a person of the portal.
    address = models.EmailField(_("indirizzo del destinatario"), blank=True)
    # Where a reply goes, when it should not go back to the portal's sender (a visitor's feedback).
    reply_to = models.EmailField(_("rispondi a"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("autore"),
    )
    kind = models.CharField(_("tipo"), max_length=60)
    # What happened, once: an AdoptionEvent, a PublicationEvent, a Release, a reminder crossing.
    event_key = models.CharField(_("evento"), max_length=160)
    message = models.CharField(_("messaggio (testo originale)"), max_length=300)
    params = models.JSONField(_("parametri"), default=dict, blank=True)
    url = models.CharField(_("pagina"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)
    read_at = models.DateTimeField(_("letta il"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notifica")
        verbose_name_plural = _("notifiche")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="notification_unique_event_recipient"),
            models.UniqueConstraint(
                fields=["event_key", "address"],
                condition=Q(recipient__isnull=True),
                name="notification_unique_event_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, address="") | (Q(recipient__isnull=True) & ~Q(address="")),
                name="notification_recipient_or_address",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_recent"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def recipient_email(self) -> str:
        """Where the e-mail of this notice goes: the person's address, or the bare one."""
        return self.recipient.email if self.recipient_id is not None else self.address

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The message in the active language."""
        template = gettext(self.message)
        try:
            return template % self.params
        except (KeyError, TypeError, ValueError):
            return template

    @property
    def note(self) -> str:
        return str(self.params.get("note", "") or "")


class OutboxRow(models.Model):
    """The columns of a row of an outbox sent at most once (cstportal/notifications/relay.py, the claim and the
    guarded finish of cstportal/notifications/delivery.py): e-mail deliveries here, webhook deliveries in the
    catalogue. Each outbox adds its `status` (at least `pending` and `sending`, as the claim expects), what it sends
    and to whom."""

    attempts = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    # When the relay should publish the row (again); NULL once sent or failed.
    due_at = models.DateTimeField(_("da pubblicare dal"), null=True, blank=True)
    # Not before: a retry waits for its back-off even if a stray message arrives early.
    available_at = models.DateTimeField(_("tentativo possibile dal"))
    published_at = models.DateTimeField(_("pubblicata il"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("presa in carico il"), null=True, blank=True)
    last_error = models.TextField(_("ultimo errore"), blank=True)
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)

    class Meta:
        abstract = True


class Delivery(OutboxRow):
    """One outbox row: a notification to be sent on one channel, at most once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Da inviare")
        SENDING = "sending", _("In invio")
        SENT = "sent", _("Inviata")
        FAILED = "failed", _("Non riuscita")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notifica")
    )
    channel = models.CharField(_("canale"), max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    key = models.CharField(_("chiave di consegna"), max_length=200, unique=True)
    status = models.CharField(_("stato"), max_length=20, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(_("inviata il"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("invio")
        verbose_name_plural = _("invii")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_notification_channel"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]), name="delivery_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="delivery_due"),
            models.Index(fields=["status", "-created_at"], name="delivery_status_recent"),
        ]

    def __str__(self) -> str:
        return self.key
