"""Values cached under a namespace *version*, so that one change makes every value of the namespace stale at once.

Why versions rather than deleting keys: a namespace holds many values (a page per URL and language, a set of figures
per filter) and nobody can list their keys when a row changes. Each value is stored with the namespace's current
version; `bump()` writes a new version, and the older values are never read again and expire with their lifetime.

The version lives in the shared Django cache (Redis in production, behind the circuit breaker of cstportal/cache.py),
so that a bump made by any process (web, worker, management command) reaches all of them. A reader may accept a
version read up to `max_age` seconds ago: each process keeps the last version it read, and a bump updates it at once
in the process that made it. The anonymous page cache accepts a few seconds, so that a hit needs no round trip to
Redis; the dashboards accept none, so that a person sees the effect of their own action on the next page.

The cache is an accelerator: `bump()` and `get_or_compute()` never raise because of it. A bump lost during an outage
is not left behind: the breaker deletes the keys of the writes it dropped when Redis answers again.

Which changes make a namespace stale is declared by the app that owns the models (`bump_on_change`, called from its
AppConfig.ready), so that this module knows no model of any app.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_known: dict[str, tuple[str, float]] = {}  # namespace -> (version, when this process read or wrote it)


def version_key(namespace: str) -> str:
    return f"version:{namespace}"


def version(namespace: str, *, max_age: float = 0.0) -> str:
    """The current version of `namespace`, as read at most `max_age` seconds ago. Raises if the cache does."""
    with _lock:
        known = _known.get(namespace)
    if known is not None and max_age > 0 and time.monotonic() - known[1] < max_age:
        return known[0]
    current = cache.get(version_key(namespace))
    if current is None:
        # First use (or the key was lost): agree with the other processes on one version rather than each its own.
        cache.add(version_key(namespace), uuid.uuid4().hex, None)
        current = cache.get(version_key(namespace))
        if current is None:
            # A cache that forgets what it is given (unreachable, behind its breaker): not a version to remember,
            # since `recent_version` would hand it out as the current one.
            return "0"
    with _lock:
        _known[namespace] = (current, time.monotonic())
    return current


def recent_version(namespace: str, *, max_age: float) -> str | None:
    """The version this process read or wrote less than `max_age` seconds ago, or None (no read at all)."""
    with _lock:
        known = _known.get(namespace)
    if known is not None and max_age > 0 and time.monotonic() - known[1] < max_age:
        return known[0]
    return None


def current_version(namespace: str) -> str | None:
    """The version of `namespace` read now, or None when the cache cannot tell (unreachable, or answering as an
    empty cache behind its breaker). For a caller that must never take an old version for the current one (an
    ETag decides a 304 with it): on None it finds out from the data instead."""
    try:
        current = cache.get(version_key(namespace))
        if current is None:
            cache.add(version_key(namespace), uuid.uuid4().hex, None)
            current = cache.get(version_key(namespace))  # None again: the cache forgets what it is given
    except Exception:
        logger.warning("cache unavailable: version of %s unknown", namespace, exc_info=True)
        return None
    if current is not None:
        with _lock:
            _known[namespace] = (current, time.monotonic())
    return current


def bump(namespace: str) -> None:
    """Make every value of `namespace` stale. Never raises: a cache outage must not break the save that called it."""
    new = uuid.uuid4().hex
    with _lock:
        _known[namespace] = (new, time.monotonic())
    try:
        cache.set(version_key(namespace), new, None)
    except Exception:
        logger.warning("cache unavailable: %s not invalidated", namespace, exc_info=True)


def get_or_compute(namespace: str, key: str, compute: Callable[[], Any], timeout: int) -> Any:
    """The value cached for `key` in the current version of `namespace`, computed and stored when missing.

    `compute()` must not return None (None means "not cached"). With the cache unreachable, it is simply computed.
    """
    try:
        full_key = f"{namespace}:{version(namespace)}:{key}"
        found = cache.get(full_key)
    except Exception:
        logger.warning("cache unavailable: computing %s:%s", namespace, key, exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(full_key, value, timeout)
    except Exception:
        logger.warning("cache unavailable: %s:%s not stored", namespace, key, exc_info=True)
    return value


def forget_local_versions() -> None:
    """Forget the versions this process has read, as a fresh process would (tests)."""
    with _lock:
        _known.clear()


def bump_on_change(namespace: str, *senders: type[Model]) -> None:
    """Bump `namespace` whenever a row of one of `senders` is saved or deleted, or a many-to-many relation changes
    (pass its `through` model). Connected in every process, so a change made anywhere reaches the cached values."""

    def stale(sender: Any, **kwargs: Any) -> None:
        # Now, and again after the commit: a value computed by another request between the write and the commit
        # must not stay cached with the old data.
        bump(namespace)
        transaction.on_commit(lambda: bump(namespace), robust=True)

    for sender in senders:
        uid = f"versioned_cache.{namespace}.{sender._meta.label}"
        post_save.connect(stale, sender=sender, weak=False, dispatch_uid=f"{uid}.save")
        post_delete.connect(stale, sender=sender, weak=False, dispatch_uid=f"{uid}.delete")
        m2m_changed.connect(stale, sender=sender, weak=False, dispatch_uid=f"{uid}.m2m")
