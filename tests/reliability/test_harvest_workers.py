"""The harvest on real workers: two Celery worker processes and the outbox relay harvest 50 real repositories at
once, and one worker is killed with SIGKILL in the middle of a harvest. Every source ends harvested once (its run
taken over by the other worker once its lease has passed), with no duplicate solution, release or notification."""

from __future__ import annotations

import pytest

from catalog.harvest import services
from catalog.models import HarvestRun, Release, Solution, Source
from cstportal.notifications.models import Notification
from tests.harvest.conftest import LOGO, publiccode
from tests.harvest.gitrepos import SourceRepo

from . import outbox_harness as harness

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOURCES = 50
LEASE_SECONDS = 6


def _repositories(root) -> list[SourceRepo]:
    repos = []
    for n in range(SOURCES):
        repo = SourceRepo(root, f"soluzione-{n:02d}")
        repo.commit({"publiccode.yml": publiccode(name=f"Soluzione {n:02d}",
                                                  url=f"https://code.cstpu.example/pesaro/soluzione-{n:02d}.git"),
                     "img/logo.png": LOGO})
        repo.tag("v5.2")
        repos.append(repo)
    return repos


def _runs() -> dict[str, int]:
    counts = {status: 0 for status in HarvestRun.Status.values}
    for status in HarvestRun.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


def _running() -> set[int]:
    return set(HarvestRun.objects.filter(status=HarvestRun.Status.RUNNING).values_list("pk", flat=True))


def _kill_mid_harvest(doomed, processes) -> None:
    """Kill `doomed` while it certainly holds a harvest: freeze it, let the other worker finish two more runs; a run
    still running since the freeze is then the frozen worker's, stopped in its middle. If it held none (it was
    between two runs), thaw it and try again."""
    for _attempt in range(20):
        harness.wait_until(lambda: _runs()["running"] >= 1 and _runs()["done"] >= 3, timeout=180, interval=0.01,
                           message="the workers harvesting", logs=processes)
        doomed.freeze()
        held, done = _running(), _runs()["done"]
        try:
            harness.wait_until(lambda: _runs()["done"] >= min(done + 2, SOURCES), timeout=60, interval=0.05,
                               message="the other worker harvesting on", logs=processes)
        except AssertionError:
            # The other worker waits on a row the frozen one locked in the middle of its harvest: it holds one.
            doomed.kill()
            return
        if held & _running():
            doomed.kill()
            return
        doomed.thaw()
    pytest.fail("the frozen worker never held a harvest")


def test_two_workers_harvest_fifty_sources_once_with_one_killed_mid_harvest(
    redis_server, tmp_path, settings, pesaro, cst_admin, publisher_pesaro
):
    database = harness.SharedDatabase(tmp_path)
    if database.vendor != "postgresql":
        pytest.skip("two workers writing at once need PostgreSQL (DATABASE_URL)")
    sources_root = tmp_path / "sources"
    settings.HARVEST_LOCAL_ROOTS = [str(sources_root)]
    for repo in _repositories(sources_root):
        Source.objects.create(url=repo.url, body=pesaro, registered_by=cst_admin)
    assert len(services.queue_due_harvests()) == SOURCES

    env = harness.subprocess_env(
        redis_url=redis_server.url, database_url=database.share(), var_dir=tmp_path / "var",
        HARVEST_LOCAL_ROOTS=str(sources_root), HARVEST_CACHE_DIR=str(tmp_path / "cache"),
        HARVEST_LEASE_SECONDS=str(LEASE_SECONDS), NOTIFICATION_REPUBLISH_AFTER_SECONDS="2", LOG_LEVEL="WARNING",
    )
    doomed = harness.start_worker(env, tmp_path, name="doomed")
    survivor = harness.start_worker(env, tmp_path, name="survivor")
    relay = harness.start_relay(env, tmp_path)
    processes = (doomed, survivor, relay)
    try:
        _kill_mid_harvest(doomed, processes)
        harness.wait_until(lambda: _runs()["done"] == SOURCES, timeout=240, interval=0.3,
                           message="every source harvested", logs=processes)
    finally:
        for process in processes:
            process.stop()

    runs = HarvestRun.objects.all()
    assert runs.count() == SOURCES
    assert set(runs.values_list("outcome", flat=True)) == {"created"}, list(runs.values("source_id", "outcome"))
    assert runs.filter(attempts__gte=2).exists(), "no run was taken over: the kill did not land mid-harvest"
    assert Solution.objects.count() == SOURCES
    assert Solution.objects.values("repository_url").distinct().count() == SOURCES
    assert Release.objects.count() == SOURCES
    assert not Source.objects.filter(solution__isnull=True).exists()
    published = Notification.objects.filter(kind="solution.published", recipient=publisher_pesaro)
    assert published.count() == SOURCES
    assert published.values("event_key").distinct().count() == SOURCES
