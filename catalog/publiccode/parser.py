"""Reading and validating a publiccode.yml file: bytes in, data and every error (by field path, in Italian) out.

The verdict is the official validator's (publiccode-parser-go, `-no-external-checks`): a file it accepts is
accepted here, a file it refuses is refused here with errors at the same field paths (`standard.py` says how).
The differences are on purpose and few:
- resource limits: a file over PUBLICCODE_MAX_BYTES, or with more than loader.MAX_NODES nodes (aliases expanded),
  is refused with a clear message before it is read further; the validator has no such limits;
- network checks (does the URL answer, is the logo an image) are not made here;
- where the validator stops at the first value of the wrong type or unknown key, every one is reported.

The catalogue's own preferences (an Italian description, at least one category) are never errors: they come back
as `warnings`, which the import shows to the publisher as things "to complete".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from catalog.publiccode import formats
from catalog.publiccode.loader import (
    BadAlias,
    DuplicateKey,
    ManyDocuments,
    TooManyNodes,
    UnknownTag,
    compose_yaml,
    to_python,
)
from catalog.publiccode.standard import DECODE, check_document

ITALIAN_PA_URN = formats.ITALIAN_PA_URN


@dataclass(frozen=True)
class FieldError:
    """One problem in the file. `path` names the key (`description.it.shortDescription`, `categories[2]`);
    an empty path is about the whole file. `kind` tells a value the validator could not decode ("decode") from
    the rest."""

    path: str
    message: str
    kind: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        return self.path or _("file")

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


@dataclass
class ParseResult:
    data: dict[str, Any] | None
    errors: list[FieldError] = field(default_factory=list)
    # What the catalogue would like but the standard does not require: reported, never blocking.
    warnings: list[FieldError] = field(default_factory=list)
    version: str = ""
    # The owner named by the file (IPA code) and the key it came from.
    ipa_code: str = ""
    ipa_path: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def format_path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# --- reading the catalogue's way -------------------------------------------------------------------------------------

def italian_section(data: dict[str, Any]) -> dict[str, Any]:
    """The Italian country section: `IT` (since 0.3) over `it` (earlier, still accepted)."""
    lower = data.get("it") if isinstance(data.get("it"), dict) else {}
    upper = data.get("IT") if isinstance(data.get("IT"), dict) else {}
    merged = {**lower, **upper}
    for key in ("conforme", "riuso", "piattaforme"):
        if isinstance(lower.get(key), dict) and isinstance(upper.get(key), dict):
            merged[key] = {**lower[key], **upper[key]}
    return merged


def language_key(description: dict[str, Any], primary: str) -> str | None:
    """The description key for a language: `it` itself, else the first `it-…` tag."""
    if primary in description:
        return primary
    return next((k for k in description if isinstance(k, str) and k.lower().split("-")[0] == primary), None)


# --- the catalogue's preferences and the owner ----------------------------------------------------------------------

def _owner_code(data: dict[str, Any], warnings: list[FieldError]) -> tuple[str, str]:
    """The owner's IPA code named by the file, and the key it came from ("" when none). organisation.uri wins
    over the legacy it.riuso.codiceIPA; a disagreement between the two is reported, as the standard allows it."""
    candidates: list[tuple[str, str]] = []
    organisation = data.get("organisation")
    if isinstance(organisation, dict):
        uri = organisation.get("uri")
        if isinstance(uri, str) and uri.lower().startswith(ITALIAN_PA_URN):
            candidates.append((uri[len(ITALIAN_PA_URN):], "organisation.uri"))
    for section in ("IT", "it"):
        block = data.get(section)
        riuso = block.get("riuso") if isinstance(block, dict) else None
        code = riuso.get("codiceIPA") if isinstance(riuso, dict) else None
        if isinstance(code, str) and code.strip():
            candidates.append((code.strip(), f"{section}.riuso.codiceIPA"))
    if not candidates:
        return "", ""
    code, path = candidates[0]
    for other, other_path in candidates[1:]:
        if other.lower() != code.lower():
            warnings.append(FieldError(other_path, _(
                "il codice IPA «%(other)s» non coincide con «%(code)s» indicato in %(path)s: vale quest'ultimo") % {
                "other": other, "code": code, "path": path}))
    return code, path


def catalogue_warnings(data: dict[str, Any]) -> list[FieldError]:
    """What the catalogue expects beyond the standard: shown to the publisher as things to complete."""
    warnings = []
    description = data.get("description") if isinstance(data.get("description"), dict) else {}
    if description and language_key(description, "it") is None:
        warnings.append(FieldError("description.it", _(
            "manca la descrizione in italiano: il catalogo la mostra ai comuni; da completare")))
    if not data.get("categories"):
        warnings.append(FieldError("categories", _(
            "nessuna categoria: il catalogo le usa per la ricerca; da completare (es. document-management)")))
    return warnings


# --- entry point ----------------------------------------------------------------------------------------------------

def _refused(path: str, message: str) -> ParseResult:
    return ParseResult(None, [FieldError(path, message)])


def parse_publiccode(raw: bytes | str) -> ParseResult:
    """Read and validate a publiccode.yml. Never raises on bad input: every problem is in `.errors`, and `.data`
    is None when the file could not be read at all."""
    limit = settings.PUBLICCODE_MAX_BYTES
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > limit:
        return _refused("", _(
            "il file è troppo grande: %(size)s byte, il massimo è %(limit)s byte (1 MB)") % {
            "size": f"{len(raw):,}".replace(",", "."), "limit": f"{limit:,}".replace(",", ".")})
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _refused("", _(
            "il file non è codificato in UTF-8 (byte non valido alla posizione %(pos)d)") % {"pos": exc.start})
    text = text.removeprefix("\ufeff")
    try:
        root = compose_yaml(text)
    except TooManyNodes as exc:
        if exc.through_alias:
            return _refused(format_path(exc.path), _(
                "gli alias YAML (*nome) del file si espandono in troppi elementi (più di %(max)s): "
                "la lettura si è fermata alla riga %(line)d") % {
                "max": f"{exc.limit:,}".replace(",", "."), "line": exc.problem_mark.line + 1})
        return _refused(format_path(exc.path), _(
            "il file ha troppi elementi (al massimo %(max)s tra chiavi, valori e voci di elenco): "
            "la lettura si è fermata alla riga %(line)d") % {
            "max": f"{exc.limit:,}".replace(",", "."), "line": exc.problem_mark.line + 1})
    except DuplicateKey as exc:
        return _refused("", _("la chiave «%(key)s» è ripetuta alla riga %(line)d (c'è già alla riga %(first)d)") % {
            "key": exc.key, "line": exc.problem_mark.line + 1, "first": exc.first_mark.line + 1})
    except ManyDocuments:
        return _refused("", _("il file contiene più documenti YAML (separati da ---): ne è ammesso uno solo"))
    except BadAlias as exc:
        return _refused("", _("alias YAML (*nome) non definito o circolare alla riga %(line)d") % {
            "line": exc.problem_mark.line + 1})
    except UnknownTag as exc:
        return _refused("", _("etichetta YAML non ammessa «%(tag)s» alla riga %(line)d") % {
            "tag": exc.tag, "line": exc.problem_mark.line + 1})
    except RecursionError:
        return _refused("", _("il file ha troppi livelli annidati per essere un publiccode.yml"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            message = _("il file non è un documento YAML valido (riga %(line)d, colonna %(column)d)") % {
                "line": mark.line + 1, "column": mark.column + 1}
        else:
            message = _("il file non è un documento YAML valido")
        return _refused("", message)

    checked = check_document(root)
    errors = [FieldError(p.path, p.message, kind=p.kind) for p in checked.problems]
    data = to_python(root) if isinstance(root, yaml.MappingNode) else None
    if data is None:
        return ParseResult(None, errors)
    warnings = catalogue_warnings(data)
    code, code_path = _owner_code(data, warnings)
    return ParseResult(
        data=data,
        errors=errors,
        warnings=warnings,
        version=checked.version,
        ipa_code=code,
        ipa_path=code_path,
    )


__all__ = ["DECODE", "FieldError", "ParseResult", "catalogue_warnings", "format_path", "italian_section",
           "language_key", "parse_publiccode"]
