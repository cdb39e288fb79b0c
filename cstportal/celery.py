"""The Celery application.

JSON only, late acknowledgement (a task whose worker dies is delivered again), one message prefetched at a time,
short broker timeouts so that a frozen broker never holds anybody for long, and hard limits on task time.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstportal.settings")

app = Celery("cstportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=300,
    task_soft_time_limit=240,
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    broker_pool_limit=4,
    redis_socket_timeout=2,
    redis_socket_connect_timeout=2,
    result_expires=3600,
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    timezone="Europe/Rome",
    worker_hijack_root_logger=False,
    beat_schedule_filename=os.environ.get("CELERY_BEAT_SCHEDULE", "var/celerybeat-schedule"),
)
app.autodiscover_tasks()
# The adoption reminders live with the rest of "who is told what", in catalog/notices.py.
app.autodiscover_tasks(["catalog"], related_name="notices")


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender: Celery, **kwargs: object) -> None:
    """The server-less broker keeps its queues in folders that must exist before anybody writes to them. Run when
    the app first reads its configuration, not at import: a settings module that starts from the portal's (the
    benchmark's, a test's) imports this package before it is complete."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        return
    from pathlib import Path

    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)
    Path(settings.CELERY_DATA_DIR, "results").mkdir(parents=True, exist_ok=True)

