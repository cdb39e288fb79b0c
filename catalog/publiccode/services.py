"""Importing a publiccode.yml into the catalogue."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cstportal.errors import Invalid
from municipalities.models import Body

from .. import permissions
from ..models import Solution
from ..services import solutions
from .mapping import ImportedFields, body_label, fields_from_publiccode
from .parser import FieldError, parse_publiccode

if TYPE_CHECKING:
    from municipalities.models import User

IMPORT_REASON = "Importata da publiccode.yml"
# The catalogue's Italian texts, which a file without an Italian description must not overwrite.
_ITALIAN_FIELDS = ("short_description_it", "long_description_it", "features_it", "documentation_url")

# Where a model field's value came from in the file, to report a model-level error at the right key.
_FIELD_PATHS = {
    "name": "name",
    "repository_url": "url",
    "landing_url": "landingURL",
    "logo": "logo",
    "short_description_it": "description.it.shortDescription",
    "long_description_it": "description.it.longDescription",
    "short_description_en": "description.en.shortDescription",
    "long_description_en": "description.en.longDescription",
    "documentation_url": "description.it.documentation",
    "licence": "legal.license",
    "main_copyright_owner": "legal.mainCopyrightOwner",
    "repo_owner": "legal.repoOwner",
    "maintenance_contractor": "maintenance.contractors[0].name",
}


@dataclass
class ImportResult:
    solution: Solution | None = None
    created: bool = False
    dry_run: bool = False
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Refused(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("import refused")
        self.errors = errors


def _find_existing(imported: ImportedFields) -> Solution | None:
    if imported.portal_slug:
        found = Solution.objects.select_related("owner").filter(slug=imported.portal_slug, repository_url="").first()
        if found is not None:
            return found
    if imported.values["repository_url"]:
        return Solution.objects.select_related("owner").filter(repository_url=imported.values["repository_url"]).first()
    return None


def _resolve_owner(*, ipa_code: str, ipa_path: str, owner: Body | None, existing: Solution | None) -> Body:
    named = Body.objects.filter(ipa_code__iexact=ipa_code).first() if ipa_code else None
    if owner is not None and named is not None and owner.pk != named.pk:
        raise _Refused([FieldError(ipa_path, _(
            "il file indica come titolare «%(named)s», diverso dall'ente scelto «%(owner)s»") % {
            "named": body_label(named), "owner": body_label(owner)})])
    chosen = owner or named or (existing.owner if existing else None)
    if chosen is None:
        raise _Refused([FieldError("organisation.uri", _(
            "indicare l'ente titolare: il file non contiene organisation.uri (urn:x-italian-pa:<codice IPA>) "
            "né it.riuso.codiceIPA, e non è stato scelto un ente"))])
    if existing is not None and existing.owner_id != chosen.pk:
        raise _Refused([FieldError("url", _(
            "questo repository è già nel catalogo come soluzione di un altro ente: non può essere importato "
            "per «%(owner)s»") % {"owner": body_label(chosen)})])
    return chosen


def _check_authority(by: User | None, *, owner: Body, existing: Solution | None, owner_path: str) -> None:
    if by is None:  # the management command: whoever runs it on the server has every right
        return
    allowed = (permissions.can_edit_solution(by, existing) if existing is not None
               else permissions.can_create_solution(by, owner))
    if not allowed:
        raise _Refused([FieldError(owner_path, _(
            "non hai i permessi per pubblicare o modificare soluzioni dell'ente «%(owner)s»") % {"owner": body_label(owner)})])


def _model_errors(exc: DjangoValidationError) -> list[FieldError]:
    errors = []
    for name, messages in exc.message_dict.items():
        for message in messages:
            errors.append(FieldError(_FIELD_PATHS.get(name, name), message))
    return errors


def _check_values(imported: ImportedFields, *, owner: Body, existing: Solution | None) -> None:
    """Hold the mapped values to the model's own rules (lengths, URLs, licence) before anything is written."""
    candidate = copy.copy(existing) if existing is not None else Solution()
    for name, value in imported.values.items():
        setattr(candidate, name, value)
    candidate.owner = owner
    candidate.publiccode_extra = imported.extra
    try:
        candidate.full_clean(exclude=["slug", "search_vector"], validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise _Refused(_model_errors(exc))


def _save(imported: ImportedFields, *, by: User | None, owner: Body, existing: Solution | None) -> Solution:
    """Write through the solution services, as a publisher's edit would: same slugs, events, notices."""
    if existing is None:
        solution = solutions.create_solution(
            by=by, owner=owner, categories=imported.categories, tags=imported.tags or (), note=IMPORT_REASON,
            publiccode_extra=imported.extra, **imported.values,
        )
    else:
        solution = solutions.update_solution(
            existing, by=by, categories=imported.categories, tags=imported.tags, publiccode_extra=imported.extra,
            **imported.values,
        )
    if imported.release:
        version, date = imported.release
        if not solution.releases.filter(version=version).exists():
            solutions.add_release(solution, by=by, version=version, date=date)
    return solution


@transaction.atomic
def import_publiccode(
    raw: bytes, *, by: User | None, owner: Body | None = None, dry_run: bool = False
) -> ImportResult:
    """Create or update a solution from a publiccode.yml file.

    The solution is the one whose repository URL equals the file's `url` (updated in place), else a new `draft`
    owned by the body the file names (organisation.uri or it.riuso.codiceIPA) or by `owner`. `by` must be allowed
    to create solutions for that body, or to edit the existing one (`by=None`: the management command).
    Any error, in the file or in those rules, writes nothing and comes back in `.errors`; `dry_run` checks
    everything, writes and then rolls back. The writes are the solution services' (a new version is a release that
    tells the adopting bodies).
    """
    parsed = parse_publiccode(raw)
    if parsed.errors or parsed.data is None:
        return ImportResult(errors=parsed.errors, dry_run=dry_run)
    imported = fields_from_publiccode(parsed.data)
    existing = _find_existing(imported)
    if imported.italian_from and existing is not None:
        for name in _ITALIAN_FIELDS:
            imported.values.pop(name, None)
    try:
        body = _resolve_owner(ipa_code=parsed.ipa_code, ipa_path=parsed.ipa_path, owner=owner, existing=existing)
        _check_authority(by, owner=body, existing=existing, owner_path=parsed.ipa_path or "organisation.uri")
        _check_values(imported, owner=body, existing=existing)
        with transaction.atomic():
            solution = _save(imported, by=by, owner=body, existing=existing)
            if dry_run:
                transaction.set_rollback(True)
    except _Refused as refused:
        return ImportResult(errors=refused.errors, dry_run=dry_run)
    except Invalid as refused:  # categories the catalogue does not know
        return ImportResult(errors=[FieldError("categories", refused.message)], dry_run=dry_run)
    except IntegrityError:  # another import of the same repository won the race
        return ImportResult(errors=[FieldError("url", _(
            "un'altra soluzione con questo indirizzo è stata salvata nel frattempo: riprovare"))], dry_run=dry_run)
    return ImportResult(solution=solution, created=existing is None, dry_run=dry_run, warnings=parsed.warnings)
