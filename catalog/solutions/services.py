"""Solutions and their releases: creating, editing and moving them through publication.

Publication follows the table workflow.PUBLICATION_STEPS: draft → in_review (publisher submits) → published (CST)
or back to draft with a reason ("changes requested"); published → retired. Every change of status is a
compare-and-set (`UPDATE … WHERE pk = ? AND status = <expected>`): when zero rows change, somebody else moved the
solution first and the caller gets `AlreadyChanged`, never a second transition. A step also raises StatusConflict
(the table does not start from the solution's status), NotAllowed (the role) or Invalid (a reason the step needs),
all from cstportal.errors. The status change, its PublicationEvent and the notice hooks run in one transaction.

`by` is the person acting, whose rights the services check; `None` stands for the portal itself (a management
command run on the server), which has every right. Views and the API always pass the request's user.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from catalog import notices, permissions
from catalog.models import Category, PublicationEvent, Release, Solution, Tag
from catalog.solutions.search import refresh_search_vector
from catalog.workflow import PUBLICATION_STEPS, PublicationAction
from cstportal.errors import AlreadyChanged, Conflict, Invalid, NotAllowed, StatusConflict
from municipalities.models import Body, User

Status = Solution.Status

# The fields a publisher edits through the services; status, slug and timestamps are the services' own.
EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "name", "kind", "short_description_it", "short_description_en", "long_description_it", "long_description_en",
        "features_it", "features_en", "scope", "origin", "origin_other", "software_type", "licence",
        "main_copyright_owner", "repo_owner", "repository_url", "landing_url", "documentation_url", "logo",
        "development_status", "maintenance_type", "maintenance_contractor", "maintenance_until", "contacts",
        "platforms", "available_languages", "localisation_ready", "dependencies", "supports_spid", "supports_cie",
        "supports_pagopa", "supports_anpr", "supports_io", "publiccode_extra",
    }
)


class ReleaseExists(Conflict):
    """The version is already recorded for the solution."""


# --- creating and editing -------------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100].strip("-") or "soluzione"
    slug, n = base, 2
    while Solution.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable through the services: {', '.join(sorted(unknown))}")


def _categories(values: Iterable[Category | str]) -> list[Category]:
    items = list(values)
    codes = [v for v in items if isinstance(v, str)]
    found = list(Category.objects.filter(code__in=codes)) if codes else []
    missing = set(codes) - {c.code for c in found}
    if missing:
        message = _("Categorie sconosciute: %(codes)s.") % {"codes": ", ".join(sorted(missing))}
        raise Invalid(message, errors={"categories": message})
    return [v for v in items if isinstance(v, Category)] + found


def _tags(names: Iterable[str]) -> list[Tag]:
    tags: list[Tag] = []
    for name in names:
        name = " ".join(str(name).split())[:60]
        slug = slugify(name)[:60]
        if not slug:
            continue
        tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


@transaction.atomic
def create_solution(
    *,
    by: User | None,
    owner: Body,
    categories: Iterable[Category | str] = (),
    tags: Iterable[str] = (),
    slug: str = "",
    note: str = "",
    **fields: Any,
) -> Solution:
    """Create a draft solution of `owner`.

    Preconditions: `by` may create solutions for `owner` (its publisher or CST staff). `fields` are Solution fields
    among EDITABLE_FIELDS; categories are Category objects or publiccode.yml codes, tags are names (created when
    new). The slug is derived from the name unless given. Effects: the solution, a PublicationEvent "created as
    draft" (with `note` as its reason) and its search vector.
    """
    if by is not None and not permissions.can_create_solution(by, owner):
        raise NotAllowed
    _check_fields(fields)
    if slug and Solution.objects.filter(slug=slug).exists():
        raise Conflict(_("Esiste già una soluzione con lo slug «%(slug)s».") % {"slug": slug})
    solution = Solution(owner=owner, status=Status.DRAFT, created_by=by, **fields)
    solution.slug = slug or _unique_slug(fields.get("name", ""))
    solution.save()
    solution.categories.set(_categories(categories))
    solution.tags.set(_tags(tags))
    PublicationEvent.objects.create(solution=solution, from_status="", to_status=Status.DRAFT, actor=by, reason=note)
    refresh_search_vector([solution.pk])
    return solution


@transaction.atomic
def update_solution(
    solution: Solution,
    *,
    by: User | None,
    owner: Body | None = None,
    categories: Iterable[Category | str] | None = None,
    tags: Iterable[str] | None = None,
    **fields: Any,
) -> Solution:
    """Change a solution's fields (not its publication status).

    Preconditions: `by` may edit the solution; moving it to another owner also needs the right to create
    solutions for that body. `categories` / `tags` replace the current ones when given. Effects: the row, the
    many-to-many links, the search vector and (published) the webhooks' "solution.updated".
    """
    if by is not None and not permissions.can_edit_solution(by, solution):
        raise NotAllowed
    _check_fields(fields)
    if owner is not None and owner.pk != solution.owner_id:
        if by is not None and not permissions.can_create_solution(by, owner):
            raise NotAllowed
        solution.owner = owner
    for name, value in fields.items():
        setattr(solution, name, value)
    # Never write the status here: a concurrent publication must not be undone by saving a stale object.
    update_fields = [*fields, "owner", "updated_at"]
    solution.save(update_fields=update_fields)
    if categories is not None:
        solution.categories.set(_categories(categories))
    if tags is not None:
        solution.tags.set(_tags(tags))
    refresh_search_vector([solution.pk])
    notices.solution_updated(solution)
    return solution


@transaction.atomic
def add_release(solution: Solution, *, by: User | None, version: str, date: date, notes: str = "") -> Release:
    """Record a new release of the solution.

    Preconditions: `by` may edit the solution; `version` is new for it. Effects: the release, the solution's
    latest release date (the newest date among its releases) and the "new release" notices.
    """
    if by is not None and not permissions.can_edit_solution(by, solution):
        raise NotAllowed
    version = version.strip()
    exists = ReleaseExists(
        _("La versione %(version)s è già registrata.") % {"version": version},
        errors={"version": _("La versione %(version)s è già registrata.") % {"version": version}},
    )
    if Release.objects.filter(solution=solution, version=version).exists():
        raise exists
    try:
        with transaction.atomic():
            release = Release.objects.create(solution=solution, version=version, date=date, notes=notes)
    except IntegrityError:  # the same version added at the same moment by someone else
        raise exists
    latest = Release.objects.filter(solution=solution).aggregate(latest=Max("date"))["latest"]
    Solution.objects.filter(pk=solution.pk).update(latest_release_date=latest, updated_at=timezone.now())
    solution.latest_release_date = latest
    notices.release_added(release)
    return release


# --- publication ----------------------------------------------------------------------------------------------


def _change_status(
    solution: Solution, *, expected: str, to: str, by: User | None, reason: str = "", **extra: Any
) -> PublicationEvent:
    """Compare-and-set the status, record the event, call the notice hook. Runs inside the caller's transaction."""
    now = timezone.now()
    changes = {"status": to, "status_reason": reason, "updated_at": now, **extra}
    if not Solution.objects.filter(pk=solution.pk, status=expected).update(**changes):
        raise AlreadyChanged(
            _("Lo stato della soluzione «%(name)s» è già stato cambiato da un'altra persona: ricarica la pagina.")
            % {"name": solution.name}
        )
    for name, value in changes.items():
        setattr(solution, name, value)
    event = PublicationEvent.objects.create(
        solution=solution, from_status=expected, to_status=to, actor=by, reason=reason
    )
    notices.solution_status_changed(solution, event)
    return event


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise Invalid(_("Indica il motivo."), errors={"reason": _("Indica il motivo.")})
    return reason


def _take_step(solution: Solution, *, action: PublicationAction, by: User | None, reason: str = "") -> PublicationEvent:
    """Move the solution one step of workflow.PUBLICATION_STEPS. Runs inside the caller's transaction."""
    step = PUBLICATION_STEPS[action]
    reason = _clean_reason(reason, required=step.reason_required)
    if solution.status != step.source:
        raise StatusConflict(step.refusal)
    if by is not None and not permissions.can_take_publication_step(by, solution, action):
        raise NotAllowed
    now = timezone.now()
    return _change_status(solution, expected=step.source, to=step.target, by=by, reason=reason,
                          **{name: now for name in step.stamps})


@transaction.atomic
def submit_solution(solution: Solution, *, by: User | None, note: str = "") -> PublicationEvent:
    """Send a draft to CST staff for review (draft → in_review): its body's publishers or CST staff."""
    return _take_step(solution, action=PublicationAction.SUBMIT, by=by, reason=note)


@transaction.atomic
def publish_solution(solution: Solution, *, by: User | None, note: str = "") -> PublicationEvent:
    """Publish a solution under review (in_review → published): from now on everybody sees it. CST staff only."""
    return _take_step(solution, action=PublicationAction.PUBLISH, by=by, reason=note)


@transaction.atomic
def request_changes(solution: Solution, *, by: User | None, reason: str) -> PublicationEvent:
    """Send a solution under review back to its publishers (in_review → draft) saying what to change (CST staff)."""
    return _take_step(solution, action=PublicationAction.REQUEST_CHANGES, by=by, reason=reason)


@transaction.atomic
def retire_solution(solution: Solution, *, by: User | None, reason: str) -> PublicationEvent:
    """Withdraw a published solution from the catalogue (published → retired), saying why: its adoptions keep
    their history, and the bodies that use it are told."""
    return _take_step(solution, action=PublicationAction.RETIRE, by=by, reason=reason)
