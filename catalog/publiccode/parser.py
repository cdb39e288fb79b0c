"""Reading and validating a publiccode.yml file: bytes in, data and every error (by field path, in Italian) out.

Order of the checks: size, encoding, YAML (no anchors/aliases, a bounded number of nodes), a mapping at the top, then the JSON Schema in
`schema.py` (types, required keys, enumerations, lengths, formats), then the rules that span keys or need the
database (an Italian description, features, a known IPA code for the owner). Errors refuse the file; warnings
(contacts, available languages: see schema.py) are only reported.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from catalog.publiccode.loader import AliasRefused, TooManyNodes, load_yaml
from catalog.publiccode.schema import PUBLICCODE_SCHEMA, SUPPORTED_VERSIONS

ITALIAN_PA_URN = "urn:x-italian-pa:"
IPA_CODE_RE = re.compile(r"^[A-Za-z0-9_]{2,20}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_TRUTHY = {"yes": True, "on": True, "y": True, "no": False, "off": False, "n": False}

# Boolean keys where YAML 1.1 spellings (yes/no/on/off) are accepted, as older files use them.
_BOOLEAN_PATHS: tuple[tuple[str, ...], ...] = (
    ("localisation", "localisationReady"),
    *((section, "piattaforme", code) for section in ("it", "IT") for code in ("spid", "cie", "pagopa", "anpr", "io")),
    *((section, "conforme", key) for section in ("it", "IT")
      for key in ("lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza", "gdpr")),
    *((section, code) for section in ("it", "IT") for code in ("spid", "cie", "pagopa", "anpr")),
)


@dataclass(frozen=True)
class FieldError:
    """One problem in the file. `path` names the key (`description.it.shortDescription`, `categories[2]`);
    an empty path is about the whole file."""

    path: str
    message: str

    @property
    def label(self) -> str:
        return self.path or _("file")

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


@dataclass
class ParseResult:
    data: dict[str, Any] | None
    errors: list[FieldError] = field(default_factory=list)
    # What the standard asks for but the catalogue does not need: reported, never blocking.
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


# --- formats ------------------------------------------------------------------------------------------------------

_format_checker = FormatChecker(formats=())
_url_validator = URLValidator(schemes=["http", "https"])


@_format_checker.checks("pc-date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@_format_checker.checks("pc-url")
def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        _url_validator(value)
    except DjangoValidationError:
        return False
    return True


@_format_checker.checks("pc-email")
def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(value)
    except DjangoValidationError:
        return False
    return True


@_format_checker.checks("pc-language")
def _is_language(value: object) -> bool:
    return not isinstance(value, str) or bool(_LANGUAGE_RE.match(value))


@_format_checker.checks("pc-spdx")
def _is_spdx(value: object) -> bool:
    return not isinstance(value, str) or is_spdx_expression(value)


@_format_checker.checks("pc-organisation-uri")
def _is_organisation_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if value.lower().startswith(ITALIAN_PA_URN):
        return bool(IPA_CODE_RE.match(value[len(ITALIAN_PA_URN):]))
    return bool(_URI_RE.match(value))


@functools.cache
def _spdx_licensing():  # type: ignore[no-untyped-def]
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def is_spdx_expression(value: str) -> bool:
    """A valid SPDX licence identifier or expression (`EUPL-1.2`, `MIT OR Apache-2.0`, `LicenseRef-x`)."""
    if not value.strip():
        return False
    try:
        info = _spdx_licensing().validate(value, strict=True)
    except Exception:  # the library raises on some malformed expressions instead of reporting them
        return False
    if not info.errors:
        return True
    # SPDX lets a file name its own licences (LicenseRef-...), which the library reports as unknown keys.
    unknown = info.invalid_symbols or []
    return len(info.errors) == 1 and bool(unknown) and all(s.startswith("LicenseRef-") for s in unknown)


# --- messages -----------------------------------------------------------------------------------------------------

def _type_name(name: str) -> str:
    return {
        "string": _("un testo"),
        "array": _("un elenco"),
        "object": _("una sezione di chiavi (chiave: valore)"),
        "boolean": _("un valore vero/falso (true o false)"),
        "null": _("vuoto"),
    }.get(name, name)


def _given(value: object) -> str:
    if isinstance(value, bool):
        return _("un valore vero/falso")
    if value is None:
        return _("un valore vuoto")
    if isinstance(value, list):
        return _("un elenco")
    if isinstance(value, dict):
        return _("una sezione di chiavi")
    return _("un testo")


def _format_message(fmt: str, value: object) -> str:
    shown = str(value)[:80]
    messages = {
        "pc-date": _("data non valida: «%(value)s»; usare il formato AAAA-MM-GG (es. 2024-03-31)"),
        "pc-url": _("indirizzo web non valido: «%(value)s»; deve iniziare con https:// o http://"),
        "pc-email": _("indirizzo e-mail non valido: «%(value)s»"),
        "pc-language": _("codice di lingua non valido: «%(value)s»; usare un codice BCP 47 (es. it, en, de-AT)"),
        "pc-spdx": _(
            "licenza non valida: «%(value)s»; indicare un identificativo o un'espressione SPDX "
            "(es. EUPL-1.2, AGPL-3.0-or-later, MIT OR Apache-2.0)"
        ),
        "pc-organisation-uri": _(
            "URI dell'organizzazione non valido: «%(value)s»; per un ente pubblico italiano usare "
            "urn:x-italian-pa:<codice IPA> (es. urn:x-italian-pa:c_g479)"
        ),
    }
    return messages.get(fmt, _("formato non valido: «%(value)s»")) % {"value": shown}


def _enum_message(path: list[str | int], value: object, allowed: list[Any]) -> str:
    shown = str(value)[:80]
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    if key == "publiccodeYmlVersion":
        return _("versione non supportata: «%(value)s»; sono accettate le versioni da 0.2 a 0.7") % {"value": shown}
    if key == "categories":
        return _(
            "categoria sconosciuta: «%(value)s»; usare una categoria dell'elenco di publiccode.yml "
            "(es. document-management, taxes-management)"
        ) % {"value": shown}
    if key == "scope":
        return _(
            "ambito sconosciuto: «%(value)s»; usare un ambito dell'elenco di publiccode.yml "
            "(es. government, local-authorities)"
        ) % {"value": shown}
    return _("valore non ammesso: «%(value)s»; valori ammessi: %(allowed)s") % {
        "value": shown,
        "allowed": ", ".join(str(a) for a in allowed),
    }


def _schema_error_message(error: ValidationError) -> str:
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    custom = error.schema.get("x-error") if isinstance(error.schema, dict) else None
    if kind == "type":
        expected = value if isinstance(value, list) else [value]
        return _("tipo errato: deve essere %(expected)s, non %(given)s") % {
            "expected": _(" o ").join(_type_name(t) for t in expected),
            "given": _given(instance),
        }
    if kind == "required":
        return _("campo obbligatorio mancante")
    if kind == "enum":
        return _enum_message(list(error.absolute_path), instance, value)
    if kind == "minLength":
        if value == 1:
            return _("non può essere vuoto")
        return ngettext(
            "troppo breve: almeno %(min)d carattere (ora %(len)d)",
            "troppo breve: almeno %(min)d caratteri (ora %(len)d)",
            value,
        ) % {"min": value, "len": len(instance)}
    if kind == "maxLength":
        return ngettext(
            "troppo lungo: al massimo %(max)d carattere (ora %(len)d)",
            "troppo lungo: al massimo %(max)d caratteri (ora %(len)d)",
            value,
        ) % {"max": value, "len": len(instance)}
    if kind == "minItems":
        if value == 1:
            return _("l'elenco non può essere vuoto")
        return _("l'elenco deve avere almeno %(min)d elementi") % {"min": value}
    if kind == "minProperties":
        return _("la sezione non può essere vuota")
    if kind == "format":
        return _format_message(value, instance)
    if custom:
        return str(custom)
    return _("valore non valido")


class _ErrorList:
    """Errors in the order found, without repeats."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        item = FieldError(path, str(message))
        if item not in self.items:
            self.items.append(item)


def _required_with_path(validator, required, instance, schema) -> Iterator[ValidationError]:  # type: ignore[no-untyped-def]
    """Like JSON Schema's `required`, but the error points at the missing key itself."""
    if not validator.is_type(instance, "object"):
        return
    for name in required:
        if name not in instance:
            yield ValidationError(f"{name!r} is a required property", path=[name])


_Validator = validators.extend(Draft202012Validator, {"required": _required_with_path})


# --- normalisation -------------------------------------------------------------------------------------------------

def _check_keys(node: Any, path: list[str | int], errors: _ErrorList) -> None:
    """Every mapping key must be text (`1: x` is fine in YAML, meaningless in publiccode.yml)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                errors.add(format_path(path), _("chiave non valida: «%(key)s»; le chiavi devono essere testi") % {
                    "key": key})
                continue
            _check_keys(value, [*path, key], errors)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_keys(value, [*path, index], errors)


def _coerce_booleans(data: dict[str, Any]) -> None:
    for path in _BOOLEAN_PATHS:
        parent: Any = data
        for key in path[:-1]:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and isinstance(parent.get(path[-1]), str):
            word = parent[path[-1]].strip().lower()
            if word in _TRUTHY:
                parent[path[-1]] = _TRUTHY[word]
    depends = data.get("dependsOn")
    if isinstance(depends, dict):
        for items in depends.values():
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("optional"), str):
                    word = item["optional"].strip().lower()
                    if word in _TRUTHY:
                        item["optional"] = _TRUTHY[word]


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


# --- rules across keys ---------------------------------------------------------------------------------------------

def _owner_code(data: dict[str, Any], errors: _ErrorList) -> tuple[str, str]:
    """The owner's IPA code named by the file, and the key it came from ("" when none)."""
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
            errors.add(other_path, _("il codice IPA «%(other)s» non coincide con «%(code)s» indicato in %(path)s") % {
                "other": other, "code": code, "path": path})
    return code, path


def _check_descriptions(data: dict[str, Any], errors: _ErrorList) -> None:
    description = data.get("description")
    if not isinstance(description, dict) or not description:
        return
    key = language_key(description, "it")
    if key is None:
        errors.add("description.it", _("manca la descrizione in italiano: il catalogo la richiede"))
    elif isinstance(description[key], dict) and "longDescription" not in description[key]:
        errors.add(f"description.{key}.longDescription", _("campo obbligatorio mancante"))
    sections = [v for v in description.values() if isinstance(v, dict)]
    reported = any(".features" in e.path for e in errors.items)
    if sections and not reported and not any(isinstance(v.get("features"), list) and v["features"] for v in sections):
        errors.add(f"description.{key or 'it'}.features",
                   _("indicare almeno una funzionalità (obbligatoria in almeno una lingua)"))


def _completeness_warnings(data: dict[str, Any]) -> list[FieldError]:
    warnings = []
    maintenance = data.get("maintenance")
    if isinstance(maintenance, dict) and maintenance.get("type") in ("internal", "community") and not maintenance.get(
            "contacts"):
        warnings.append(FieldError("maintenance.contacts", _(
            "lo standard chiede almeno un referente quando la manutenzione è interna o della comunità")))
    localisation = data.get("localisation")
    if isinstance(localisation, dict) and not localisation.get("availableLanguages"):
        warnings.append(FieldError("localisation.availableLanguages", _(
            "lo standard chiede di indicare almeno una lingua disponibile (es. it)")))
    return warnings


def _check_ipa_known(code: str, path: str, errors: _ErrorList) -> None:
    from municipalities.models import Body

    if not Body.objects.filter(ipa_code__iexact=code).exists():
        errors.add(path, _("codice IPA sconosciuto: «%(code)s»; nessun ente del CST ha questo codice") % {
            "code": code})


# --- entry point ---------------------------------------------------------------------------------------------------

def parse_publiccode(raw: bytes | str, *, check_ipa: bool = True) -> ParseResult:
    """Read and validate a publiccode.yml. Never raises on bad input: every problem is in `.errors`, and `.data`
    is None when the file could not be read at all. `check_ipa` looks the owner's IPA code up among the bodies."""
    limit = settings.PUBLICCODE_MAX_BYTES
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > limit:
        return ParseResult(None, [FieldError("", _(
            "il file è troppo grande: %(size)s byte, il massimo è %(limit)s byte (1 MB)") % {
            "size": f"{len(raw):,}".replace(",", "."), "limit": f"{limit:,}".replace(",", ".")})])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ParseResult(None, [FieldError("", _(
            "il file non è codificato in UTF-8 (byte non valido alla posizione %(pos)d)") % {"pos": exc.start})])
    text = text.removeprefix("\ufeff")
    try:
        data = load_yaml(text)
    except AliasRefused as exc:
        return ParseResult(None, [FieldError("", _(
            "il file usa ancore o alias YAML (& o *) alla riga %(line)d: non sono ammessi") % {
            "line": exc.problem_mark.line + 1})])
    except TooManyNodes as exc:
        return ParseResult(None, [FieldError(format_path(exc.path), _(
            "il file ha troppi elementi (al massimo %(max)s tra chiavi, valori e voci di elenco): "
            "la lettura si è fermata alla riga %(line)d") % {
            "max": f"{exc.limit:,}".replace(",", "."), "line": exc.problem_mark.line + 1})])
    except RecursionError:
        return ParseResult(None, [FieldError("", _("il file ha troppi livelli annidati per essere un publiccode.yml"))])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            message = _("il file non è un documento YAML valido (riga %(line)d, colonna %(column)d)") % {
                "line": mark.line + 1, "column": mark.column + 1}
        else:
            message = _("il file non è un documento YAML valido")
        return ParseResult(None, [FieldError("", message)])
    if not isinstance(data, dict):
        if data is None:
            message = _("il file è vuoto")
        else:
            message = _("il file deve contenere una sezione di chiavi (chiave: valore), non %(given)s") % {
                "given": _given(data)}
        return ParseResult(None, [FieldError("", message)])

    errors = _ErrorList()
    _check_keys(data, [], errors)
    if errors.items:
        return ParseResult(None, errors.items)
    _coerce_booleans(data)

    validator = _Validator(PUBLICCODE_SCHEMA, format_checker=_format_checker)
    for error in validator.iter_errors(data):
        errors.add(format_path(error.absolute_path), _schema_error_message(error))

    _check_descriptions(data, errors)
    code, code_path = _owner_code(data, errors)
    if code and check_ipa and not any(e.path == code_path for e in errors.items):
        _check_ipa_known(code, code_path, errors)

    version = data.get("publiccodeYmlVersion")
    return ParseResult(
        data=data,
        errors=errors.items,
        warnings=_completeness_warnings(data),
        version=version if isinstance(version, str) and version in SUPPORTED_VERSIONS else "",
        ipa_code=code,
        ipa_path=code_path,
    )


__all__ = ["FieldError", "ParseResult", "format_path", "is_spdx_expression",
           "italian_section", "language_key", "parse_publiccode"]
