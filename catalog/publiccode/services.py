"""Importing a publiccode.yml into the catalogue."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalog import permissions
from catalog.models import Solution
from catalog.publiccode.export import verified_users
from catalog.publiccode.mapping import (
    ImportedFields,
    body_label,
    declared_users,
    fields_from_publiccode,
    institutional_contact,
)
from catalog.publiccode.parser import FieldError, ParseResult, parse_publiccode
from catalog.solutions import services as solutions
from catalog.solutions.suggestions import near_duplicates
from cstportal.errors import Invalid, ServiceError
from cstportal.fetch import FetchError, fetch
from cstportal.images import fetch_image, store_image
from municipalities import permissions as people
from municipalities.models import Body

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
    # Solutions close to the one the file would create, when the caller asked to stop at them: nothing was saved.
    near_duplicates: list[Solution] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.near_duplicates


class _NearDuplicates(Exception):
    def __init__(self, matches: list[Solution]) -> None:
        super().__init__("close matches")
        self.matches = matches


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


@dataclass(frozen=True)
class OwnerClaim:
    """The owner a file names: an Italian public body by IPA code, a body abroad by its organisation.uri, or, when
    it names no public body, the organisation of its repository (a third-party publisher)."""

    kind: str  # one of Body.Kind: ENTE (or COMUNE for a c_ code), ESTERO, TERZO; "" when nothing names an owner
    ipa_code: str = ""
    uri: str = ""
    name: str = ""
    path: str = ""

    def find(self) -> Body | None:
        if self.ipa_code:
            return Body.objects.filter(ipa_code__iexact=self.ipa_code).first()
        if self.uri:
            return Body.objects.filter(uri=self.uri).first()
        return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def repository_organisation(url: str) -> tuple[str, str]:
    """(address, name) of the organisation that holds a repository: "https://github.com/comune-x/app" →
    ("https://github.com/comune-x", "comune-x"). Empty when the URL has no organisation in its path."""
    parts = urlsplit(url or "")
    segments = [s for s in parts.path.split("/") if s]
    if parts.scheme not in ("http", "https") or not parts.hostname or len(segments) < 2:
        return "", ""
    return f"{parts.scheme}://{parts.hostname.lower()}/{segments[0]}", segments[0]


def owner_claim(parsed: ParseResult) -> OwnerClaim:
    data: dict[str, Any] = parsed.data or {}
    organisation: dict[str, Any] = data["organisation"] if isinstance(data.get("organisation"), dict) else {}
    legal: dict[str, Any] = data["legal"] if isinstance(data.get("legal"), dict) else {}
    org_address, org_name = repository_organisation(_text(data.get("url")))
    # The owner's name: organisation.name, else legal.repoOwner (what 0.7 replaced by organisation.name) when it
    # is a name and not an address, else the copyright owner.
    repo_owner = _text(legal.get("repoOwner"))
    if "://" in repo_owner or repo_owner.lower().startswith("www."):
        repo_owner = ""
    name = _text(organisation.get("name")) or repo_owner or _text(legal.get("mainCopyrightOwner"))
    if parsed.ipa_code:
        kind = Body.Kind.COMUNE if parsed.ipa_code.lower().startswith("c_") else Body.Kind.ENTE
        return OwnerClaim(kind, ipa_code=parsed.ipa_code.lower(), name=name or org_name or parsed.ipa_code,
                          path=parsed.ipa_path)
    uri = _text(organisation.get("uri"))
    if uri:
        return OwnerClaim(Body.Kind.ESTERO, uri=uri, name=name or org_name or uri, path="organisation.uri")
    if org_address:
        return OwnerClaim(Body.Kind.TERZO, uri=org_address, name=name or org_name, path="url")
    return OwnerClaim("", path="url")


def _external_body(claim: OwnerClaim) -> Body:
    """Record the owner a file names as an external body: listed, no members, named from the file (CST staff can
    correct the name; a later import never renames it)."""
    name = claim.name[:150]
    base = slugify(name)[:150] or "ente"
    slug, n = base, 1
    while Body.objects.filter(Q(slug=slug) | Q(key=slug)).exists():
        n += 1
        slug = f"{base}-{n}"
    body = Body(name=name, slug=slug, kind=claim.kind, is_member=False, ipa_code=claim.ipa_code, uri=claim.uri)
    if claim.ipa_code.startswith("c_") and len(claim.ipa_code) == 6:
        body.belfiore_code = claim.ipa_code[2:].upper()
    body.save()
    return body


def _resolve_owner(claim: OwnerClaim, *, by: User | None, owner: Body | None, existing: Solution | None) -> Body:
    named = claim.find()
    if owner is not None and claim.kind and claim.kind != Body.Kind.TERZO and (named is None or named.pk != owner.pk):
        raise _Refused([FieldError(claim.path, _(
            "il file indica come titolare «%(named)s», diverso dall'ente scelto «%(owner)s»") % {
            "named": body_label(named) if named is not None else claim.ipa_code or claim.uri,
            "owner": body_label(owner)})])
    chosen = owner or (existing.owner if existing is not None and named is None else None) or named
    if chosen is None:
        if not claim.kind:
            raise _Refused([FieldError("organisation.uri", _(
                "indicare l'ente titolare: il file non indica un ente (organisation.uri, it.riuso.codiceIPA) né un "
                "repository da cui ricavarlo, e non è stato scelto un ente"))])
        if by is not None and not people.is_cst_admin(by):
            raise _Refused([FieldError(claim.path, _(
                "il file indica come titolare «%(named)s», che non è un ente del CST: solo lo staff del CST può "
                "importare soluzioni di enti esterni") % {"named": claim.name})])
        chosen = _external_body(claim)
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
        # A new entry enters the usual review; CST staff (and the portal itself) review what they import.
        solutions.submit_solution(solution, by=by, note=IMPORT_REASON)
        if by is None or people.is_cst_admin(by):
            solutions.publish_solution(solution, by=by, note=IMPORT_REASON)
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


def _keep_what_the_portal_wrote(imported: ImportedFields, *, owner: Body, existing: Solution | None) -> None:
    """A file the portal exported comes back unchanged: its additions are not news about the solution.

    - The owner body as the only contact is what the export writes for people who may not see the solution's
      contacts: the solution keeps its own.
    - The export's `usedBy` lists the bodies the owner declared, then those running the solution in production
      (verified through adoptions): a verified body is not recorded as declared unless it was declared already.
    """
    if existing is None:
        return
    if imported.values.get("contacts") == [institutional_contact(owner)]:
        imported.values.pop("contacts")
    declared = imported.extra.get("usedBy")
    if isinstance(declared, list):
        before = set(declared_users(existing))
        verified = set(verified_users(existing))
        kept = [name for name in declared if name in before or name not in verified]
        if kept:
            imported.extra["usedBy"] = kept
        else:
            imported.extra.pop("usedBy")


@transaction.atomic
def import_publiccode(
    raw: bytes, *, by: User | None, owner: Body | None = None, dry_run: bool = False, stop_at_near_duplicates: bool = False
) -> ImportResult:
    """Create or update a solution from a publiccode.yml file.

    The solution is the one whose repository URL equals the file's `url` (updated in place), else a new `draft`
    owned by the body the file names (organisation.uri or it.riuso.codiceIPA) or by `owner`. `by` must be allowed
    to create solutions for that body, or to edit the existing one (`by=None`: the management command).
    Any error, in the file or in those rules, writes nothing and comes back in `.errors`; `dry_run` checks
    everything, writes and then rolls back. The writes are the solution services' (a new version is a release that
    tells the adopting bodies). With `stop_at_near_duplicates`, a file that would create a solution close to one `by`
    can see (catalog.solutions.suggestions.near_duplicates) writes nothing and returns those in `.near_duplicates`,
    for the page to show before the publisher confirms.
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
        claim = owner_claim(parsed)
        with transaction.atomic():
            body = _resolve_owner(claim, by=by, owner=owner, existing=existing)
            _check_authority(by, owner=body, existing=existing, owner_path=claim.path or "organisation.uri")
            _keep_what_the_portal_wrote(imported, owner=body, existing=existing)
            _check_values(imported, owner=body, existing=existing)
            if stop_at_near_duplicates and existing is None:
                matches = near_duplicates(Solution.objects.visible_to(by), name=imported.values.get("name", ""),
                                          description=imported.values.get("short_description_it", ""))
                if matches:
                    raise _NearDuplicates(matches)  # also undoes an external owner recorded above
            solution = _save(imported, by=by, owner=body, existing=existing)
            if dry_run:
                transaction.set_rollback(True)
    except _Refused as refused:
        return ImportResult(errors=refused.errors, dry_run=dry_run)
    except _NearDuplicates as found:
        return ImportResult(near_duplicates=found.matches, dry_run=dry_run, warnings=parsed.warnings)
    except Invalid as refused:  # categories the catalogue does not know
        return ImportResult(errors=[FieldError("categories", refused.message)], dry_run=dry_run)
    except IntegrityError:  # another import of the same repository won the race
        return ImportResult(errors=[FieldError("url", _(
            "un'altra soluzione con questo indirizzo è stata salvata nel frattempo: riprovare"))], dry_run=dry_run)
    return ImportResult(solution=solution, created=existing is None, dry_run=dry_run, warnings=parsed.warnings)


# --- import by URL --------------------------------------------------------------------------------------------

# What a description's screenshots may add: a page shows a few, not a repository's whole gallery.
MAX_SCREENSHOTS = 5


def import_publiccode_from_url(
    url: str, *, by: User | None, owner: Body | None = None, dry_run: bool = False, stop_at_near_duplicates: bool = False
) -> ImportResult:
    """Fetch a repository's publiccode.yml from `url` and import it as `import_publiccode` does; then fetch the logo
    and screenshots it references (relative to the file's address), check them and keep a copy.

    The fetch obeys cstportal.fetch (http/https only, no private or loopback address unless allowed, timeouts, the
    file's size limit). A refused or failed fetch is an error at `url`; an image that cannot be had is a warning
    and the solution is imported without it. Nothing is fetched inside the import's transaction.
    """
    try:
        fetched = fetch(url, max_bytes=settings.PUBLICCODE_MAX_BYTES)
    except FetchError as error:
        return ImportResult(errors=[FieldError("url", error.message)], dry_run=dry_run)
    result = import_publiccode(fetched.content, by=by, owner=owner, dry_run=dry_run,
                               stop_at_near_duplicates=stop_at_near_duplicates)
    if result.ok and not result.dry_run and result.solution is not None:
        result.warnings.extend(_keep_images(result.solution, fetched.content, base=fetched.url))
    return result


def _keep_images(solution: Solution, raw: bytes, *, base: str) -> list[FieldError]:
    """Store the logo and screenshots the file references; a warning for each that cannot be had."""
    parsed = parse_publiccode(raw)
    data: dict[str, Any] = parsed.data or {}
    warnings: list[FieldError] = []
    wanted: list[tuple[str, str]] = []
    if isinstance(data.get("logo"), str) and data["logo"].strip():
        wanted.append(("logo", data["logo"].strip()))
    descriptions: dict[str, Any] = data["description"] if isinstance(data.get("description"), dict) else {}
    for language, description in descriptions.items():
        if isinstance(description, dict) and isinstance(description.get("screenshots"), list):
            for index, shot in enumerate(description["screenshots"]):
                if isinstance(shot, str) and len([w for w in wanted if w[0] != "logo"]) < MAX_SCREENSHOTS:
                    wanted.append((f"description.{language}.screenshots[{index}]", shot.strip()))
            break  # the screenshots of one language: the others show the same screens
    logo = ""
    screenshots: list[str] = []
    for path, reference in wanted:
        try:
            name = store_image(fetch_image(urljoin(base, reference)))
        except ServiceError as error:
            warnings.append(FieldError(path, _("immagine non acquisita: %(reason)s") % {"reason": error.message}))
            continue
        if path == "logo":
            logo = name
        else:
            screenshots.append(name)
    Solution.objects.filter(pk=solution.pk).update(logo_image=logo, screenshot_images=screenshots)
    solution.logo_image, solution.screenshot_images = logo, screenshots
    return warnings
