"""Harvesting real git repositories into the catalogue: what a harvest creates, updates, refuses and tells, and
that a harvest with nothing new writes nothing. Repositories are real (git CLI, file://); no mock of git."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from catalog.harvest import services
from catalog.harvest.presentation import describe_change
from catalog.models import (
    Adoption,
    HarvestRun,
    PublicationEvent,
    Release,
    RepositoryAlias,
    Solution,
    Source,
)
from cstportal.notifications.models import Delivery, Notification
from municipalities.models import Body
from tests.factories import AdoptionFactory

from .conftest import LOGO, harvest, publiccode
from .gitrepos import SourceRepo, git

pytestmark = pytest.mark.django_db


def _source(repo: SourceRepo, body: Body, by=None) -> Source:
    """A source as registered (the registration rules have their own tests): due now, never harvested."""
    return Source.objects.create(url=repo.url, body=body, registered_by=by)


def _counts() -> dict[str, int]:
    return {
        "solutions": Solution.objects.count(),
        "events": PublicationEvent.objects.count(),
        "releases": Release.objects.count(),
        "notifications": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
        "aliases": RepositoryAlias.objects.count(),
    }


# --- creating and updating ------------------------------------------------------------------------------------


def test_a_source_of_cst_staff_creates_the_published_solution_with_its_release(protocollo, pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=cst_admin)

    run = harvest(source)

    assert run.outcome == HarvestRun.Outcome.CREATED
    solution = Solution.objects.get()
    assert (solution.name, solution.owner, solution.status) == ("Protocollo Informatico", pesaro, "published")
    assert solution.repository_url == "https://code.cstpu.example/pesaro/protocollo.git"
    assert list(solution.releases.values_list("version", flat=True)) == ["5.2"]
    assert source.solution == solution
    assert {"name", "short_description_it", "licence", "categories"} <= set(source.harvested_fields)
    assert source.head == protocollo.git("rev-parse", "HEAD") and source.tags_seen == ["v5.2"]
    assert [change["kind"] for change in run.changes] == ["created", "images", "release"]
    assert run.errors == [] and run.warnings == []
    assert solution.logo_image.startswith("images/") and solution.logo_url


def test_a_publishers_source_creates_a_solution_that_waits_for_review(protocollo, pesaro, publisher_pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=publisher_pesaro)

    harvest(source)

    solution = Solution.objects.get()
    assert solution.status == "in_review"
    assert solution.created_by == publisher_pesaro
    assert Notification.objects.filter(kind="solution.submitted", recipient=cst_admin).count() == 1


def test_a_changed_file_updates_the_solution_and_the_log_says_which_fields(protocollo, pesaro, cst_admin,
                                                                          english_catalogue):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    protocollo.commit({"publiccode.yml": publiccode(name="Protocollo Informatico CST")}, message="Nuovo nome")

    run = harvest(source)

    assert run.outcome == HarvestRun.Outcome.UPDATED
    assert Solution.objects.get().name == "Protocollo Informatico CST"
    assert run.changes == [{"kind": "fields", "params": {"fields": ["name"]}}]
    with translation.override("en"):
        assert describe_change(run.changes[0]) == "Fields updated: name."


def test_a_second_harvest_with_nothing_changed_writes_nothing_and_sends_nothing(protocollo, pesaro, cst_admin,
                                                                                 publisher_pesaro):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    solution = Solution.objects.get()
    before, stamp = _counts(), solution.updated_at
    run = services._queue_run(source, trigger="schedule")

    with CaptureQueriesContext(connection) as queries:
        done = services.run_harvest(run_id=run.pk)

    assert done.outcome == HarvestRun.Outcome.UNCHANGED and done.changes == []
    assert _counts() == before
    solution.refresh_from_db()
    assert solution.updated_at == stamp
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    # The run's own row (claimed, progress, closed) and the source's record of its last run: nothing else.
    assert writes and all('"catalog_harvestrun"' in sql or '"catalog_source"' in sql for sql in writes), writes


def test_a_new_version_tag_makes_a_release_and_one_notice_per_adopting_body(
    protocollo, pesaro, fano, urbino, frontino, cst_admin, referent_fano, referent_urbino, referent_frontino
):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    solution = Solution.objects.get()
    AdoptionFactory(solution=solution, body=fano, status=Adoption.Status.IN_PROGRESS)
    AdoptionFactory(solution=solution, body=urbino, status=Adoption.Status.IN_PRODUCTION)
    AdoptionFactory(solution=solution, body=frontino, status=Adoption.Status.REQUESTED)  # not using it yet
    protocollo.commit({"src/app.py": "print('protocollo 5.3')\n"}, message="Correzioni")
    protocollo.tag("v5.3", message="Versione 5.3")

    run = harvest(source)

    assert run.outcome == HarvestRun.Outcome.UPDATED
    assert {"kind": "release", "params": {"version": "5.3"}} in run.changes
    release = solution.releases.get(version="5.3")
    assert release.date == dt.date.fromtimestamp(1_700_000_000 + 2 * 3600)
    told = Notification.objects.filter(kind="release.added", event_key=f"release:{release.pk}")
    assert sorted(told.values_list("recipient__email", flat=True)) == [referent_fano.email, referent_urbino.email]
    assert Delivery.objects.filter(notification__in=told).count() == 2

    again = harvest(source)
    assert again.outcome == HarvestRun.Outcome.UNCHANGED
    assert Notification.objects.filter(kind="release.added").count() == 2


def test_tags_that_are_not_versions_make_no_release(protocollo, pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    protocollo.tag("demo-per-fano")
    protocollo.tag("v6.0.0-rc.1")

    harvest(source)

    assert sorted(Solution.objects.get().releases.values_list("version", flat=True)) == ["5.2", "6.0.0-rc.1"]


def test_the_first_harvest_takes_only_the_newest_version_tag(harvest_dirs, pesaro, cst_admin):
    repo = SourceRepo(harvest_dirs / "sources", "storico")
    repo.commit({"publiccode.yml": publiccode(softwareVersion=None, releaseDate=None), "img/logo.png": LOGO})
    for version in ("v1.0", "v1.1", "v2.0"):
        repo.tag(version)
        repo.commit({"CHANGELOG": version})

    harvest(_source(repo, pesaro, by=cst_admin))

    assert list(Solution.objects.get().releases.values_list("version", flat=True)) == ["2.0"]


# --- refusals: nothing changes, the publisher is told once ----------------------------------------------------


def test_a_broken_file_leaves_the_published_solution_untouched_and_tells_the_publisher_once(
    protocollo, pesaro, cst_admin, publisher_pesaro
):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    solution = Solution.objects.get()
    stamp = solution.updated_at
    protocollo.commit({"publiccode.yml": publiccode(name="Nome nuovo", developmentStatus="quasi pronto")},
                      message="Rotto")

    run = harvest(source)

    assert run.outcome == HarvestRun.Outcome.INVALID
    assert [path for path, _message in run.error_messages()] == ["developmentStatus"]
    solution.refresh_from_db()
    assert (solution.name, solution.status, solution.updated_at) == ("Protocollo Informatico", "published", stamp)
    told = Notification.objects.filter(kind="harvest.errors")
    assert list(told.values_list("recipient", flat=True)) == [publisher_pesaro.pk]
    assert Delivery.objects.filter(notification__in=told).count() == 1

    again = harvest(source)  # the same broken file: the same errors, nobody told again
    assert again.outcome == HarvestRun.Outcome.INVALID and again.errors == run.errors
    protocollo.commit({"README": "ancora rotto"}, message="Altro")  # a new head, the same file
    harvest(source)
    assert Notification.objects.filter(kind="harvest.errors").count() == 1

    protocollo.commit({"publiccode.yml": publiccode(developmentStatus="quasi pronto", softwareType="app")})
    harvest(source)  # a new error: told again
    assert Notification.objects.filter(kind="harvest.errors").count() == 2


def test_errors_are_kept_in_italian_and_english_at_their_field_paths(protocollo, pesaro, cst_admin,
                                                                     english_catalogue):
    protocollo.commit({"publiccode.yml": publiccode(developmentStatus="quasi pronto")})
    run = harvest(_source(protocollo, pesaro, by=cst_admin))

    [error] = run.errors
    assert error["path"] == "developmentStatus"
    assert set(error["messages"]) == {"it", "en"} and error["messages"]["it"] != error["messages"]["en"]
    with translation.override("en"):
        assert run.error_messages() == [("developmentStatus", error["messages"]["en"])]


def test_a_file_naming_another_body_changes_nothing_and_is_reported(protocollo, fano, cst_admin):
    source = _source(protocollo, fano, by=cst_admin)

    run = harvest(source)

    assert run.outcome == HarvestRun.Outcome.INVALID
    [(path, message)] = run.error_messages()
    assert path == "organisation.uri" and "Pesaro" in message and "Fano" in message
    assert not Solution.objects.exists()
    assert source.solution is None


def test_an_external_bodys_source_tells_its_registrant_and_cst_staff(harvest_dirs, cst_admin, analyst):
    bari = Body.objects.create(name="Comune di Bari", slug="bari", kind=Body.Kind.ENTE, ipa_code="c_a662",
                               is_member=False)
    repo = SourceRepo(harvest_dirs / "sources", "bari")
    repo.commit({"publiccode.yml": publiccode(organisation={"name": "Comune di Bari",
                                                            "uri": "urn:x-italian-pa:c_a662"})})
    source = _source(repo, bari, by=cst_admin)
    assert harvest(source).outcome == HarvestRun.Outcome.CREATED
    assert Solution.objects.get().owner == bari

    repo.commit({"publiccode.yml": publiccode(organisation={"name": "Comune di Bari",
                                                            "uri": "urn:x-italian-pa:c_a662"}, legal=None)})
    assert harvest(source).outcome == HarvestRun.Outcome.INVALID
    assert list(Notification.objects.filter(kind="harvest.errors").values_list("recipient", flat=True)) == [
        cst_admin.pk]


def test_a_repository_that_cannot_be_read_is_recorded_and_told_once(protocollo, pesaro, cst_admin, publisher_pesaro):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    shutil.rmtree(protocollo.bare)

    run = harvest(source)
    harvest(source)

    assert run.outcome == HarvestRun.Outcome.FAILED
    assert run.errors[0]["code"] == "repository_not_found"
    assert Solution.objects.get().status == "published"
    assert Notification.objects.filter(kind="harvest.errors").count() == 1


def test_a_missing_logo_is_a_warning_at_its_path(harvest_dirs, pesaro, cst_admin):
    repo = SourceRepo(harvest_dirs / "sources", "senza-logo")
    repo.commit({"publiccode.yml": publiccode()})

    run = harvest(_source(repo, pesaro, by=cst_admin))

    assert run.outcome == HarvestRun.Outcome.CREATED
    assert [(w["path"], w["code"]) for w in run.warnings] == [("logo", "file_not_found")]
    assert Solution.objects.get().logo_image == ""


def test_the_logo_and_screenshots_are_checked_and_kept_and_follow_the_repository(harvest_dirs, pesaro, cst_admin):
    from .conftest import _png

    repo = SourceRepo(harvest_dirs / "sources", "immagini")
    description = {"it": {"shortDescription": "Protocollo informatico e gestione documentale per i comuni.",
                          "longDescription": "Descrizione estesa del protocollo informatico. " * 5,
                          "features": ["Registrazione di protocollo"],
                          "screenshots": ["img/uno.png", "img/finta.png", "img/manca.png"]}}
    repo.commit({"publiccode.yml": publiccode(description=description), "img/logo.png": LOGO,
                 "img/uno.png": _png((64, 48), "#cc0000"), "img/finta.png": b"<html>non sono un'immagine</html>"})
    source = _source(repo, pesaro, by=cst_admin)

    run = harvest(source)

    assert run.outcome == HarvestRun.Outcome.CREATED, run.errors
    solution = Solution.objects.get()
    assert solution.logo_image and len(solution.screenshot_images) == 1
    assert [(w["path"], w["code"]) for w in run.warnings] == [
        ("description.it.screenshots[1]", "image_refused"), ("description.it.screenshots[2]", "file_not_found")]
    repo.commit({"img/logo.png": _png(colour="#00aa00")}, message="Nuovo logo")
    again = harvest(source)
    assert {"kind": "images", "params": {"logo": True, "screenshots": 1}} in again.changes
    assert Solution.objects.get().logo_image != solution.logo_image


# --- moved repositories -----------------------------------------------------------------------------------------


def test_a_moved_repository_keeps_its_solution_and_its_former_address_as_an_alias(protocollo, pesaro, cst_admin):
    old = _source(protocollo, pesaro, by=cst_admin)
    harvest(old)
    solution = Solution.objects.get()
    AdoptionFactory(solution=solution, body=Body.objects.get(istat_code="041013"), status="in_production")
    moved = protocollo.root / "nuovo-protocollo.git"
    git("clone", "--quiet", "--bare", str(protocollo.bare), str(moved), cwd=protocollo.root, env=protocollo.env)
    shutil.rmtree(protocollo.bare)
    assert harvest(old).outcome == HarvestRun.Outcome.FAILED  # the old address is gone
    new = Source.objects.create(url=f"file://{moved}", body=pesaro, registered_by=cst_admin)
    work = SourceRepo(protocollo.root.parent / "altro", "nuovo")
    work.git("pull", "--quiet", str(moved), "main")
    work.git("remote", "set-url", "origin", str(moved))
    work.commit({"publiccode.yml": publiccode(url="https://code.cstpu.example/cst/nuovo-protocollo.git")})

    run = harvest(new)

    assert run.outcome == HarvestRun.Outcome.UPDATED
    assert Solution.objects.count() == 1
    solution.refresh_from_db()
    assert solution.repository_url == "https://code.cstpu.example/cst/nuovo-protocollo.git"
    assert list(solution.aliases.values_list("url", flat=True)) == ["https://code.cstpu.example/pesaro/protocollo.git"]
    assert new.solution == solution and solution.adoptions.count() == 1
    old.refresh_from_db()
    assert old.status == Source.Status.REMOVED
    assert [change["kind"] for change in run.changes] == ["moved", "took_over"]


def test_a_fork_by_another_body_does_not_take_the_solution(protocollo, pesaro, fano, cst_admin):
    harvest(_source(protocollo, pesaro, by=cst_admin))
    fork = protocollo.root / "fork.git"
    git("clone", "--quiet", "--bare", str(protocollo.bare), str(fork), cwd=protocollo.root, env=protocollo.env)

    run = harvest(Source.objects.create(url=f"file://{fork}", body=fano, registered_by=cst_admin))

    assert run.outcome == HarvestRun.Outcome.INVALID  # its file still names Pesaro
    assert Solution.objects.get().owner == pesaro


# --- removing, pausing, scheduling, claiming -------------------------------------------------------------------


def test_removing_a_source_never_deletes_its_solution(protocollo, pesaro, cst_admin, publisher_pesaro):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)

    services.remove_source(source, by=publisher_pesaro)

    assert Solution.objects.get().status == "published"
    source.refresh_from_db()
    assert source.status == Source.Status.REMOVED and source.next_harvest_at is None
    assert services.queue_due_harvests(now=timezone.now() + dt.timedelta(days=30)) == []


def test_a_paused_source_is_not_harvested_until_resumed(protocollo, pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=cst_admin)
    run = services._queue_run(source, trigger="schedule")
    services.pause_source(source, by=cst_admin)

    assert services.run_harvest(run_id=run.pk).outcome == HarvestRun.Outcome.SKIPPED
    assert services.queue_due_harvests(now=timezone.now() + dt.timedelta(days=30)) == []
    assert not Solution.objects.exists()

    services.resume_source(source, by=cst_admin)
    [queued] = services.queue_due_harvests(now=timezone.now() + dt.timedelta(seconds=1))
    assert services.run_harvest(run_id=queued).outcome == HarvestRun.Outcome.CREATED


def test_the_beat_queues_each_due_source_once_and_moves_its_time_on(protocollo, pesaro, cst_admin, settings):
    source = _source(protocollo, pesaro, by=cst_admin)
    now = timezone.now()

    first = services.queue_due_harvests(now=now)
    second = services.queue_due_harvests(now=now)

    assert len(first) == 1 and second == []
    source.refresh_from_db()
    assert source.next_harvest_at == now + dt.timedelta(seconds=settings.HARVEST_INTERVAL_SECONDS)


def test_a_run_is_harvested_once_however_many_messages_arrive(protocollo, pesaro, cst_admin):
    run = services._queue_run(_source(protocollo, pesaro, by=cst_admin), trigger="schedule")

    assert services.run_harvest(run_id=run.pk) is not None
    assert services.run_harvest(run_id=run.pk) is None
    assert Solution.objects.count() == 1 and Release.objects.count() == 1


def test_a_running_run_is_taken_over_only_after_its_lease(protocollo, pesaro, cst_admin, settings):
    run = services._queue_run(_source(protocollo, pesaro, by=cst_admin), trigger="schedule")
    assert services._claim(run.pk) is not None  # a worker took it, then died

    assert services.run_harvest(run_id=run.pk) is None  # its lease still holds
    HarvestRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=settings.HARVEST_LEASE_SECONDS + 1))
    done = services.run_harvest(run_id=run.pk)

    assert done.outcome == HarvestRun.Outcome.CREATED and done.attempts == 2


def test_a_worker_whose_claim_was_taken_over_writes_nothing(protocollo, pesaro, cst_admin, monkeypatch):
    run = services._queue_run(_source(protocollo, pesaro, by=cst_admin), trigger="schedule")
    read = services._read

    def slow_read(source, *, deadline):
        found = read(source, deadline=deadline)
        # Meanwhile the lease ran out and another worker claimed the run.
        HarvestRun.objects.filter(pk=run.pk).update(attempts=9)
        return found

    monkeypatch.setattr(services, "_read", slow_read)

    assert services.run_harvest(run_id=run.pk) is None
    assert not Solution.objects.exists()
    assert HarvestRun.objects.get(pk=run.pk).status == HarvestRun.Status.RUNNING


def test_one_source_has_at_most_one_active_run(protocollo, pesaro, cst_admin):
    source = _source(protocollo, pesaro, by=cst_admin)
    first = services._queue_run(source, trigger="schedule")

    assert services._queue_run(source, trigger="manual") == first
    assert services.request_harvest(source, by=cst_admin) == first
    assert HarvestRun.objects.count() == 1


# --- over HTTP ----------------------------------------------------------------------------------------------------


def test_a_publishers_repository_over_http_is_registered_and_harvested(protocollo, harvest_dirs, settings, pesaro,
                                                                        publisher_pesaro):
    from .gitrepos import GitHttpServer

    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    with GitHttpServer(harvest_dirs / "sources") as server:
        source = services.register_source(url=server.url("protocollo.git"), by=publisher_pesaro, body=pesaro)
        run = services.run_harvest(run_id=source.runs.get().pk)
        protocollo.tag("v5.3")
        again = harvest(source)

    assert run.outcome == HarvestRun.Outcome.CREATED
    assert again.outcome == HarvestRun.Outcome.UPDATED
    assert sorted(Solution.objects.get().releases.values_list("version", flat=True)) == ["5.2", "5.3"]


def test_a_publiccode_address_is_fetched_and_harvested(harvest_dirs, settings, pesaro, cst_admin):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    content = {"body": publiccode()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "text/yaml")
            self.send_header("Content-Length", str(len(content["body"])))
            self.end_headers()
            self.wfile.write(content["body"])

        def log_message(self, *args):
            pass

    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/riuso/publiccode.yml"
        source = services.register_source(url=url, by=cst_admin, body=pesaro)
        assert source.kind == Source.Kind.FILE
        first = services.run_harvest(run_id=source.runs.get().pk)
        second = harvest(source)
        content["body"] = publiccode(softwareVersion="5.3", releaseDate="2025-01-10")
        third = harvest(source)
    finally:
        server.shutdown()
        server.server_close()

    assert (first.outcome, second.outcome, third.outcome) == ("created", "unchanged", "updated")
    assert sorted(Solution.objects.get().releases.values_list("version", flat=True)) == ["5.2", "5.3"]


def test_an_unchanged_repository_costs_one_listing_of_its_refs(protocollo, pesaro, cst_admin, monkeypatch, settings):
    source = _source(protocollo, pesaro, by=cst_admin)
    harvest(source)
    assert source.refs_digest

    def no_read(*args, **kwargs):
        raise AssertionError("an unchanged repository is not read again")

    monkeypatch.setattr(services, "read_repository", no_read)
    assert harvest(source).outcome == HarvestRun.Outcome.UNCHANGED
    protocollo.commit({"src/app.py": "print('solo codice')\n"}, message="Solo codice")
    with pytest.raises(AssertionError, match="not read again"):
        harvest(source)  # a new head: read again (and then found unchanged, below)
    monkeypatch.undo()
    settings.HARVEST_LEASE_SECONDS = 0  # the run the failed read left running is taken over at once
    assert harvest(source).outcome == HarvestRun.Outcome.UNCHANGED
