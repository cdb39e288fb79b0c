"""How publiccode.yml keys map onto Solution fields, both ways.

Import: `fields_from_publiccode(data)` turns a validated document into model values, plus `extra` — the document
in the shape of the current standard (`upgrade.current_standard`) with every mapped key removed — which is stored in
`Solution.publiccode_extra`. Export: `publiccode_from_solution` builds the mapped keys from the model and lays them
over that `extra`, so keys the catalogue does not manage (screenshots, awards, apiDocumentation, fundedBy, supports
other than the national platforms, ...) come back out unchanged. docs/publiccode.md tells the whole story.

Kept apart on purpose:
- `usedBy` as the file declares it stays in `extra` (shown on the solution page as declared by the owner, never
  counted as reuse); the export writes it followed by the bodies that run the solution in production according to
  the portal's adoptions (verified reuse).
- `organisation` is the owner body's: the import resolves it (services.owner_claim), the export writes it back from
  the body, so the owner named by the original file is the one exported.
- `publiccodeYmlVersion` describes the file, not the software: the export writes its own (schema.EXPORT_VERSION).
- Kind (software/service), origin project and publication status have no publiccode.yml key; an import that
  updates a solution leaves them as they are.

Maintenance contacts are personal data that the solution page shows only to people of member bodies and CST staff
(`catalog.permissions.can_view_solution_contacts`), as the solution form promises the publisher. The export keeps
that promise and stays valid: whoever may see the contacts gets them; anyone else gets, where the standard requires
contacts (internal or community maintenance), the owner body itself as the contact (`institutional_contact`: its
name and public e-mail address). An import that finds exactly that contact, like one that finds no contacts, leaves
the solution's contacts as they are.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

from catalog.publiccode.parser import ITALIAN_PA_URN, language_key
from catalog.publiccode.schema import EXPORT_VERSION, PLATFORM_SUPPORTS, PUBLICCODE
from catalog.publiccode.upgrade import current_standard

DEPENDENCY_TYPES = ("open", "proprietary", "hardware")
_DESCRIPTION_KEYS = ("shortDescription", "longDescription", "features")
_CONTACT_KEYS = ("name", "email", "phone", "affiliation")
# The order of the standard: the export writes its keys that way.
_KEY_ORDER = tuple(f.name for f in PUBLICCODE.fields)


@dataclass
class ImportedFields:
    """What a publiccode.yml says, in the catalogue's terms."""

    url: str
    values: dict[str, Any]
    categories: list[str]
    tags: list[str] | None  # None: the file has no `tags` key, leave the solution's tags alone
    release: tuple[str, dt.date] | None
    extra: dict[str, Any] = field(default_factory=dict)
    portal_slug: str | None = None  # the file's `url` is this portal's own page for that solution
    italian_from: str | None = None  # the description language lent to the Italian fields (no Italian one)


# --- helpers --------------------------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _pop_path(node: Any, path: tuple[str, ...]) -> None:
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


def prune(node: Any) -> Any:
    """Drop empty sections left behind once the mapped keys are taken out."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            value = prune(value)
            if isinstance(value, dict | list) and not value:
                continue
            out[key] = value
        return out
    if isinstance(node, list):
        items = [prune(v) for v in node]
        if items and all(isinstance(v, dict) and not v for v in items):
            return []
        return items
    return node


def overlay(mapped: Any, extra: Any) -> Any:
    """`mapped` laid over `extra`: mapped values win; mapped keys keep their order, extra-only keys follow.
    Lists of mappings are merged item by item (the first contractor's e-mail stays with its name)."""
    if isinstance(mapped, dict) and isinstance(extra, dict):
        out = {key: overlay(value, extra[key]) if key in extra else value for key, value in mapped.items()}
        out.update({key: value for key, value in extra.items() if key not in mapped})
        return out
    if isinstance(mapped, list) and isinstance(extra, list) and all(isinstance(v, dict) for v in mapped + extra):
        merged = [overlay(m, e) for m, e in zip(mapped, extra, strict=False)]
        return merged + mapped[len(extra):] + extra[len(mapped):]
    return mapped


def body_label(body: Any) -> str:
    """A body as publiccode.yml names it ("Comune di Fano"): the registry keeps its member comuni by their bare
    name; an external body keeps the name its file gave it ("Città di Torino", "ComuneBologna")."""
    if body.kind == "comune" and body.is_member and not body.name.lower().startswith("comune "):
        return f"Comune di {body.name}"
    return body.name


def portal_url(slug: str) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("catalog:solution-detail", kwargs={"slug": slug})


def portal_slug(url: str) -> str | None:
    """The slug when `url` is this portal's page of a solution (what the export writes for a solution that has no
    repository, such as a CST service)."""
    parts, site = urlsplit(url), urlsplit(settings.SITE_URL)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.kwargs.get("slug") if match.view_name == "catalog:solution-detail" else None


# --- import ---------------------------------------------------------------------------------------------------------

def _contacts(value: Any) -> list[dict[str, Any]]:
    contacts = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            contacts.append({k: item[k] for k in _CONTACT_KEYS if item.get(k) not in (None, "")}
                            | {k: v for k, v in item.items() if k not in _CONTACT_KEYS})
    return contacts


def _dependencies(value: Any) -> list[dict[str, Any]]:
    """Dependencies with their kind; an empty value (`version: ""`) says nothing and the export leaves it out, so
    it is not kept."""
    found = []
    for kind in DEPENDENCY_TYPES:
        items = value.get(kind) if isinstance(value, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                found.append({"name": item["name"], "kind": kind,
                              **{k: v for k, v in item.items() if v not in (None, "")}})
    return found


def fields_from_publiccode(data: dict[str, Any]) -> ImportedFields:
    """Model values from a document that `parse_publiccode` accepted."""
    original_legal = data.get("legal") if isinstance(data.get("legal"), dict) else {}
    doc = current_standard(data)
    description = doc.get("description") if isinstance(doc.get("description"), dict) else {}
    it_key, en_key = language_key(description, "it"), language_key(description, "en")
    # The catalogue shows every solution in Italian. A file without an Italian description (valid: the standard
    # asks for any one language) lends another language's text to the Italian fields, and the import tells the
    # publisher to translate it; an update keeps the Italian text the solution already has (services.py). The
    # export recognises the loan and writes no Italian description (`_lent_language`).
    italian_from = None
    if it_key is None and description:
        italian_from = en_key or next(iter(description))
    it_desc = description.get(it_key or italian_from, {}) if (it_key or italian_from) else {}
    if not isinstance(it_desc, dict):
        it_desc = {}
    en_desc = description.get(en_key, {}) if en_key else {}
    legal = doc.get("legal") or {}
    maintenance = doc.get("maintenance") or {}
    localisation = doc.get("localisation") or {}
    audience = doc.get("intendedAudience") if isinstance(doc.get("intendedAudience"), dict) else {}
    contractors = maintenance.get("contractors") if isinstance(maintenance.get("contractors"), list) else []
    first_contractor = contractors[0] if contractors and maintenance.get("type") == "contract" else {}

    documentation = _text(it_desc.get("documentation"))
    documentation_from_en = not documentation and bool(_text(en_desc.get("documentation")))
    if documentation_from_en:
        documentation = _text(en_desc.get("documentation"))

    url = _text(doc.get("url")).strip()
    slug = portal_slug(url)
    # The national platforms: `supports` (0.7), where current_standard also puts the flags of it.piattaforme.
    aliases = {item.get("id") for item in doc.get("supports") or [] if isinstance(item, dict)}
    values: dict[str, Any] = {
        "name": _text(doc.get("name")).strip(),
        "repository_url": "" if slug else url,
        "landing_url": _text(doc.get("landingURL")).strip(),
        "logo": _text(doc.get("logo")).strip(),
        "platforms": _texts(doc.get("platforms")),
        "development_status": doc.get("developmentStatus"),
        "software_type": doc.get("softwareType"),
        "scope": _texts(audience.get("scope")),
        "short_description_it": _text(it_desc.get("shortDescription")).strip(),
        "long_description_it": _text(it_desc.get("longDescription")),
        "features_it": _texts(it_desc.get("features")),
        "short_description_en": _text(en_desc.get("shortDescription")).strip(),
        "long_description_en": _text(en_desc.get("longDescription")),
        "features_en": _texts(en_desc.get("features")),
        "documentation_url": documentation.strip(),
        "licence": _text(legal.get("license")).strip(),
        "main_copyright_owner": _text(legal.get("mainCopyrightOwner")).strip(),
        "maintenance_type": maintenance.get("type"),
        "localisation_ready": bool(localisation.get("localisationReady")),
        "available_languages": _texts(localisation.get("availableLanguages")),
        "dependencies": _dependencies(doc.get("dependsOn")),
        **{f"supports_{code}": f"alias:{code}" in aliases for code in PLATFORM_SUPPORTS},
    }
    if "repoOwner" in original_legal:
        # Deprecated since 0.7 (the owner is `organisation`) and never exported: a file without it, such as the
        # portal's own export, leaves the field as it is.
        values["repo_owner"] = _text(original_legal.get("repoOwner")).strip()
    if "contacts" in maintenance:
        # A file without contacts may be one this portal served to someone not allowed to see them: an update
        # leaves the solution's contacts alone rather than erasing them.
        values["contacts"] = _contacts(maintenance.get("contacts"))
    if first_contractor:
        # Without a contract the file cannot say who maintains it until when: an update leaves those fields alone.
        values["maintenance_contractor"] = _text(first_contractor.get("name")).strip()
        values["maintenance_until"] = dt.date.fromisoformat(first_contractor["until"])

    version, date = _text(doc.get("softwareVersion")).strip(), _text(doc.get("releaseDate"))
    release = (version, dt.date.fromisoformat(date)) if version and date else None

    # What is left once the mapped keys are out is kept for the export.
    extra = doc
    if isinstance(extra.get("supports"), list):  # the platforms are the solution's supports_* fields
        extra["supports"] = [item for item in extra["supports"] if not (
            isinstance(item, dict) and item.get("id") in {f"alias:{code}" for code in PLATFORM_SUPPORTS})]
    for key in ("publiccodeYmlVersion", "name", "url", "landingURL", "logo", "platforms", "categories",
                "developmentStatus", "softwareType", "tags", "dependsOn", "organisation"):
        extra.pop(key, None)
    if release:
        extra.pop("softwareVersion", None)
        extra.pop("releaseDate", None)
    for path in (("intendedAudience", "scope"), ("legal", "license"), ("legal", "mainCopyrightOwner"),
                 ("maintenance", "type"), ("maintenance", "contacts"),
                 ("localisation", "localisationReady"), ("localisation", "availableLanguages")):
        _pop_path(extra, path)
    if first_contractor:
        extra["maintenance"]["contractors"][0] = {
            k: v for k, v in first_contractor.items() if k not in ("name", "until")}
    # Descriptions are kept under plain `it` / `en` keys, the ones the export writes.
    new_description: dict[str, Any] = {}
    for key, value in description.items():
        if key in (it_key, en_key) and isinstance(value, dict):
            rest = {k: v for k, v in value.items() if k not in _DESCRIPTION_KEYS}
            if key == it_key or documentation_from_en:
                rest.pop("documentation", None)
            new_description["it" if key == it_key else "en"] = rest
        else:
            new_description[key] = value
    extra["description"] = new_description

    tags = _texts(data.get("tags")) if "tags" in data else None
    return ImportedFields(
        url=url,
        values=values,
        categories=list(dict.fromkeys(_texts(data.get("categories")))),
        tags=tags,
        release=release,
        extra=prune(extra),
        portal_slug=slug,
        italian_from=italian_from,
    )


def declared_users(solution: Any) -> list[str]:
    """The `usedBy` of the owner's own publiccode.yml, as imported: what the owner declares, which the portal has
    not verified (verified reuse is an adoption in production)."""
    extra = solution.publiccode_extra if isinstance(solution.publiccode_extra, dict) else {}
    return _texts(extra.get("usedBy"))


def institutional_contact(owner: Any) -> dict[str, str]:
    """The owner body as a maintenance contact: what the export writes for whoever may not see the people."""
    contact = {"name": body_label(owner)}
    if owner.email:
        contact["email"] = owner.email
    return contact


# --- export ---------------------------------------------------------------------------------------------------------

def _contact_out(item: Any) -> dict[str, Any] | None:
    if isinstance(item, str) and item.strip():
        return {"name": item.strip()}
    if isinstance(item, dict) and _text(item.get("name")).strip():
        ordered = {k: item[k] for k in _CONTACT_KEYS if item.get(k) not in (None, "")}
        return ordered | {k: v for k, v in item.items() if k not in _CONTACT_KEYS and v not in (None, "")}
    return None


def _dependency_kind(item: dict[str, Any]) -> str:
    kind = item.get("kind") or item.get("type")
    if kind in DEPENDENCY_TYPES:
        return kind
    if item.get("proprietary") is True or item.get("open") is False:
        return "proprietary"
    return "open"


def _dependencies_out(value: Any) -> dict[str, list[dict[str, Any]]]:
    if isinstance(value, dict):  # already shaped as dependsOn
        return {k: list(value[k]) for k in DEPENDENCY_TYPES if isinstance(value.get(k), list) and value[k]}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str) and item.strip():
            grouped.setdefault("open", []).append({"name": item.strip()})
        elif isinstance(item, dict) and _text(item.get("name")).strip():
            entry = {k: v for k, v in item.items()
                     if k not in ("type", "kind", "open", "proprietary") and v not in (None, "")}
            grouped.setdefault(_dependency_kind(item), []).append(entry)
    return {k: grouped[k] for k in DEPENDENCY_TYPES if k in grouped}


def _organisation(owner: Any) -> dict[str, str] | None:
    """The owner as `organisation`: an Italian public body by its IPA code, a body abroad by its URI. A third-party
    publisher (the file named no public body, the portal took the organisation of its repository) gets none: its
    repository address written as organisation.uri would make it read as a public body on the next import."""
    if owner.ipa_code:
        return {"uri": f"{ITALIAN_PA_URN}{owner.ipa_code}", "name": body_label(owner)}
    if owner.uri and owner.kind != "terzo":
        return {"uri": owner.uri, "name": body_label(owner)}
    return None


def _supports(solution: Any, extra: dict[str, Any]) -> list[dict[str, Any]]:
    """The national platforms from the supports_* fields, then the other entries of the file (alias:gdpr, URIs)."""
    platforms = [{"id": f"alias:{code}"} for code in PLATFORM_SUPPORTS if getattr(solution, f"supports_{code}")]
    ids = {item["id"] for item in platforms}
    others = [item for item in extra.get("supports") or [] if isinstance(item, dict) and item.get("id") not in ids
              and item.get("id") not in {f"alias:{code}" for code in PLATFORM_SUPPORTS}]
    return platforms + others


def _description_texts(section: Any) -> tuple[str, str, list[str]]:
    if not isinstance(section, dict):
        return "", "", []
    return _text(section.get("shortDescription")).strip(), _text(section.get("longDescription")), _texts(
        section.get("features"))


def _lent_language(solution: Any, extra_description: dict[str, Any]) -> str | None:
    """The language whose description the Italian fields copy (a file without an Italian description lends one to
    them on import), or None when the Italian texts are the catalogue's own."""
    italian = (solution.short_description_it, solution.long_description_it, list(solution.features_it or []))
    if solution.short_description_en and italian == (
            solution.short_description_en, solution.long_description_en, list(solution.features_en or [])):
        return "en"
    for lang, section in extra_description.items():
        if lang not in ("it", "en") and _description_texts(section) == italian:
            return lang
    return None


def publiccode_from_solution(
    solution: Any, *, used_by: list[str], release: Any | None, include_contacts: bool = False
) -> dict[str, Any]:
    """The document for `solution` (a mapping ready to be dumped as YAML), publiccode.yml 0.7 with no deprecated
    key. `used_by`: the bodies running it in production (verified), written after those the owner declares.
    Contacts of people only with `include_contacts` (see the module's docstring)."""
    owner = solution.owner
    # Older imports stored deprecated keys: they leave in their current form.
    extra = current_standard(copy.deepcopy(solution.publiccode_extra or {}))
    extra.pop("organisation", None)
    extra_description = extra.get("description") if isinstance(extra.get("description"), dict) else {}
    lent = _lent_language(solution, extra_description)

    description: dict[str, Any] = {}
    if lent is None:
        it_desc: dict[str, Any] = {"shortDescription": solution.short_description_it}
        if solution.long_description_it:
            it_desc["longDescription"] = solution.long_description_it
        if solution.documentation_url:
            it_desc["documentation"] = solution.documentation_url
        if solution.features_it:
            it_desc["features"] = list(solution.features_it)
        description["it"] = it_desc
    if solution.short_description_en:
        en_desc: dict[str, Any] = {"shortDescription": solution.short_description_en}
        if solution.long_description_en:
            en_desc["longDescription"] = solution.long_description_en
        if solution.features_en:
            en_desc["features"] = list(solution.features_en)
        description["en"] = en_desc
    if lent is not None and solution.documentation_url:
        lent_section = description.setdefault(lent, {})
        if not (isinstance(extra_description.get(lent), dict) and extra_description[lent].get("documentation")):
            lent_section["documentation"] = solution.documentation_url

    maintenance: dict[str, Any] = {"type": str(solution.maintenance_type)}
    extra_maintenance = extra.get("maintenance") if isinstance(extra.get("maintenance"), dict) else {}
    if solution.maintenance_type == "contract" and solution.maintenance_contractor:
        contractor: dict[str, Any] = {"name": solution.maintenance_contractor}
        if solution.maintenance_until:
            contractor["until"] = solution.maintenance_until.isoformat()
        maintenance["contractors"] = [contractor]
    else:
        # Stale contractor details would describe a contract the solution no longer has.
        extra_maintenance.pop("contractors", None)
    if include_contacts:
        contacts = [c for c in (_contact_out(item) for item in solution.contacts or []) if c]
    elif solution.maintenance_type in ("internal", "community"):
        contacts = [institutional_contact(owner)]  # the standard requires a contact: the body, not its people
    else:
        contacts = []
    if contacts:
        maintenance["contacts"] = contacts

    legal: dict[str, Any] = {"license": solution.licence}
    if solution.main_copyright_owner:
        legal["mainCopyrightOwner"] = solution.main_copyright_owner

    doc: dict[str, Any] = {
        "publiccodeYmlVersion": EXPORT_VERSION,
        "name": solution.name,
        "url": solution.repository_url or portal_url(solution.slug),
    }
    if solution.landing_url:
        doc["landingURL"] = solution.landing_url
    if release is not None:
        doc["softwareVersion"] = release.version
        doc["releaseDate"] = release.date.isoformat()
    if solution.logo:
        doc["logo"] = solution.logo
    organisation = _organisation(owner)
    if organisation:
        doc["organisation"] = organisation
    doc["platforms"] = list(solution.platforms or [])
    doc["categories"] = [c.code for c in solution.categories.all()]
    declared = _texts(extra.pop("usedBy", None))
    users = declared + [name for name in used_by if name not in declared]
    if users:
        doc["usedBy"] = users
    supports = _supports(solution, extra)
    extra.pop("supports", None)
    if supports:
        doc["supports"] = supports
    doc["developmentStatus"] = str(solution.development_status)
    doc["softwareType"] = str(solution.software_type)
    if solution.scope:
        doc["intendedAudience"] = {"scope": list(solution.scope)}
    doc["description"] = description
    doc["legal"] = legal
    doc["maintenance"] = maintenance
    doc["localisation"] = {
        "localisationReady": bool(solution.localisation_ready),
        "availableLanguages": list(solution.available_languages or []),
    }
    depends = _dependencies_out(solution.dependencies)
    if depends:
        doc["dependsOn"] = depends
    # A description section left over from an import, whose texts have since been removed, would lack its
    # mandatory shortDescription.
    for lang in ("it", "en"):
        if lang not in description:
            extra_description.pop(lang, None)
    merged = prune(overlay(doc, extra))
    return {key: merged[key] for key in _KEY_ORDER if key in merged} | merged
