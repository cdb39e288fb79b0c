"""Reachability of the database, the broker and the cache, for load balancers and monitoring.

Every probe is bounded by a short timeout, so /healthz stays quick whatever is down; a broker found unreachable is
reported as such for `BROKER_RECHECK_SECONDS` without asking again, and the cache's answer comes from the circuit
breaker the portal itself uses (cstportal/cache.py), so /healthz says what the requests see.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .cache import UNREACHABLE, circuit_breaker, redacted_url

PROBE_TIMEOUT_SECONDS = 0.5
BROKER_RECHECK_SECONDS = 10.0


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason is reported
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_broker(timeout: float = PROBE_TIMEOUT_SECONDS) -> dict:
    """Ask the broker for a sign of life, never waiting longer than `timeout` seconds."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return {"ok": False, "kind": "filesystem", "error": exc.__class__.__name__}
        return {"ok": True, "kind": "filesystem"}

    import redis

    breaker = circuit_breaker(f"broker {redacted_url(url)}", open_seconds=BROKER_RECHECK_SECONDS)
    if not breaker.allow():
        return {"ok": False, "kind": "redis", "error": breaker.last_error,
                "retry_in": round(breaker.seconds_to_retry(), 1)}
    started = time.monotonic()
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    except (redis.RedisError, *UNREACHABLE) as exc:
        breaker.failed(exc)
        return {"ok": False, "kind": "redis", "error": exc.__class__.__name__}
    finally:
        client.close()
    breaker.succeeded()
    return {"ok": True, "kind": "redis", "ms": round((time.monotonic() - started) * 1000, 1)}


def check_cache() -> dict:
    """The shared cache as the requests of this process see it; a per-process cache is always there."""
    health = getattr(cache, "health", None)
    if health is None:
        return {"ok": True, "kind": "local"}
    return health()
