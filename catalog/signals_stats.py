"""Keep the cached figures of catalog.stats fresh: any change to what they count makes them stale.

Workflow transitions are compare-and-set UPDATEs (no post_save on the adoption), but each writes an AdoptionEvent,
which is why events are watched too. The version is bumped at once and again after the commit, so that a figure
recomputed by another request between the write and the commit cannot stay cached.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import stats


def _stale(sender: Any, **kwargs: Any) -> None:
    stats.invalidate()
    transaction.on_commit(stats.invalidate, robust=True)


def connect() -> None:
    from municipalities.models import Body

    from .models import Adoption, AdoptionEvent, Release, Solution

    for model in (Solution, Release, Adoption, AdoptionEvent, Body):
        uid = f"catalog.stats.{model.__name__}"
        post_save.connect(_stale, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_stale, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(_stale, sender=Solution.categories.through, dispatch_uid="catalog.stats.categories")
