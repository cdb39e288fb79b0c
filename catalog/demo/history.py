"""The demo's notices dated by the events they report: the services wrote them "now" while the demo was told, after
which the events themselves were moved back to when the story says they happened."""

from __future__ import annotations

from catalog.models import AdoptionEvent, PublicationEvent
from cstportal.notifications.models import Notification

# The notices' event keys (catalog.notices) and the rows that carry each event's date.
_EVENTS = (("adoption-event:", AdoptionEvent), ("publication-event:", PublicationEvent))


def seed(*, password: str) -> str:
    """Give every notice of an adoption or publication event its event's date. Idempotent."""
    dated = 0
    for prefix, model in _EVENTS:
        for key, moment in model.objects.values_list("pk", "created_at").iterator():
            dated += Notification.objects.filter(event_key=f"{prefix}{key}").exclude(created_at=moment).update(
                created_at=moment
            )
    return f"notifiche dimostrative datate: {dated}"

