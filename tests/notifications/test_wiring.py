"""The Celery wiring: the beat entries name registered tasks, and the send task survives a lost worker."""

from __future__ import annotations

from django.conf import settings

from cstportal.celery import app
from cstportal.notifications import tasks


def test_beat_runs_the_relay_every_few_seconds_and_the_reminders_daily():
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    relay = schedule["notifications-relay-outbox"]
    assert relay["task"] in app.tasks
    assert relay["schedule"] <= 10
    assert relay["options"]["expires"] <= 20  # stale ticks are dropped, never piled up
    reminders = schedule["notifications-adoption-reminders"]
    assert reminders["task"] == "catalog.send_adoption_reminders"
    assert reminders["task"] in app.tasks


def test_the_send_task_is_acknowledged_late_and_requeued_if_its_worker_dies():
    task = tasks.send_delivery
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.time_limit < settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS
