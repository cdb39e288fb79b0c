"""Reachability of the database and the broker, for load balancers and monitoring."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import connection


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the reason is reported
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_broker(timeout: float = 1.0) -> dict:
    """Ask the broker for a sign of life, never waiting longer than `timeout` seconds."""
    started = time.monotonic()
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("redis"):
            import redis

            client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
            try:
                client.ping()
            finally:
                client.close()
            kind = "redis"
        else:
            folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
            folder.mkdir(parents=True, exist_ok=True)
            if not folder.is_dir():
                raise OSError("queue folder missing")
            kind = "filesystem"
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "kind": kind, "ms": round((time.monotonic() - started) * 1000, 1)}
