"""A task sent by one process is run by a real Celery worker process, on both brokers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SEND = "from cstportal.tasks import ping; print(ping.delay('ciao').get(timeout=40))"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_DATA_DIR"}}
    env.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "cstportal.settings", **extra})
    return env


def _round_trip(env: dict[str, str]) -> str:
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cstportal", "worker", "--loglevel", "WARNING", "--concurrency", "1",
         "--pool", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        sent = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {SEND}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert sent.returncode == 0, sent.stderr + "\n--- worker ---\n" + output
    return sent.stdout.strip()


@pytest.mark.slow
def test_worker_runs_a_task_on_the_serverless_broker(tmp_path):
    assert _round_trip(_env(CELERY_DATA_DIR=str(tmp_path / "celery"))) == "pong ciao"


@pytest.mark.slow
@pytest.mark.redis
def test_worker_runs_a_task_on_redis(redis_server):
    assert _round_trip(_env(REDIS_URL=redis_server.url)) == "pong ciao"


def test_every_task_of_the_beat_schedule_can_be_sent_with_its_time_limits():
    """Celery refuses to send a task whose soft time limit exceeds its hard one (the app's default soft limit
    applies to a task that sets only a hard one): beat would log the error and never run the job."""
    from django.conf import settings

    from cstportal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        hard = task.time_limit if task.time_limit is not None else app.conf.task_time_limit
        soft = task.soft_time_limit if task.soft_time_limit is not None else app.conf.task_soft_time_limit
        assert soft is None or hard is None or soft <= hard, (entry["task"], soft, hard)
    for name, task in app.tasks.items():
        if name.startswith(("catalog.", "notifications.", "cstportal.")):
            hard = task.time_limit if task.time_limit is not None else app.conf.task_time_limit
            soft = task.soft_time_limit if task.soft_time_limit is not None else app.conf.task_soft_time_limit
            assert soft is None or hard is None or soft <= hard, (name, soft, hard)
