from __future__ import annotations

from celery import shared_task


@shared_task(name="cstportal.ping")
def ping(payload: str = "") -> str:
    """Answer 'pong': proves that a worker receives and runs what the web process sends."""
    return f"pong {payload}".strip()
