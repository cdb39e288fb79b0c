"""The webhooks' state changes: registering one, enabling it again after it was disabled, removing it.

A webhook's address obeys the rules of every address the portal calls (cstportal.fetch): http(s) only, no
credentials, and no private, loopback or otherwise non-public address unless its host is in FETCH_ALLOWED_HOSTS.
It is checked here, when registered, and again at every delivery (the name is resolved then and the connection
pinned to the address checked), since what a name points to may change in between.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog import permissions
from catalog.models import Webhook, WebhookDelivery, WebhookEvent
from cstportal.errors import Conflict, Invalid, NotAllowed
from cstportal.fetch import FetchError, check_url
from municipalities.models import User

SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 200
URL_MAX_LENGTH = 500


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = {str(event) for event in events}
    if not chosen or not chosen <= set(WebhookEvent.values):
        raise Invalid(errors={"events": _("Scegli uno o più eventi tra quelli elencati.")})
    return [event for event in WebhookEvent.values if event in chosen]  # in the vocabulary's order


def _check_address(url: str) -> str:
    url = url.strip()
    if not url or len(url) > URL_MAX_LENGTH:
        raise Invalid(
            errors={"url": _("Indica un indirizzo https:// di al massimo %(max)s caratteri.") % {"max": URL_MAX_LENGTH}}
        )
    try:
        check_url(url)
    except FetchError as exc:
        raise Invalid(errors={"url": exc.message})
    return url


@transaction.atomic
def register_webhook(*, owner: User, url: str, secret: str, events: Iterable[str], description: str = "") -> Webhook:
    """Register `url` to receive `events` that `owner` may see, signed with `secret`.

    Preconditions: `owner` may register webhooks (a role in a body, or CST staff and analysts). Refusals: the
    address is not one the portal calls, the secret is shorter than 16 characters, an event is unknown, or the
    owner already has WEBHOOKS_PER_PERSON webhooks. Effects: the webhook, enabled."""
    if not permissions.can_register_webhook(owner):
        raise NotAllowed(_("Registrano webhook le persone di un ente, lo staff del CST e gli analisti."))
    errors: dict[str, object] = {}
    try:
        url = _check_address(url)
    except Invalid as exc:
        errors.update(exc.errors)
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH:
        errors["secret"] = _("Il segreto deve avere da %(min)s a %(max)s caratteri.") % {
            "min": SECRET_MIN_LENGTH,
            "max": SECRET_MAX_LENGTH,
        }
    try:
        chosen = _clean_events(events)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(_("Il webhook non è valido."), errors=errors)
    if Webhook.objects.select_for_update().filter(owner=owner).count() >= settings.WEBHOOKS_PER_PERSON:
        raise Conflict(
            _("Hai già %(count)s webhook: togline uno prima di aggiungerne un altro.")
            % {"count": settings.WEBHOOKS_PER_PERSON}
        )
    return Webhook.objects.create(
        owner=owner, url=url, secret=secret, events=chosen, description=description.strip()[:200]
    )


@transaction.atomic
def enable_webhook(webhook: Webhook, *, by: User) -> Webhook:
    """Enable a disabled webhook again (its owner): the failure count starts from zero and the deliveries held
    while it was disabled are sent, each with a fresh round of attempts. Enabling an enabled webhook changes
    nothing."""
    if not permissions.can_manage_webhook(by, webhook):
        raise NotAllowed
    now = timezone.now()
    enabled = Webhook.objects.filter(pk=webhook.pk, is_active=False).update(
        is_active=True, disabled_at=None, consecutive_failures=0, updated_at=now
    )
    if enabled:
        WebhookDelivery.objects.filter(webhook=webhook, status=WebhookDelivery.Status.HELD).update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            due_at=now,
            available_at=now,
            claimed_at=None,
            updated_at=now,
        )
    webhook.refresh_from_db()
    return webhook


@transaction.atomic
def delete_webhook(webhook: Webhook, *, by: User) -> None:
    """Remove a webhook and its delivery log (its owner). Deliveries in flight find no row and send nothing."""
    if not permissions.can_manage_webhook(by, webhook):
        raise NotAllowed
    webhook.delete()
