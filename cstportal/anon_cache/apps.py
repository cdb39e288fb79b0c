from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

_RECEIVERS: list = []


class AnonCacheConfig(AppConfig):
    """Connects the invalidation of the anonymous page cache to the models named in the settings.

    `settings.ANON_CACHE_INVALIDATED_BY` maps a namespace to model labels ("app_label.Model"; a many-to-many
    relation through its automatic model, e.g. "catalog.Solution_categories"). Signals are connected in every
    process (web, workers, management commands), so a change made anywhere invalidates the pages.
    """

    name = "cstportal.anon_cache"
    label = "anon_cache"
    verbose_name = "Anonymous page cache"

    def ready(self) -> None:
        for namespace, labels in getattr(settings, "ANON_CACHE_INVALIDATED_BY", {}).items():
            receiver = _receiver_for(namespace)
            _RECEIVERS.append(receiver)  # signals hold weak references
            for label in labels:
                uid = f"anon_cache.{namespace}.{label}"
                post_save.connect(receiver, sender=label, dispatch_uid=f"{uid}.save")
                post_delete.connect(receiver, sender=label, dispatch_uid=f"{uid}.delete")
                m2m_changed.connect(receiver, sender=label, dispatch_uid=f"{uid}.m2m")


def _receiver_for(namespace: str):
    from . import invalidate

    def stale(sender: Any, **kwargs: Any) -> None:
        # Now, and again after the commit: a page rendered by another request between the write and the commit
        # must not stay cached with the old data.
        invalidate(namespace)
        transaction.on_commit(lambda: invalidate(namespace), robust=True)

    return stale
