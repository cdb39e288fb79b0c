"""The vitality index as the national crawler computes it (catalog.harvest.vitality), worked out by hand on real
git repositories with dated commits, several authors, merges and tags; and its daily series kept by the harvest.
Repositories are real (git CLI, file://); the clock is frozen where the day matters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.harvest import services
from catalog.harvest.repository import read_history, read_repository
from catalog.harvest.vitality import (
    CODE_ACTIVITY,
    LONGEVITY,
    RELEASE_HISTORY,
    USER_COMMUNITY,
    Commit,
    History,
    compute_vitality,
    points,
)
from catalog.models import HarvestRun, Solution, Source, VitalityDay

from .conftest import harvest, publiccode
from .gitrepos import SourceRepo

ROME = ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=ROME)


def at(day: str, time: str = "10:00") -> str:
    """A git date in Rome's summer time (+02:00) or winter time (+01:00), as the day falls."""
    moment = dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ROME)
    return moment.isoformat()


class DatedRepo(SourceRepo):
    """A source repository whose commits carry the author and the date each test gives them."""

    def commit_as(self, author: str, when: str, *, message: str = "Modifica", files: dict | None = None) -> str:
        name = author.split("@")[0]
        for path, content in (files or {"log.txt": f"{author} {when} {message}\n"}).items():
            target = self.work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a") as handle:
                handle.write(content)
        self.env.update(
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=author,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=author,
            GIT_AUTHOR_DATE=when,
            GIT_COMMITTER_DATE=when,
        )
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)
        return self.git("rev-parse", "HEAD")

    def merge_as(self, author: str, when: str, branch: str) -> str:
        self.env.update(
            GIT_AUTHOR_NAME="merge",
            GIT_AUTHOR_EMAIL=author,
            GIT_COMMITTER_NAME="merge",
            GIT_COMMITTER_EMAIL=author,
            GIT_AUTHOR_DATE=when,
            GIT_COMMITTER_DATE=when,
        )
        self.git("merge", "--quiet", "--no-ff", "-m", f"Merge {branch}", branch)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def dated(harvest_dirs):
    def make(name: str) -> DatedRepo:
        return DatedRepo(harvest_dirs / "sources", name)

    return make


def vitality_of(repo: DatedRepo, now: dt.datetime = NOW):
    repo.push()
    read_repository(repo.url)  # the harvest's blob-less copy, which the history is read from
    history = read_history(repo.url)
    assert history is not None
    return compute_vitality(history, now=now, tz=ROME)


# --- the ranges -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ranges", "value", "expected"),
    [
        (USER_COMMUNITY, 0, 4),
        (USER_COMMUNITY, 1, 4),
        (USER_COMMUNITY, 2, 8),
        (USER_COMMUNITY, 27, 32),
        (USER_COMMUNITY, 28, 36),
        (USER_COMMUNITY, 10000, 0),
        (CODE_ACTIVITY, 3, 2),
        (CODE_ACTIVITY, 4, 8),
        (CODE_ACTIVITY, 6, 14),
        (CODE_ACTIVITY, 34, 50),
        (CODE_ACTIVITY, 35, 60),
        (RELEASE_HISTORY, 0, 20),
        (RELEASE_HISTORY, 1, 30),
        (RELEASE_HISTORY, 3, 40),
        (RELEASE_HISTORY, 4, 50),
        (RELEASE_HISTORY, 100, 0),
        (LONGEVITY, 364.9, 20),
        (LONGEVITY, 365, 30),
        (LONGEVITY, 729.9, 30),
        (LONGEVITY, 730, 35),
    ],
)
def test_each_range_gives_the_points_of_the_crawlers_table(ranges, value, expected):
    assert points(ranges, value) == expected


# --- worked examples ------------------------------------------------------------------------------------------


def test_a_young_repository_with_no_activity_in_the_window_scores_46(dated):
    repo = dated("quiet")
    repo.commit_as("anna@pesaro.example", at("2026-03-07"), message="Prima versione")

    vitality = vitality_of(repo)

    # Every day: 1 author (4) + no commit (2) + no tag (20) + 100 days old (20).
    assert vitality.value == 46
    assert vitality.scores == (46,) * 60
    assert (vitality.user_community, vitality.code_activity, vitality.release_history, vitality.longevity) == (
        4,
        2,
        20,
        20,
    )
    assert (vitality.authors, vitality.commits, vitality.merges, vitality.releases, vitality.age_days) == (
        1,
        0,
        0,
        0,
        100,
    )


def test_commits_merges_tags_and_authors_of_a_busy_day_worked_out_by_hand(dated):
    repo = dated("tributi")
    root = repo.commit_as("anna@pesaro.example", at("2024-04-01"), message="Prima versione")
    repo.git("tag", "v0.1", root)  # 805 days ago: outside the window
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.commit_as("carlo@fano.example", at("2026-06-05", "10:01"), message="F1")
    repo.commit_as("carlo@fano.example", at("2026-06-05", "10:02"), message="F2", files={"feature.txt": "f\n"})
    repo.git("checkout", "--quiet", "main")
    repo.commit_as("bruno@urbino.example", at("2026-06-05", "10:03"), message="M1", files={"main.txt": "m\n"})
    repo.commit_as("bruno@urbino.example", at("2026-06-05", "10:04"), message="M2", files={"main.txt": "n\n"})
    merge = repo.merge_as("anna@pesaro.example", at("2026-06-05", "10:05"), "feature")
    repo.git("tag", "v1.0", merge)  # lightweight
    repo.env.update(GIT_COMMITTER_DATE=at("2026-06-14"))
    repo.git("tag", "-a", "v1.1", "-m", "Versione 1.1", merge)  # annotated: dated by its commit, as the crawler

    vitality = vitality_of(repo)

    # Day 10 (5 June, 12:00): 3 authors (8) + 5 commits and 1 merge = 6 (14) + 2 tags (40) + over 730 days (35) = 97.
    # Days 0-9: 3 authors (8) + 2 + 20 + 35 = 65. Days 11-59: 1 author (4) + 2 + 20 + 35 = 61.
    expected = [61] * 49 + [97] + [65] * 10
    assert list(vitality.scores) == expected
    assert vitality.value == int((10 * 65 + 97 + 49 * 61) / 60) == 62
    assert (vitality.user_community, vitality.code_activity, vitality.release_history, vitality.longevity) == (
        4.7,
        2.2,
        20.3,
        35,
    )
    assert (vitality.authors, vitality.commits, vitality.merges, vitality.releases, vitality.age_days) == (
        3,
        5,
        1,
        2,
        805,
    )
    assert vitality.scores_text.startswith("61,61,") and vitality.scores_text.endswith(
        ",97,65,65,65,65,65,65,65,65,65,65"
    )


def test_a_very_busy_day_is_capped_at_100(dated):
    repo = dated("anpr")
    repo.commit_as("anna@pesaro.example", at("2026-03-01"), message="Prima versione")
    for n in range(30):
        repo.commit_as(f"autore{n}@cst.example", at("2026-06-14", f"09:{n:02d}"), message=f"C{n}")
        if n < 4:
            repo.git("tag", f"v1.{n}")

    vitality = vitality_of(repo)

    # Day 1 (14 June): 31 authors (36) + 30 commits (50) + 4 tags (50) + 106 days (20) = 156, capped at 100.
    # Day 0: 31 authors (36) + 2 + 20 + 20 = 78. Days 2-59: 4 + 2 + 20 + 20 = 46.
    assert vitality.scores[-2:] == (100, 78)
    assert vitality.scores[:-2] == (46,) * 58
    assert vitality.value == int((100 + 78 + 58 * 46) / 60) == 47


def test_an_author_counts_from_the_moment_of_their_first_commit(dated):
    repo = dated("protocollo")
    repo.commit_as("anna@pesaro.example", at("2025-01-10"))
    repo.commit_as("bruno@urbino.example", at("2026-06-15", "11:00"))  # an hour before now
    repo.commit_as("carlo@fano.example", at("2026-06-16"))  # in the future: never before a cutoff

    vitality = vitality_of(repo)

    # Day 0: 2 authors (8) + 1 commit (2) + 20 + 521 days (30) = 60; the other days 4 + 2 + 20 + 30 = 56.
    assert vitality.scores[-1] == 60 and set(vitality.scores[:-1]) == {56}
    assert vitality.authors == 2 and vitality.commits == 1


def test_a_history_older_than_git_has_no_index():
    old = History(commits=[Commit("anna@pesaro.example", dt.datetime(2003, 5, 1, tzinfo=dt.UTC), False)], tag_dates=[])
    assert compute_vitality(old, now=NOW, tz=ROME) is None
    assert compute_vitality(History(commits=[], tag_dates=[]), now=NOW, tz=ROME) is None


def test_no_copy_of_the_repository_means_no_history(harvest_dirs, dated):
    repo = dated("mai-letto")
    repo.commit_as("anna@pesaro.example", at("2026-01-10"))
    repo.push()
    assert read_history(repo.url) is None


# --- the harvest keeps a daily series -------------------------------------------------------------------------


def _source(repo: SourceRepo, body, by=None) -> Source:
    return Source.objects.create(url=repo.url, body=body, registered_by=by)


@pytest.mark.django_db
def test_the_first_harvest_records_the_days_vitality_on_the_solution(protocollo, pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=cst_admin)

    harvest(source)

    solution = Solution.objects.get()
    day = VitalityDay.objects.get()
    # The fixture's commit is from November 2023: 1 author (4) + 2 + 20 + over 730 days (35) every day.
    assert (day.solution, day.value, solution.vitality) == (solution, 61, 61)
    assert day.scores == ",".join(["61"] * 60) and day.authors == 1 and day.longevity == 35


@pytest.mark.django_db
def test_the_series_grows_by_one_row_a_day_and_a_same_day_harvest_writes_nothing(
    harvest_dirs, dated, pesaro, cst_admin
):
    repo = dated("suap")
    repo.commit_as(
        "anna@pesaro.example",
        at("2026-03-07"),
        files={
            "publiccode.yml": publiccode(url="https://code.cstpu.example/pesaro/suap.git").decode(),
            "img/logo.png": "",
        },
    )
    repo.push()
    source = _source(repo, pesaro, by=cst_admin)
    with time_machine.travel(NOW, tick=False):
        harvest(source)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        run = services._queue_run(source, trigger="schedule")
        with CaptureQueriesContext(connection) as queries:
            done = services.run_harvest(run_id=run.pk)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert done.outcome == HarvestRun.Outcome.UNCHANGED
    assert all('"catalog_harvestrun"' in sql or '"catalog_source"' in sql for sql in writes), writes
    assert VitalityDay.objects.count() == 1

    # The next day, someone else commits: a second row, and the solution carries the new figure.
    repo.commit_as("bruno@urbino.example", at("2026-06-16", "09:00"))
    repo.push()
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        harvest(source)

    days = list(VitalityDay.objects.order_by("day").values_list("day", "value"))
    # 15 June: 46 every day. 16 June: day 0 has 2 authors (8) and a commit (2) → 52, the others 46.
    assert days == [(dt.date(2026, 6, 15), 46), (dt.date(2026, 6, 16), int((52 + 59 * 46) / 60))]
    assert Solution.objects.get().vitality == 46


@pytest.mark.django_db
def test_a_same_day_harvest_that_finds_a_different_figure_overwrites_the_days_row(
    harvest_dirs, dated, pesaro, cst_admin
):
    repo = dated("sue")
    repo.commit_as(
        "anna@pesaro.example",
        at("2026-03-07"),
        files={
            "publiccode.yml": publiccode(url="https://code.cstpu.example/pesaro/sue.git").decode(),
            "img/logo.png": "",
        },
    )
    repo.push()
    source = _source(repo, pesaro, by=cst_admin)
    with time_machine.travel(NOW, tick=False):
        harvest(source)
        for n in range(5):
            repo.commit_as(f"autore{n}@cst.example", at("2026-06-15", f"11:0{n}"))
        repo.push()
        harvest(source)

    day = VitalityDay.objects.get()
    # Day 0: 6 authors (12) + 5 commits (8) + 20 + 20 = 60; the other 59 days 46.
    assert day.value == int((60 + 59 * 46) / 60) == 46
    assert day.scores.endswith(",46,60") and day.commits == 5 and day.authors == 6


@pytest.mark.django_db
def test_an_unchanged_repository_still_gets_its_vitality_from_the_cached_copy(
    protocollo, pesaro, cst_admin, monkeypatch
):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    VitalityDay.objects.all().delete()

    def no_read(*args, **kwargs):
        raise AssertionError("an unchanged repository is not read again")

    monkeypatch.setattr(services, "read_repository", no_read)
    assert harvest(source).outcome == HarvestRun.Outcome.UNCHANGED
    assert VitalityDay.objects.get().value == 61


@pytest.mark.django_db
def test_a_publiccode_address_has_no_vitality(pesaro, cst_admin):
    solution_source = Source.objects.create(
        url="https://example.org/publiccode.yml", kind=Source.Kind.FILE, body=pesaro, registered_by=cst_admin
    )
    assert services._history(solution_source, deadline=0) is None


@pytest.mark.django_db
def test_removing_the_source_takes_the_figure_off_the_solution_and_keeps_its_series(protocollo, pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    assert Solution.objects.get().vitality == 61

    services.remove_source(source, by=cst_admin)

    assert Solution.objects.get().vitality is None
    assert VitalityDay.objects.count() == 1
