"""Registering sources and harvesting them: the only code that changes sources and harvest runs.

How a harvest reaches a worker: the beat job (`queue_due_harvests`), the "harvest now" button (`request_harvest`),
registering a source and `manage.py harvest` only write a queued `HarvestRun`, an outbox row; the relay of
cstportal.notifications hands it to the task `catalog.run_harvest`, any number of which run in parallel on the
workers. A source has at most one queued or running run (a database constraint), and `run_harvest` claims its run
with a compare-and-set, so two workers never harvest one source at once and a message delivered twice harvests
once. While it works, the run is due again only after HARVEST_LEASE_SECONDS: a worker killed mid-harvest leaves
it running, the relay publishes it again and the next worker takes it over. The writes of a harvest happen in one
transaction that first checks the claim is still the worker's own, so a worker that lost its claim (it was too
slow) writes nothing.

What a harvest does (`run_harvest`):
1. read the source: a repository with real git (catalog.harvest.repository: blob-less copy, publiccode.yml at the
   default branch's head, tags, root commits) or a publiccode.yml address (catalog.harvest.direct);
2. when the file and the tags are those the last harvest saw (the source's fingerprint), write nothing but the
   run's own row: a second harvest of an unchanged source changes nothing and tells nobody;
3. otherwise read the logo and screenshots the file names from the repository (checked as images and kept, as
   the import by URL keeps them), then import the file with
   the same code as an upload (catalog.publiccode.services.import_publiccode) for the source's body: the owner
   rule, the validation and the writes are the import's, through the solution services (a new version is a
   release that tells the adopters). Tags named like versions that appeared since the last harvest become
   releases too;
4. an invalid file, or one that names another body as owner, changes nothing in the catalogue: the errors are
   kept on the run at their field paths, and the people who can fix the source are told once per new error;
5. for a repository whose solution is known, the vitality index (catalog.harvest.vitality) is computed from the
   history in the cached copy at every harvest, unchanged ones included (the window moves with the days): the
   day's row of the series is written when the figure is new or differs, so a second harvest on the same day with
   nothing new writes nothing.

A source acts with the rights of whoever registered it: a publisher's source writes what that publisher may write
(a new solution goes to CST staff for review), a source registered by CST staff or by the portal (`by=None`) has
every right (a new solution is published at once). A repository that moved (a new source whose root commits are
those of a solution's former source, of the same body) keeps its solution; its former address stays as an alias.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import notices, permissions
from catalog.harvest import direct
from catalog.harvest.catalog_source import CatalogEntry, CatalogSourceError, parse_catalog_address, read_catalog
from catalog.harvest.repository import (
    RepositoryError,
    Snapshot,
    Tag,
    parse_source,
    read_history,
    read_repository,
    remote_digest,
)
from catalog.harvest.vitality import History, Vitality, compute_vitality
from catalog.models import CatalogSourceEntry, HarvestRun, Release, RepositoryAlias, Solution, Source, VitalityDay
from catalog.publiccode.mapping import fields_from_publiccode
from catalog.publiccode.parser import FieldError, parse_publiccode
from catalog.publiccode.services import MAX_SCREENSHOTS, ImportResult, import_publiccode, owner_claim
from catalog.solutions import services as solutions
from cstportal.errors import Conflict, Invalid, NotAllowed, ServiceError, StatusConflict
from cstportal.images import ImageRefused, check_image, store_image
from municipalities import permissions as people
from municipalities.models import Body, User

logger = logging.getLogger(__name__)

Kind = Source.Kind
Status = HarvestRun.Status
Outcome = HarvestRun.Outcome
ACTIVE_RUN = (Status.QUEUED, Status.RUNNING)

# A tag that names a version: v1.2.0, 1.2, 2024.03, 1.0.0-rc.1. The leading "v" is not part of the version, so
# that the tag v1.2.0 and a publiccode.yml's softwareVersion 1.2.0 are one release.
VERSION_TAG = re.compile(r"^[vV]?(?P<version>\d+(?:\.\d+)*(?:[-+][0-9A-Za-z][0-9A-Za-z.+_-]*)?)$")


class HarvestRateLimited(Conflict):
    """"Harvest now" was pressed for this source a moment ago."""

    code = "harvest_rate_limited"
    default_message = gettext_lazy("Una raccolta di questa sorgente è stata chiesta da poco: riprova tra un minuto.")


# --- registering and managing sources -------------------------------------------------------------------------


def normalise_address(address: str, *, kind: str = "") -> tuple[str, str]:
    """(kind, normalised address) of what a person typed, checked without touching the network. Raises Invalid
    (SourceRefused and its kinds for a repository, FileSourceRefused for a publiccode.yml address)."""
    kind = kind or (Kind.FILE if direct.is_publiccode_address(address) else Kind.REPOSITORY)
    if kind == Kind.CATALOG:
        return kind, parse_catalog_address(address)
    if kind == Kind.FILE:
        return kind, direct.parse_file_address(address)
    return kind, parse_source(address).url


@transaction.atomic
def register_source(*, url: str, by: User | None, body: Body | None, kind: str = "") -> Source:
    """Register a source of `body` and queue its first harvest.

    Preconditions: `by` may register sources for `body` (its publisher, for a member body; CST staff, for any
    body); a local path or file:// address is CST staff's and must lie under HARVEST_LOCAL_ROOTS. `by=None` is the
    portal (`manage.py harvest`), which may leave `body` empty: the first harvest sets it to the body the file names.
    A catalogue (`kind="catalog"`) is CST staff's and has no body: each of its entries belongs to the body its file
    names (see `_harvest_catalog`).
    Raises NotAllowed, Invalid (an address the portal does not read; `errors["url"]`) or Conflict (already a source).
    """
    if kind == Kind.CATALOG:
        if by is not None and not permissions.can_register_catalog_source(by):
            raise NotAllowed(_("Solo lo staff del CST può registrare un catalogo come sorgente."))
        body = None
    elif by is not None and (body is None or not permissions.can_register_source(by, body)):
        raise NotAllowed(_("Non puoi registrare sorgenti per questo ente."))
    try:
        kind, address = normalise_address(url, kind=kind)
    except Invalid as refused:
        raise Invalid(refused.message, errors={"url": refused.message})
    if address.startswith("file://") and by is not None and not permissions.can_register_local_source(by):
        message = _("Solo lo staff del CST può registrare un percorso locale.")
        raise Invalid(message, errors={"url": message})
    if Source.objects.exclude(status=Source.Status.REMOVED).filter(url=address).exists():
        message = _("Questo indirizzo è già una sorgente del catalogo.")
        raise Conflict(message, errors={"url": message})
    try:
        with transaction.atomic():
            source = Source.objects.create(url=address, kind=kind, body=body, registered_by=by,
                                           next_harvest_at=timezone.now() + _interval())
    except IntegrityError:  # registered at the same moment by someone else
        message = _("Questo indirizzo è già una sorgente del catalogo.")
        raise Conflict(message, errors={"url": message})
    _queue_run(source, trigger=HarvestRun.Trigger.MANUAL, by=by)
    return source


def _check_manage(source: Source, by: User | None) -> None:
    if by is not None and not permissions.can_manage_source(by, source):
        raise NotAllowed


@transaction.atomic
def pause_source(source: Source, *, by: User | None) -> Source:
    """Stop harvesting the source until it is resumed; its solution stays as it is."""
    _check_manage(source, by)
    if not Source.objects.filter(pk=source.pk, status=Source.Status.ACTIVE).update(
        status=Source.Status.PAUSED, next_harvest_at=None
    ):
        raise StatusConflict(_("La sorgente non è attiva."))
    source.status, source.next_harvest_at = Source.Status.PAUSED, None
    return source


@transaction.atomic
def resume_source(source: Source, *, by: User | None) -> Source:
    """Harvest a paused source again, from the next beat on."""
    _check_manage(source, by)
    now = timezone.now()
    if not Source.objects.filter(pk=source.pk, status=Source.Status.PAUSED).update(
        status=Source.Status.ACTIVE, next_harvest_at=now
    ):
        raise StatusConflict(_("La sorgente non è in pausa."))
    source.status, source.next_harvest_at = Source.Status.ACTIVE, now
    return source


@transaction.atomic
def remove_source(source: Source, *, by: User | None) -> Source:
    """Stop harvesting the source for good. Its solution stays in the catalogue, as it is, editable by hand again;
    its history of harvests stays readable by CST staff. The address may be registered again. The solution's
    vitality index is no longer measured: the figure leaves the solution (page, sort, API), its daily series stays
    and grows again if the repository is registered anew."""
    _check_manage(source, by)
    if not Source.objects.filter(pk=source.pk).exclude(status=Source.Status.REMOVED).update(
        status=Source.Status.REMOVED, next_harvest_at=None, removed_at=timezone.now()
    ):
        raise StatusConflict(_("La sorgente è già stata rimossa."))
    source.status = Source.Status.REMOVED
    solution = None
    if source.solution_id is not None:
        solution = Solution.objects.filter(pk=source.solution_id, vitality__isnull=False).first()
    if solution is not None:
        solution.vitality = None
        solution.save(update_fields=["vitality", "updated_at"])  # a change the lists and their caches must see
    return source


# --- queueing harvests ----------------------------------------------------------------------------------------


def _interval() -> dt.timedelta:
    return dt.timedelta(seconds=settings.HARVEST_INTERVAL_SECONDS)


def _queue_run(source: Source, *, trigger: str, by: User | None = None) -> HarvestRun:
    """A queued run of `source`, or the one already queued or running."""
    try:
        with transaction.atomic():
            return HarvestRun.objects.create(source=source, trigger=trigger, requested_by=by)
    except IntegrityError:  # the source has an active run: that one will do
        return HarvestRun.objects.get(source=source, status__in=ACTIVE_RUN)


def active_run(source: Source) -> HarvestRun | None:
    return HarvestRun.objects.filter(source=source, status__in=ACTIVE_RUN).first()


@transaction.atomic
def request_harvest(source: Source, *, by: User | None) -> HarvestRun:
    """"Harvest now": queue a run of an active source, at most once every HARVEST_NOW_MIN_SECONDS per source
    (a compare-and-set on the time of the last request). A run already queued or running is returned as it is.
    Raises NotAllowed, StatusConflict (paused or removed) or HarvestRateLimited."""
    _check_manage(source, by)
    if source.status != Source.Status.ACTIVE:
        raise StatusConflict(_("La sorgente è in pausa o rimossa: riattivala per raccoglierla."))
    running = active_run(source)
    if running is not None:
        return running
    now = timezone.now()
    wait = dt.timedelta(seconds=settings.HARVEST_NOW_MIN_SECONDS)
    if not Source.objects.filter(Q(requested_at__isnull=True) | Q(requested_at__lte=now - wait), pk=source.pk).update(
        requested_at=now
    ):
        raise HarvestRateLimited
    source.requested_at = now
    return _queue_run(source, trigger=HarvestRun.Trigger.MANUAL, by=by)


def queue_due_harvests(*, now: dt.datetime | None = None, limit: int = 1000) -> list[int]:
    """The beat job: a queued run for each active source whose time has come, and its next time moved on (a
    compare-and-set, so two beats at once queue one run). Returns the runs' ids."""
    now = now or timezone.now()
    due = list(
        Source.objects.filter(status=Source.Status.ACTIVE, next_harvest_at__lte=now)
        .order_by("next_harvest_at", "pk")
        .values_list("pk", "next_harvest_at")[:limit]
    )
    queued = []
    for pk, when in due:
        with transaction.atomic():
            if not Source.objects.filter(pk=pk, status=Source.Status.ACTIVE, next_harvest_at=when).update(
                next_harvest_at=now + _interval()
            ):
                continue
            queued.append(_queue_run(Source(pk=pk), trigger=HarvestRun.Trigger.SCHEDULE).pk)
    return queued


def prune_harvest_runs(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """The beat job that keeps the log short: per source, the last HARVEST_RUNS_KEPT finished runs, and every run that
    changed something (created or updated a solution) within HARVEST_CHANGES_KEPT_DAYS; a queued or running run
    and a source's last run are never deleted. Returns how many runs were deleted. Deletes in batches of `batch`
    ids, each in its own transaction, so that a long log does not hold locks for long."""
    now = now or timezone.now()
    kept = max(settings.HARVEST_RUNS_KEPT, 1)
    changed_since = now - dt.timedelta(days=settings.HARVEST_CHANGES_KEPT_DAYS)
    deleted = 0
    for source_id in HarvestRun.objects.order_by().values_list("source_id", flat=True).distinct():
        recent = HarvestRun.objects.filter(source_id=source_id, status=Status.DONE).order_by("-created_at", "-pk")
        cutoff = recent.values_list("created_at", "pk")[kept:kept + 1].first()
        if cutoff is None:
            continue
        old = (
            HarvestRun.objects.filter(source_id=source_id, status=Status.DONE)
            .filter(Q(created_at__lt=cutoff[0]) | Q(created_at=cutoff[0], pk__lte=cutoff[1]))
            .exclude(outcome__in=[Outcome.CREATED, Outcome.UPDATED], created_at__gte=changed_since)
            .exclude(pk__in=Source.objects.filter(last_run__isnull=False).values("last_run_id"))
        )
        while ids := list(old.values_list("pk", flat=True)[:batch]):
            with transaction.atomic():
                deleted += HarvestRun.objects.filter(pk__in=ids).delete()[0]
    return deleted


# --- running one harvest --------------------------------------------------------------------------------------


def _claim(run_id: int) -> HarvestRun | None:
    """Take the run for this worker: a queued one, or a running one whose worker's lease has passed."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.HARVEST_LEASE_SECONDS)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lte=now - lease)
    run = HarvestRun.objects.filter(claimable, pk=run_id).values_list("attempts", flat=True).first()
    if run is None:
        return None
    if not HarvestRun.objects.filter(claimable, pk=run_id, attempts=run).update(
        status=Status.RUNNING, started_at=now, attempts=run + 1, progress=5, due_at=now + lease
    ):
        return None
    return HarvestRun.objects.select_related("source__body", "source__solution", "source__registered_by").get(
        pk=run_id
    )


def _set_progress(run: HarvestRun, value: int) -> None:
    HarvestRun.objects.filter(pk=run.pk, status=Status.RUNNING, attempts=run.attempts, progress__lt=value).update(
        progress=value
    )


@dataclass
class _Read:
    """What reading a source found."""

    publiccode: bytes | None
    snapshot: Snapshot | None = None
    # The stored names of the logo and screenshots read with the file: a new logo is news too.
    images: tuple[str, ...] = ()

    @property
    def tags(self) -> tuple[Tag, ...]:
        return self.snapshot.tags if self.snapshot else ()

    @property
    def root_commits(self) -> list[str]:
        return list(self.snapshot.root_commits) if self.snapshot else []

    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.publiccode or b"")
        for tag in self.tags:
            digest.update(f"\n{tag.name}\x00{tag.commit}".encode())
        for name in self.images:
            digest.update(f"\nimage {name}".encode())
        return digest.hexdigest()


@dataclass
class _Findings:
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    # The stored logo and screenshots read from the repository (None: not read, as for a publiccode.yml address).
    images: tuple[str, list[str]] | None = None


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _in_every_language(render: Callable[[], object]) -> dict[str, str]:
    """A message rendered in each of the portal's languages, so that the log reads in the reader's."""
    messages = {}
    for language in _languages():
        with translation.override(language):
            messages[language] = str(render())
    return messages


def _error_entry(path: str, code: str, messages: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"path": path, "code": code, "messages": messages, **extra}


def _repository_error(error: RepositoryError) -> dict[str, Any]:
    params = dict(error.params)
    return _error_entry("", error.code, _in_every_language(lambda: RepositoryError.from_code(error.code, params)),
                        params=params)


def _fetch_error(error: ServiceError) -> dict[str, Any]:
    default = type(error).default_message
    said = error.message
    with translation.override(settings.LANGUAGE_CODE):
        generic = said == str(default)

    def render() -> str:
        return str(default) if generic else said

    return _error_entry("", error.code, _in_every_language(render))


def _field_errors(items: list[FieldError], translated: list[FieldError] | None, *, code: str) -> list[dict]:
    """Field errors found in Italian, with the English found by the same check run in English."""
    other = translated if translated is not None and len(translated) == len(items) else None
    entries = []
    for index, item in enumerate(items):
        messages = {settings.LANGUAGE_CODE: item.message}
        for language in _languages():
            if language != settings.LANGUAGE_CODE:
                messages[language] = other[index].message if other is not None else item.message
        entries.append(_error_entry(item.path, code, messages))
    return entries


def _read(source: Source, *, deadline: float) -> _Read:
    timeout = max(deadline - time.monotonic(), 1.0)
    if source.kind == Kind.FILE:
        return _Read(publiccode=direct.fetch_publiccode(source.url, timeout=timeout))
    snapshot = read_repository(source.url, timeout=timeout)
    return _Read(publiccode=snapshot.require_publiccode(), snapshot=snapshot)


def _referenced_files(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, repository path) of the logo and screenshots a file names by path (not by URL): the
    screenshots of its first description, at most MAX_SCREENSHOTS, as the import by URL keeps them."""
    found: list[tuple[str, str]] = []
    logo = data.get("logo")
    if isinstance(logo, str) and logo.strip():
        found.append(("logo", logo.strip()))
    description = data.get("description")
    for language, section in (description.items() if isinstance(description, dict) else []):
        shots = section.get("screenshots") if isinstance(section, dict) else None
        if not isinstance(shots, list):
            continue
        named = [(index, shot.strip()) for index, shot in enumerate(shots) if isinstance(shot, str) and shot.strip()]
        found += [(f"description.{language}.screenshots[{index}]", shot) for index, shot in named[:MAX_SCREENSHOTS]]
        break  # the screenshots of one language: the others show the same screens
    return [(path, value) for path, value in found if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value)]


def _keep_files(read: _Read, data: dict[str, Any], findings: _Findings, *, deadline: float) -> None:
    """Read the logo and screenshots from the repository (their contents enter the cached copy), check each as an
    image and keep a copy (cstportal.images: stored once by content). One that is missing, too big or not an
    image is a warning at its field path, never a reason to refuse the file."""
    if read.snapshot is None:
        return
    logo, screenshots = "", []
    for path, name in _referenced_files(data):
        left = deadline - time.monotonic()
        if left <= 1:
            break
        try:
            stored = store_image(check_image(read.snapshot.read_file(name, timeout=left)))
        except RepositoryError as error:
            findings.warnings.append(_error_entry(path, error.code, _in_every_language(error.render),
                                                  params=error.params))
            continue
        except ImageRefused as refused:
            findings.warnings.append(_error_entry(path, refused.code, {code: refused.message for code in _languages()}))
            continue
        if path == "logo":
            logo = stored
        else:
            screenshots.append(stored)
    findings.images = (logo, screenshots)
    read.images = (logo, *screenshots)


def _version(tag: Tag) -> str:
    match = VERSION_TAG.match(tag.name)
    return match["version"][:50] if match else ""


def _new_version_tags(source: Source, tags: Iterable[Tag]) -> list[tuple[str, dt.date]]:
    """Tags named like versions that the last harvest did not see, oldest first. On a source's first harvest only
    the newest one: a repository with years of tags is not a burst of old releases."""
    versions = [(tag, _version(tag)) for tag in tags]
    versions = [(tag, version) for tag, version in versions if version]
    if source.solution_id is None:  # the source's first harvest
        versions = versions[-1:]
    else:
        seen = set(source.tags_seen)
        versions = [(tag, version) for tag, version in versions if tag.name not in seen]
    today = timezone.localdate()
    return [(version, min(tag.date.date(), today)) for tag, version in versions]


def _actor(source: Source) -> User | None:
    """Who the harvest writes as: the registrant, unless CST staff (or the portal) registered the source."""
    registrant = source.registered_by
    if registrant is None or people.is_cst_admin(registrant):
        return None
    return registrant


def _moved_from(source: Source, read: _Read) -> Source | None:
    """The former source of the same repository (same root commits, same body) whose solution this one inherits:
    a source removed or paused, or one whose last harvest could not read it (moved, gone)."""
    if source.solution_id is not None or not read.root_commits:
        return None
    roots = set(read.root_commits)
    candidates = (
        Source.objects.exclude(pk=source.pk)
        .filter(kind=Kind.REPOSITORY, solution__isnull=False)
        .select_related("solution", "last_run")
        .order_by("-pk")
    )
    if source.body_id is not None:
        candidates = candidates.filter(solution__owner_id=source.body_id)
    for candidate in candidates:
        if not roots.intersection(candidate.root_commits):
            continue
        failing = candidate.last_run is not None and candidate.last_run.outcome == Outcome.FAILED
        if candidate.status != Source.Status.ACTIVE or failing:
            return candidate
    return None


_TRACKED = tuple(sorted(solutions.EDITABLE_FIELDS))


def _state(solution: Solution | None) -> dict[str, Any]:
    if solution is None:
        return {}
    state = {name: getattr(solution, name) for name in _TRACKED}
    state["categories"] = sorted(solution.categories.values_list("code", flat=True))
    state["tags"] = sorted(solution.tags.values_list("name", flat=True))
    return state


def _import(raw: bytes, *, source: Source, by: User | None) -> tuple[ImportResult, list[FieldError] | None]:
    """The import, in Italian; when it refuses, the same import in the other languages (a dry run) for their
    messages. Runs inside the caller's savepoint, which the caller rolls back on refusal."""
    with translation.override(settings.LANGUAGE_CODE):
        result = import_publiccode(raw, by=by, owner=source.body)
    translated = None
    if result.errors or result.warnings:
        other = [code for code in _languages() if code != settings.LANGUAGE_CODE]
        if other:
            with translation.override(other[0]):
                translated_result = import_publiccode(raw, by=by, owner=source.body, dry_run=True)
            translated = translated_result.errors if result.errors else translated_result.warnings
    return result, translated


class _Lost(Exception):
    """The run's claim passed to another worker: write nothing."""


class _Refused(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("refused")
        self.errors = errors


def _still_ours(run: HarvestRun) -> None:
    if not HarvestRun.objects.select_for_update().filter(
        pk=run.pk, status=Status.RUNNING, attempts=run.attempts
    ).exists():
        raise _Lost


def _apply(run: HarvestRun, source: Source, read: _Read, findings: _Findings) -> str:
    """Write what the file says, inside the caller's transaction. Returns the outcome; raises _Refused (nothing
    written) with the errors at their paths."""
    raw = read.publiccode or b""
    by = _actor(source)
    former = _moved_from(source, read)
    solution = source.solution if source.solution_id is not None else (former.solution if former else None)
    parsed = parse_publiccode(raw)
    if parsed.data is None or parsed.errors:
        raise _parse_refusal(raw)
    imported = fields_from_publiccode(parsed.data)
    new_url = imported.values.get("repository_url", "")
    before = _state(solution)
    releases_before = set(solution.releases.values_list("version", flat=True)) if solution else set()
    try:
        with transaction.atomic():
            if solution is not None and new_url and solution.repository_url != new_url:
                if Solution.objects.filter(repository_url=new_url).exclude(pk=solution.pk).exists():
                    raise _Refused([_error_entry("url", "url_taken", _in_every_language(
                        lambda: _("un'altra soluzione del catalogo ha già questo repository")))])
                if solution.repository_url:
                    RepositoryAlias.objects.get_or_create(solution=solution, url=solution.repository_url)
                    findings.changes.append({"kind": "moved", "params": {"old": solution.repository_url,
                                                                         "new": new_url}})
                solutions.update_solution(solution, by=by, repository_url=new_url)
            result, translated = _import(raw, source=source, by=by)
            if not result.ok:
                raise _Refused(_field_errors(result.errors, translated, code="import_refused"))
            solution = result.solution
            assert solution is not None
            feeding = Source.objects.filter(solution=solution).exclude(status=Source.Status.REMOVED)
            if feeding.exclude(pk__in=[source.pk] + ([former.pk] if former else [])).exists():
                raise _Refused([_error_entry("url", "solution_has_source", _in_every_language(lambda: _(
                    "la soluzione di questo repository è già raccolta da un'altra sorgente: rimuovi quella prima")))])
            for version, date in _new_version_tags(source, read.tags):
                if not Release.objects.filter(solution=solution, version=version).exists():
                    solutions.add_release(solution, by=by, version=version, date=date)
    except _Refused:
        raise
    except ServiceError as refused:  # a right the registrant has lost, a category, a version: nothing written
        message = refused.message
        raise _Refused([_error_entry(next(iter(refused.errors), ""), refused.code,
                                     {code: message for code in _languages()})]) from None
    findings.warnings.extend(_field_errors(result.warnings, translated if not result.errors else None,
                                           code="publiccode_warning"))
    solution.refresh_from_db()
    after = _state(solution)
    if result.created:
        findings.changes.append({"kind": "created", "params": {"solution": solution.name}})
    else:
        changed = [name for name in after if before.get(name) != after[name] and name != "repository_url"]
        if changed:
            findings.changes.append({"kind": "fields", "params": {"fields": changed}})
    if findings.images is not None and (solution.logo_image, solution.screenshot_images) != findings.images:
        logo, screenshots = findings.images
        Solution.objects.filter(pk=solution.pk).update(logo_image=logo, screenshot_images=screenshots)
        solution.logo_image, solution.screenshot_images = logo, screenshots
        findings.changes.append({"kind": "images", "params": {"logo": bool(logo), "screenshots": len(screenshots)}})
    for version in sorted(set(solution.releases.values_list("version", flat=True)) - releases_before):
        findings.changes.append({"kind": "release", "params": {"version": version}})
    if former is not None:
        Source.objects.filter(pk=former.pk).exclude(status=Source.Status.REMOVED).update(
            status=Source.Status.REMOVED, next_harvest_at=None, removed_at=timezone.now()
        )
        findings.changes.append({"kind": "took_over", "params": {"old": former.url}})
    fields = sorted(name for name, value in imported.values.items() if name in solutions.EDITABLE_FIELDS)
    fields += ["categories"] + (["tags"] if imported.tags is not None else [])
    source.solution = solution
    source.harvested_fields = fields
    if source.body_id is None:
        source.body = solution.owner
        findings.changes.append({"kind": "body", "params": {"body": solution.owner.name}})
    if result.created:
        return Outcome.CREATED
    return Outcome.UPDATED if findings.changes else Outcome.UNCHANGED


def _error_keys(errors: list[dict[str, Any]]) -> list[str]:
    """One short key per error (its path, code and Italian message), to tell new errors from known ones."""
    keys = set()
    for error in errors:
        text = "\n".join((error.get("path", ""), error.get("code", ""), error["messages"].get("it", "")))
        keys.add(hashlib.sha256(text.encode()).hexdigest()[:16])
    return sorted(keys)


def _finish(run: HarvestRun, source: Source, *, outcome: str, findings: _Findings, read: _Read | None,
            vitality: Vitality | None = None) -> None:
    """Close the run and record on the source what it saw, and the solution's vitality; tell of new errors. Inside
    the caller's transaction, after `_still_ours`."""
    now = timezone.now()
    transient = any(error.get("transient") for error in findings.errors)
    keys = source.error_keys if transient else _error_keys(findings.errors)
    new_errors = sorted(set(keys) - set(source.error_keys))
    HarvestRun.objects.filter(pk=run.pk).update(
        status=Status.DONE, outcome=outcome, progress=100, finished_at=now, due_at=None,
        changes=findings.changes, errors=findings.errors, warnings=findings.warnings,
        head=read.snapshot.head if read and read.snapshot else "",
    )
    updates: dict[str, Any] = {"last_run_id": run.pk, "error_keys": keys}
    if read is not None:
        # An unchanged fingerprint is not read again: a broken file is validated once.
        updates["fingerprint"] = read.fingerprint()
        if read.snapshot is not None:
            updates["refs_digest"] = read.snapshot.refs_digest
    if outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED) and read is not None:
        updates.update(solution=source.solution, body=source.body, harvested_fields=source.harvested_fields,
                       tags_seen=[tag.name for tag in read.tags])
        if read.snapshot is not None:
            updates.update(head=read.snapshot.head, default_branch=read.snapshot.default_branch,
                           root_commits=read.root_commits)
    Source.objects.filter(pk=source.pk).update(**updates)
    if vitality is not None and source.solution is not None and outcome != Outcome.FAILED:
        _record_vitality(source.solution, vitality, now=now)
    if new_errors and (outcome in (Outcome.FAILED, Outcome.INVALID) or source.kind == Kind.CATALOG):
        notices.harvest_found_errors(source, run, count=len(new_errors))


def _record_vitality(solution: Solution, vitality: Vitality, *, now: dt.datetime) -> None:
    """The day's row of the solution's vitality series, and the latest figure on the solution: written only when
    new or different, so that a harvest that finds the same figure writes nothing."""
    values = {
        "value": vitality.value, "user_community": vitality.user_community, "code_activity": vitality.code_activity,
        "release_history": vitality.release_history, "longevity": vitality.longevity, "authors": vitality.authors,
        "commits": vitality.commits, "merges": vitality.merges, "releases": vitality.releases,
        "age_days": vitality.age_days, "scores": vitality.scores_text,
    }
    day = timezone.localdate(now)
    row = VitalityDay.objects.filter(solution=solution, day=day).first()
    if row is None:
        VitalityDay.objects.create(solution=solution, day=day, computed_at=now, **values)
    elif any(getattr(row, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(row, name, value)
        row.computed_at = now
        row.save()
    if solution.vitality != vitality.value:
        solution.vitality = vitality.value
        solution.save(update_fields=["vitality"])  # a save, so that the lists and their caches see it


def _history(source: Source, *, deadline: float) -> History | None:
    """The repository's history from the cached copy; None for a publiccode.yml address, or when there is no
    copy to read (the vitality is then left as it was)."""
    if source.kind != Kind.REPOSITORY:
        return None
    try:
        return read_history(source.url, timeout=max(deadline - time.monotonic(), 1.0))
    except RepositoryError as error:
        logger.warning("history of %s not read: %s", source.url, error.detail or error.code)
        return None


def _vitality(history: History | None) -> Vitality | None:
    if history is None:
        return None
    return compute_vitality(history, now=timezone.now(), tz=timezone.get_current_timezone())


def run_harvest(*, run_id: int) -> HarvestRun | None:
    """Harvest the source of a queued run (see the module's docstring). Returns the finished run, or None when
    the run was not this worker's to do (done already, or running on a live worker)."""
    run = _claim(run_id)
    if run is None:
        return None
    source = run.source
    findings = _Findings()
    deadline = time.monotonic() + settings.HARVEST_TIMEOUT_SECONDS
    if source.status != Source.Status.ACTIVE and run.trigger != HarvestRun.Trigger.COMMAND:
        return _close(run, source, outcome=Outcome.SKIPPED, findings=findings, read=None)
    if source.kind == Kind.CATALOG:
        return _harvest_catalog(run, source, deadline=deadline)
    try:
        if _refs_unchanged(source, deadline=deadline):
            history = _history(source, deadline=deadline)
            if history is not None:
                return _repeat(run, source, findings, read=None, vitality=_vitality(history))
            # No copy left to read the history from (the cache was cleared): read the repository again.
        read = _read(source, deadline=deadline)
    except RepositoryError as error:
        entry = _repository_error(error)
        entry["transient"] = error.transient
        findings.errors.append(entry)
        return _close(run, source, outcome=Outcome.FAILED, findings=findings, read=None)
    except Invalid as error:  # a publiccode.yml address that could not be fetched
        entry = _fetch_error(error)
        entry["transient"] = bool(getattr(error, "transient", False))
        findings.errors.append(entry)
        return _close(run, source, outcome=Outcome.FAILED, findings=findings, read=None)
    _set_progress(run, 40)
    parsed = parse_publiccode(read.publiccode or b"")
    if parsed.data is not None and not parsed.errors:
        _keep_files(read, parsed.data, findings, deadline=deadline)
    vitality = _vitality(_history(source, deadline=deadline))
    if read.fingerprint() == source.fingerprint and _repeated_outcome(source) is not None:
        return _repeat(run, source, findings, read=read, vitality=vitality)
    _set_progress(run, 70)
    try:
        with transaction.atomic(durable=True):
            _still_ours(run)
            try:
                with transaction.atomic():
                    outcome = _apply(run, source, read, findings)
            except _Refused as refused:
                findings.errors = refused.errors
                findings.changes = []
                outcome = Outcome.INVALID
            _finish(run, source, outcome=outcome, findings=findings, read=read, vitality=vitality)
    except _Lost:
        logger.info("harvest run %s was taken over by another worker", run.pk)
        return None
    return HarvestRun.objects.get(pk=run.pk)


def _refs_unchanged(source: Source, *, deadline: float) -> bool:
    """A repository whose refs are those its last read found, after a harvest that applied or refused its file:
    one listing of the remote tells that nothing is new."""
    if source.kind != Kind.REPOSITORY or not source.refs_digest or _repeated_outcome(source) is None:
        return False
    return remote_digest(source.url, timeout=max(deadline - time.monotonic(), 1.0)) == source.refs_digest


def _repeated_outcome(source: Source) -> str | None:
    """What a harvest that finds what the last one found concludes: the same errors for a file still broken
    (nobody told again), nothing for one already applied; None when the last harvest left nothing to repeat (it
    could not read the source, or the solution it wrote is gone)."""
    last = source.last_run
    if last is None:
        return None
    if last.outcome == Outcome.INVALID:
        return Outcome.INVALID
    if source.solution_id is not None and last.outcome in (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED):
        return Outcome.UNCHANGED
    return None


def _repeat(run: HarvestRun, source: Source, findings: _Findings, *, read: _Read | None,
            vitality: Vitality | None = None) -> HarvestRun | None:
    outcome = _repeated_outcome(source)
    assert outcome is not None and source.last_run is not None
    if outcome == Outcome.INVALID:
        findings.errors = list(source.last_run.errors)
    findings.warnings = list(source.last_run.warnings)
    return _close(run, source, outcome=outcome, findings=findings, read=read, vitality=vitality)


def _close(run: HarvestRun, source: Source, *, outcome: str, findings: _Findings,
           read: _Read | None, vitality: Vitality | None = None) -> HarvestRun | None:
    try:
        with transaction.atomic(durable=True):
            _still_ours(run)
            _finish(run, source, outcome=outcome, findings=findings, read=read, vitality=vitality)
    except _Lost:
        return None
    return HarvestRun.objects.get(pk=run.pk)


# --- a catalogue as a source ---------------------------------------------------------------------------------
#
# A catalogue source is another catalogue's `software` list (another CST's portal, an export of the national
# catalogue), read with catalog.harvest.catalog_source. It is CST staff's and speaks for the bodies outside the
# CST only: each entry is imported as an upload would be, for the body its file names (recorded as an external
# body when the catalogue does not know it yet); an entry that names a member body of the CST, or whose repository
# is a member body's solution, is reported and changes nothing, because a member body publishes its own solutions.
#
# Each walk asks for what changed since the largest `updatedAt` of the last complete walk. An entry whose
# fingerprint (address, aliases, active, file) is the one last read is skipped, so a second harvest with nothing
# new writes nothing but its run. The errors of an entry are kept with it (its field paths prefixed with its id)
# and repeated in every run's log until the entry changes; people are told of new ones only.
#
# An entry the catalogue marks inactive (`"active": false`, as the national API lists withdrawn software) retires
# the solution it fed here, as CST staff would retire it by hand, with the catalogue named as the reason: a
# catalogue that withdrew a software no longer offers it for reuse, and the adopting bodies are told as for any
# retirement. Nothing is retired when another source feeds the solution. An entry that merely stops being listed
# is not taken as a withdrawal (a walk of changes cannot tell it from an entry that did not change): removing the
# source, or retiring by hand, is how such a solution leaves the catalogue. A retired solution that comes back
# active in the catalogue is updated but stays retired until CST staff publish it again.


def _entry_fingerprint(entry: CatalogEntry) -> str:
    digest = hashlib.sha256()
    for part in (entry.url, "\x00".join(entry.aliases), "active" if entry.active else "inactive", entry.publiccode_yml):
        digest.update(part.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def _entry_errors(entry: CatalogEntry, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The errors of one entry, at `<entry id>: <field path>`."""
    return [{**error, "path": f"{entry.id}: {error['path']}" if error.get("path") else entry.id, "entry": entry.id}
            for error in errors]


def _fed_elsewhere(solution: Solution, source: Source) -> bool:
    """Another source (not removed) feeds the solution: its repository, a publiccode.yml address, a catalogue."""
    return (
        Source.objects.filter(solution=solution).exclude(pk=source.pk).exclude(status=Source.Status.REMOVED).exists()
        or CatalogSourceEntry.objects.filter(solution=solution).exclude(source=source)
        .exclude(source__status=Source.Status.REMOVED).exists()
    )


def _member_refusal(path: str, body: Body) -> _Refused:
    return _Refused([_error_entry(path or "organisation.uri", "member_body", _in_every_language(lambda: _(
        "il file indica come titolare «%(body)s», un ente del CST: le sue soluzioni si pubblicano dal portale o dal "
        "suo repository, non da un altro catalogo") % {"body": body.name}))])


def _parse_refusal(raw: bytes) -> _Refused:
    with translation.override(settings.LANGUAGE_CODE):
        italian = parse_publiccode(raw).errors
    others = [code for code in _languages() if code != settings.LANGUAGE_CODE]
    translated = None
    if others:
        with translation.override(others[0]):
            translated = parse_publiccode(raw).errors
    return _Refused(_field_errors(italian, translated, code="publiccode_invalid"))


def _apply_entry(source: Source, entry: CatalogEntry,
                 link: CatalogSourceEntry | None) -> tuple[list[dict[str, Any]], Solution | None, list[str]]:
    """Import one entry, inside the caller's savepoint. Returns (changes, solution, harvested fields); raises
    _Refused (the caller rolls back) with the errors at their field paths."""
    by = _actor(source)
    solution = link.solution if link is not None else None
    if not entry.active:
        if solution is None or solution.status != Solution.Status.PUBLISHED or _fed_elsewhere(solution, source):
            return [], solution, []
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Non più attiva nel catalogo %(url)s.") % {"url": source.url}
        solutions.retire_solution(solution, by=by, reason=reason)
        return [{"kind": "retired", "params": {"solution": solution.name}}], solution, []
    raw = entry.publiccode_yml.encode()
    parsed = parse_publiccode(raw)
    if parsed.data is None or parsed.errors:
        raise _parse_refusal(raw)
    claim = owner_claim(parsed)
    named = claim.find()
    if named is not None and named.is_member:
        raise _member_refusal(claim.path, named)
    imported = fields_from_publiccode(parsed.data)
    new_url = imported.values.get("repository_url", "")
    changes: list[dict[str, Any]] = []
    if solution is not None and solution.owner.is_member:
        raise _member_refusal("url", solution.owner)
    if solution is not None and new_url and solution.repository_url != new_url:
        if Solution.objects.filter(repository_url=new_url).exclude(pk=solution.pk).exists():
            raise _Refused([_error_entry("url", "url_taken", _in_every_language(
                lambda: _("un'altra soluzione del catalogo ha già questo repository")))])
        if solution.repository_url:
            RepositoryAlias.objects.get_or_create(solution=solution, url=solution.repository_url)
            changes.append({"kind": "moved", "params": {"old": solution.repository_url, "new": new_url}})
        solutions.update_solution(solution, by=by, repository_url=new_url)
    before = _state(solution)
    releases_before = set(solution.releases.values_list("version", flat=True)) if solution else set()
    try:
        result, translated = _import(raw, source=source, by=by)
    except ServiceError as refused:
        message = refused.message
        raise _Refused([_error_entry(next(iter(refused.errors), ""), refused.code,
                                     {code: message for code in _languages()})]) from None
    if not result.ok:
        raise _Refused(_field_errors(result.errors, translated, code="import_refused"))
    solution = result.solution
    assert solution is not None
    if solution.owner.is_member:
        raise _member_refusal("url", solution.owner)
    if _fed_elsewhere(solution, source):
        raise _Refused([_error_entry("url", "solution_has_source", _in_every_language(lambda: _(
            "la soluzione di questo repository è già raccolta da un'altra sorgente: rimuovi quella prima")))])
    solution.refresh_from_db()
    if result.created:
        changes.append({"kind": "created", "params": {"solution": solution.name}})
    else:
        after = _state(solution)
        changed = [name for name in after if before.get(name) != after[name] and name != "repository_url"]
        if changed:
            changes.append({"kind": "entry_fields", "params": {"solution": solution.name, "fields": changed}})
    for version in sorted(set(solution.releases.values_list("version", flat=True)) - releases_before):
        changes.append({"kind": "entry_release", "params": {"solution": solution.name, "version": version}})
    known = set(solution.aliases.values_list("url", flat=True))
    added = [alias[:500] for alias in dict.fromkeys(entry.aliases)
             if alias != solution.repository_url and alias[:500] not in known]
    for alias in added:
        RepositoryAlias.objects.create(solution=solution, url=alias)
    if added:
        changes.append({"kind": "aliases", "params": {"solution": solution.name, "count": len(added)}})
    fields = sorted(name for name, value in imported.values.items() if name in solutions.EDITABLE_FIELDS)
    fields += ["categories"] + (["tags"] if imported.tags is not None else [])
    return changes, solution, fields


def _keep_entry(source: Source, entry: CatalogEntry, link: CatalogSourceEntry | None, *, fingerprint: str,
                solution: Solution | None, fields: list[str], errors: list[dict[str, Any]]) -> CatalogSourceEntry:
    values = {"url": entry.url[:500], "solution": solution, "active": entry.active, "fingerprint": fingerprint,
              "updated_at": entry.updated_at, "harvested_fields": fields, "errors": errors}
    if link is None:
        return CatalogSourceEntry.objects.create(source=source, entry_id=entry.id[:255], **values)
    for name, value in values.items():
        setattr(link, name, value)
    link.save(update_fields=list(values))
    return link


def _harvest_catalog(run: HarvestRun, source: Source, *, deadline: float) -> HarvestRun | None:
    """Harvest a catalogue source (see the section's comment): each changed entry in a transaction of its own that
    checks the claim first, then the run closed and the catalogue's cursor moved on after a complete walk."""
    links = {link.entry_id: link for link in CatalogSourceEntry.objects.filter(source=source).select_related(
        "solution__owner")}
    changes: list[dict[str, Any]] = []
    refused_now = False
    walk_error: dict[str, Any] | None = None
    newest = source.catalog_since
    try:
        for entry in read_catalog(source.url, since=source.catalog_since, include_inactive=True):
            if time.monotonic() > deadline:
                raise CatalogSourceError(_("La lettura del catalogo ha superato il tempo massimo: riprenderà alla "
                                           "prossima raccolta."), transient=True)
            newest = entry.updated_at if newest is None else max(newest, entry.updated_at)
            fingerprint = _entry_fingerprint(entry)
            link = links.get(entry.id[:255])
            if (link is not None and link.fingerprint == fingerprint) or (link is None and not entry.active):
                continue
            with transaction.atomic(durable=True):
                _still_ours(run)
                try:
                    with transaction.atomic():
                        found, solution, fields = _apply_entry(source, entry, link)
                    errors: list[dict[str, Any]] = []
                except _Refused as refused:
                    found, errors = [], _entry_errors(entry, refused.errors)
                    solution = link.solution if link is not None else None
                    fields = link.harvested_fields if link is not None else []
                    refused_now = True
                links[entry.id[:255]] = _keep_entry(source, entry, link, fingerprint=fingerprint, solution=solution,
                                                    fields=fields, errors=errors)
            changes.extend(found)
    except CatalogSourceError as error:
        walk_error = _fetch_error(error)
        walk_error["transient"] = error.transient
    except _Lost:
        logger.info("harvest run %s was taken over by another worker", run.pk)
        return None
    errors = [error for link in links.values() for error in link.errors]
    if walk_error is not None:
        errors.insert(0, walk_error)
    if walk_error is not None:
        outcome = Outcome.FAILED
    elif any(change["kind"] == "created" for change in changes):
        outcome = Outcome.CREATED
    elif changes:
        outcome = Outcome.UPDATED
    else:
        outcome = Outcome.INVALID if refused_now else Outcome.UNCHANGED
    try:
        with transaction.atomic(durable=True):
            _still_ours(run)
            _finish(run, source, outcome=outcome, findings=_Findings(errors=errors, changes=changes), read=None)
            if walk_error is None and newest is not None and newest != source.catalog_since:
                Source.objects.filter(pk=source.pk).update(catalog_since=newest)
    except _Lost:
        return None
    return HarvestRun.objects.get(pk=run.pk)


# --- the management command -----------------------------------------------------------------------------------


def find_source(address: str) -> Source | None:
    """The registered (not removed) source at `address`, however it was typed (a catalogue: as registered)."""
    exact = Source.objects.exclude(status=Source.Status.REMOVED).filter(url=address.strip()).first()
    if exact is not None:
        return exact
    try:
        _kind, url = normalise_address(address)
    except Invalid:
        return None
    return Source.objects.exclude(status=Source.Status.REMOVED).filter(url=url).first()


def harvest_at_once(sources: Iterable[Source]) -> list[HarvestRun]:
    """Harvest `sources` in this process, now (`manage.py harvest`): each through a run, as a worker would, so a
    worker holding one of them meanwhile is never doubled. Returns the finished runs."""
    finished = []
    for source in sources:
        run = _queue_run(source, trigger=HarvestRun.Trigger.COMMAND)
        done = run_harvest(run_id=run.pk)
        if done is not None:
            finished.append(done)
    return finished
