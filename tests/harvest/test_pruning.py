"""The nightly pruning of the harvest log: each source's last runs, every run that changed something lately, the
pending runs and a source's last run are kept; the rest goes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.harvest import services
from catalog.models import HarvestRun, Source

pytestmark = pytest.mark.django_db


def _runs(source: Source, outcomes: list[str], *, start: dt.datetime) -> list[HarvestRun]:
    runs = []
    for index, outcome in enumerate(outcomes):
        run = HarvestRun.objects.create(source=source, status="done", outcome=outcome, due_at=None)
        HarvestRun.objects.filter(pk=run.pk).update(created_at=start + dt.timedelta(hours=index))
        runs.append(run)
    return runs


def test_the_last_runs_and_recent_changes_are_kept(settings, pesaro):
    settings.HARVEST_RUNS_KEPT = 3
    settings.HARVEST_CHANGES_KEPT_DAYS = 90
    now = timezone.now()
    source = Source.objects.create(url="https://code.cstpu.example/pesaro/a.git", body=pesaro)
    other = Source.objects.create(url="https://code.cstpu.example/pesaro/b.git", body=pesaro)
    old = _runs(source, ["created", "unchanged", "updated", "invalid"], start=now - dt.timedelta(days=200))
    recent = _runs(
        source,
        ["unchanged", "updated", "unchanged", "failed", "unchanged", "unchanged"],
        start=now - dt.timedelta(days=10),
    )
    few = _runs(other, ["created", "unchanged"], start=now - dt.timedelta(days=300))
    Source.objects.filter(pk=source.pk).update(last_run=recent[-1])
    pending = HarvestRun.objects.create(source=source)

    assert services.prune_harvest_runs(now=now) == len(old) + 2
    assert set(HarvestRun.objects.values_list("pk", flat=True)) == {
        recent[1].pk,
        *(run.pk for run in recent[-3:]),
        pending.pk,
        *(run.pk for run in few),
    }
    assert services.prune_harvest_runs(now=now) == 0


def test_the_pruning_is_a_nightly_beat_job():
    entry = settings.CELERY_BEAT_SCHEDULE["catalog-prune-harvest-runs"]
    assert entry["task"] == "catalog.prune_harvest_runs"
    from catalog import tasks

    assert tasks.prune_harvest_runs.name == "catalog.prune_harvest_runs"
