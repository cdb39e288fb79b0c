"""Checking a composed publiccode.yml against the standard, step by step as the official validator does.

The official validator (publiccode-parser-go) works in three passes, and a portal that must give the same verdict
and name the same fields follows them:

1. The version: `publiccodeYmlVersion` must be there, written as text (`0.7` unquoted is a number), and one of the
   supported versions; otherwise that is the only error.
2. Decoding into the structure of `schema.py` (goccy/go-yaml): a value of the wrong type (a list where text is
   expected, `yes` where true/false is expected) and a key the standard does not have are errors. The validator
   names the field of such an error by the line it is on (the key on that line, a list item, or nothing when the
   value starts on a line of its own), and so does this module, so that both point at the same place. A section
   with such an error is left out as a whole (the validator does not keep half a section), so its required keys
   are then reported missing too. The validator stops at the first of these errors (and picks an unknown key at
   random); this module reports every one.
3. The rules (go-playground validation): required keys, lengths counted in characters as a reader sees them,
   enumerations, formats (`formats.py`), and the checks the validator adds by hand: logo and screenshot paths,
   video providers, `it` next to `IT`.

Error paths are the validator's: `description.it.features`, `maintenance.contacts[0].email`; a language key that
is not all letters keeps its brackets (`description[en-GB].longDescription`), as the validator writes it.

Network checks (does the URL answer, is the logo an image) are not made here: they are the fetcher's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.publiccode import formats
from catalog.publiccode.loader import TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_NULL, TAG_STR, mapping_pairs
from catalog.publiccode.schema import (
    CATEGORY_SET,
    PUBLICCODE,
    SCOPE_SET,
    SUPPORTED_VERSIONS,
    Field,
    Type,
)

# Kinds of error: the version, a value of the wrong type or an unknown key (the validator stops at the first of
# these), a broken URL, a rule.
VERSION, DECODE, RULE = "version", "decode", "rule"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    kind: str = RULE


@dataclass
class Checked:
    """The outcome: `problems` (empty when the file is valid) and, when decoding got that far, `value`, the
    document as the validator's structure sees it (every key of the schema present, absent ones as None)."""

    problems: list[Problem] = field(default_factory=list)
    value: dict[str, Any] | None = None
    version: str = ""
    # Top-level sections left out because of a decoding error.
    dropped: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class URLValue:
    """A URL as written, with Go's reading of it."""

    text: str


# --- where an error is, the validator's way -------------------------------------------------------------------------

def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def key_at_line(node: yaml.Node | None, line: int, prefix: str = "") -> str:
    """The path of the first key (or list item) that starts on `line`, walking the document in order; "" when
    none does. This is how the validator names the field of a decoding error."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            full = f"{prefix}.{name}" if prefix else name
            if _line(key) == line:
                return full
            found = key_at_line(value, line, full)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_key = f"{prefix}[{index}]"
            if _line(item) == line:
                return item_key
            found = key_at_line(item, line, item_key)
            if found:
                return found
    return ""


# --- decoding -------------------------------------------------------------------------------------------------------

def _go_number_text(node: yaml.ScalarNode) -> str:
    """A number as Go prints it once decoded (`1.0` becomes "1", `0x1F` "31"): the text the validator checks."""
    text = node.value.replace("_", "")
    try:
        if node.tag == TAG_INT:
            sign = -1 if text.startswith("-") else 1
            digits = text.lstrip("+-")
            base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2], 10)
            return str(sign * int(digits[2:] if base != 10 else digits, base))
        number = float(text)
    except ValueError:
        return node.value
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "+Inf" if number > 0 else "-Inf"
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    shown = repr(number)
    if "e" in shown:
        mantissa, exponent = shown.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{abs(int(exponent)):02d}"
    return shown


def _scalar_text(node: yaml.ScalarNode) -> str | None:
    """What a scalar becomes when decoded into text: None for null."""
    if node.tag == TAG_NULL:
        return None
    if node.tag == TAG_BOOL:
        return node.value.lower()
    if node.tag in (TAG_INT, TAG_FLOAT):
        return _go_number_text(node)
    return node.value


class _Decoder:
    def __init__(self, root: yaml.Node) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def wrong_type(self, node: yaml.Node, expected: Type) -> None:
        self.problems.append(Problem(key_at_line(self.root, _line(node)), _type_message(node, expected, _line(node)),
                                     DECODE))

    def decode(self, node: yaml.Node, type_: Type) -> tuple[Any, bool]:
        """(value, ok): the value as the validator's structure holds it; ok is False when this value, or anything
        inside it, could not be decoded."""
        is_null = isinstance(node, yaml.ScalarNode) and node.tag == TAG_NULL
        if is_null:
            return self.zero(type_), True
        kind = type_.kind
        if kind == "text":
            if not isinstance(node, yaml.ScalarNode):
                self.wrong_type(node, type_)
                return None, False
            return _scalar_text(node), True
        if kind == "bool":
            if not isinstance(node, yaml.ScalarNode) or node.tag != TAG_BOOL:
                self.wrong_type(node, type_)
                return None, False
            return node.value.lower() == "true", True
        if kind == "url":
            return self.decode_url(node, type_)
        if kind == "urls":
            if isinstance(node, yaml.SequenceNode):
                items = []
                for item in node.value:
                    value, ok = self.decode_url(item, type_.item or type_, report=False)
                    if not ok:  # the validator then tries one URL, which a list is not: a type error
                        self.wrong_type(node, type_)
                        return None, False
                    items.append(value)
                return items, True
            value, ok = self.decode_url(node, type_)
            return ([value] if ok else None), ok
        if kind == "list":
            if not isinstance(node, yaml.SequenceNode):
                self.wrong_type(node, type_)
                return None, False
            items, all_ok = [], True
            for item in node.value:
                value, ok = self.decode(item, type_.item)  # type: ignore[arg-type]
                all_ok &= ok
                items.append(value)
            return items, all_ok
        if kind == "map":
            if not isinstance(node, yaml.MappingNode):
                self.wrong_type(node, type_)
                return None, False
            entries, all_ok = {}, True
            for key, value_node in mapping_pairs(node):
                name = _scalar_text(key) if isinstance(key, yaml.ScalarNode) else None
                value, ok = self.decode(value_node, type_.item)  # type: ignore[arg-type]
                all_ok &= ok
                entries[name or ""] = value
            return entries, all_ok
        return self.decode_struct(node, type_)

    def decode_url(self, node: yaml.Node, type_: Type, *, report: bool = True) -> tuple[Any, bool]:
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG_NULL:
            return None, True
        if not isinstance(node, yaml.ScalarNode):
            if report:
                self.wrong_type(node, type_)
            return None, False
        text = _scalar_text(node) or ""
        try:
            formats.parse_go_url(text)
        except formats.URLParseError as exc:
            if report:
                # The validator reports a URL it cannot parse without a field: the line and the key say where.
                where = key_at_line(self.root, _line(node)) or _("riga %(line)d") % {"line": _line(node)}
                self.problems.append(Problem("", _(
                    "«%(where)s»: indirizzo web illeggibile «%(value)s» (%(problem)s)") % {
                    "where": where, "value": text[:120], "problem": exc}, DECODE))
            return None, False
        return URLValue(text), True

    def decode_struct(self, node: yaml.Node, type_: Type) -> tuple[Any, bool]:
        if not isinstance(node, yaml.MappingNode):
            self.wrong_type(node, type_)
            return None, False
        value = self.zero(type_, present=True)
        pairs = {}
        for key, value_node in mapping_pairs(node):
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            pairs[name] = (key, value_node)
        all_ok = True
        for spec in type_.fields:
            if spec.name not in pairs:
                continue
            decoded, ok = self.decode(pairs[spec.name][1], spec.type)
            if ok:
                value[spec.name] = decoded
            else:
                all_ok = False
        for name, (key, _value_node) in pairs.items():
            if type_.field(name) is None:
                all_ok = False
                self.problems.append(Problem(key_at_line(self.root, _line(key)), _(
                    "chiave sconosciuta «%(key)s» (riga %(line)d): non fa parte dello standard publiccode.yml; "
                    "controllare come è scritta") % {"key": name, "line": _line(key)}, DECODE))
        return value, all_ok

    def zero(self, type_: Type, *, present: bool = False) -> Any:
        """The value of an absent key (or of YAML null)."""
        if type_.nullable and not present:
            return None
        if type_.kind == "text":
            return ""
        if type_.kind == "bool":
            return False
        if type_.kind == "struct":
            return {spec.name: self.zero(spec.type) for spec in type_.fields}
        return None


def _kind_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return _("un elenco")
    if isinstance(node, yaml.MappingNode):
        return _("una sezione di chiavi")
    if node.tag == TAG_BOOL:
        return _("un valore vero/falso")
    if node.tag in (TAG_INT, TAG_FLOAT):
        return _("un numero")
    if node.tag == TAG_STR and node.value.lower() in ("yes", "no", "on", "off", "y", "n"):
        return _("il testo «%(value)s» (per vero/falso scrivere true o false)") % {"value": node.value}
    return _("un testo")


def _type_message(node: yaml.Node, expected: Type, line: int) -> str:
    wanted = {
        "text": _("un testo"),
        "bool": _("true o false"),
        "url": _("un indirizzo web"),
        "urls": _("un indirizzo web o un elenco di indirizzi web"),
        "list": _("un elenco"),
        "map": _("una sezione per lingua (es. it:, en:)"),
        "struct": _("una sezione di chiavi (chiave: valore)"),
    }[expected.kind]
    return _("tipo errato alla riga %(line)d: deve essere %(expected)s, non %(given)s") % {
        "line": line, "expected": wanted, "given": _kind_name(node)}


# --- the rules ------------------------------------------------------------------------------------------------------

def _has_value(value: Any, type_: Type) -> bool:
    if type_.nullable or type_.kind in ("list", "map", "urls"):
        return value is not None
    return bool(value)


def _length(value: Any) -> int:
    return len(value) if value is not None else 0


_RUN_WHEN_ABSENT = ("required_if", "excluded_unless")


class _Rules:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, rule: str, value: Any, type_: Type, spec: Field | None) -> None:
        self.problems.append(Problem(path, _rule_message(rule, value, type_, spec)))

    def check_struct(self, value: dict[str, Any], type_: Type, path: str) -> None:
        for spec in type_.fields:
            self.check_field(value.get(spec.name), spec.type, spec.rules, _join(path, spec.name), value, spec)

    def check_field(self, value: Any, type_: Type, rules: tuple[str, ...], path: str, parent: dict[str, Any],
                    spec: Field | None) -> None:
        if type_.nullable and value is None and rules:
            first = rules[0]
            if first in ("omitempty", "omitnil", "dive"):  # (a list that is absent has nothing to dive into)
                return
            if first.split("=")[0] not in _RUN_WHEN_ABSENT:
                self.fail(path, first, value, type_, spec)
                return
        for index, rule in enumerate(rules):
            name, _eq, param = rule.partition("=")
            if name == "omitempty":
                if not _has_value(value, type_):
                    return
                continue
            if name == "omitnil":
                if value is None:
                    return
                continue
            if name == "dive":
                self.dive(value, type_, rules[index + 1:], path)
                return
            if not self.passes(name, param, value, type_, parent):
                self.fail(path, rule, value, type_, spec)
                return
        if type_.kind == "struct" and value is not None:
            self.check_struct(value, type_, path)

    def dive(self, value: Any, type_: Type, rules: tuple[str, ...], path: str) -> None:
        item_type = type_.item
        assert item_type is not None
        if type_.kind == "map":
            for key, item in (value or {}).items():
                self.check_field(item, item_type, rules, _map_key(path, key), {}, None)
        else:
            for index, item in enumerate(value or []):
                self.check_field(item, item_type, rules, f"{path}[{index}]", {}, None)

    def passes(self, name: str, param: str, value: Any, type_: Type, parent: dict[str, Any]) -> bool:
        text = value.text if isinstance(value, URLValue) else value
        if name == "required":
            return _has_value(value, type_)
        if name == "required_if":
            other, expected = param.split()
            return parent.get(other.lower()) != expected or _has_value(value, type_)
        if name == "excluded_unless":
            other, expected = param.split()
            return parent.get(other.lower()) == expected or not _has_value(value, type_)
        if name == "gt":
            if isinstance(value, str):
                return len(value) > int(param)
            return _length(value) > int(param)
        if name == "umax":
            return formats.grapheme_count(value or "") <= int(param)
        if name == "umin":
            return formats.grapheme_count(value or "") >= int(param)
        if name == "oneof":
            return text in param.split()
        checks = {
            "date": formats.is_date,
            "email": formats.is_email,
            "url_url": formats.is_url,
            "url_http_url": formats.is_http_url,
            "is_spdx_expression": formats.is_spdx_expression,
            "is_category_v0": lambda v: v in CATEGORY_SET,
            "is_scope_v0": lambda v: v in SCOPE_SET,
            "iso3166_1_alpha2_lower_or_upper": formats.is_country_code,
            "bcp47_strict_language_tag": formats.is_language_tag,
            "bcp47_keys": lambda v: all(formats.is_language_tag(k) for k in v),
            "is_italian_ipa_code": formats.is_ipa_code,
            "organisation_uri": formats.is_organisation_uri,
            "supports_id": lambda v: not formats.support_id_problem(v),
            "is_mime_type": formats.is_mime_type,
        }
        return checks[name](text if text is not None else "")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _map_key(path: str, key: str) -> str:
    # The validator turns `description[it]` into `description.it`, but only for keys made of letters.
    if key.isascii() and key.isalpha():
        return f"{path}.{key}"
    return f"{path}[{key}]"


def _rule_message(rule: str, value: Any, type_: Type, spec: Field | None) -> str:
    name, _eq, param = rule.partition("=")
    text = value.text if isinstance(value, URLValue) else value
    shown = str(text if text is not None else "")[:120]
    if name == "required":
        return _("campo obbligatorio mancante")
    if name == "required_if":
        return _("obbligatorio quando maintenance.type è «%(type)s»: indicare almeno un elemento") % {
            "type": param.split()[1]}
    if name == "excluded_unless":
        return _("ammesso solo quando maintenance.type è «contract»")
    if name == "gt":
        if type_.kind == "map":
            return _("indicare la descrizione in almeno una lingua")
        if isinstance(value, str):
            return _("non può essere vuoto")
        return _("l'elenco non può essere vuoto")
    if name == "umax":
        return ngettext(
            "troppo lungo: al massimo %(max)d carattere (ora %(len)d)",
            "troppo lungo: al massimo %(max)d caratteri (ora %(len)d)",
            int(param),
        ) % {"max": int(param), "len": formats.grapheme_count(value or "")}
    if name == "umin":
        return ngettext(
            "troppo breve: almeno %(min)d carattere (ora %(len)d)",
            "troppo breve: almeno %(min)d caratteri (ora %(len)d)",
            int(param),
        ) % {"min": int(param), "len": formats.grapheme_count(value or "")}
    if name == "oneof":
        return _("valore non ammesso: «%(value)s»; valori ammessi: %(allowed)s") % {
            "value": shown, "allowed": ", ".join(param.split())}
    messages = {
        "date": _("data non valida: «%(value)s»; usare il formato AAAA-MM-GG (es. 2024-03-31)"),
        "email": _("indirizzo e-mail non valido: «%(value)s»"),
        "url_url": _("indirizzo non valido: «%(value)s»; deve essere un indirizzo completo (es. https://…)"),
        "url_http_url": _("indirizzo web non valido: «%(value)s»; deve iniziare con https:// o http://"),
        "is_spdx_expression": _(
            "licenza non valida: «%(value)s»; indicare un identificativo o un'espressione SPDX "
            "(es. EUPL-1.2, AGPL-3.0-or-later, MIT OR Apache-2.0)"
        ),
        "is_category_v0": _(
            "categoria sconosciuta: «%(value)s»; usare una categoria dell'elenco di publiccode.yml "
            "(es. document-management, taxes-management)"
        ),
        "is_scope_v0": _(
            "ambito sconosciuto: «%(value)s»; usare un ambito dell'elenco di publiccode.yml "
            "(es. government, local-authorities)"
        ),
        "iso3166_1_alpha2_lower_or_upper": _(
            "codice di paese non valido: «%(value)s»; usare il codice ISO 3166-1 di due lettere (es. IT)"),
        "bcp47_strict_language_tag": _(
            "codice di lingua non valido: «%(value)s»; usare un codice BCP 47 con il trattino (es. it, en, pt-BR)"),
        "bcp47_keys": _(
            "le lingue delle descrizioni devono essere codici BCP 47 con il trattino (es. it, en, pt-BR)"),
        "is_italian_ipa_code": _(
            "codice IPA sconosciuto: «%(value)s» non è nell'elenco ufficiale dell'Indice delle PA (IndicePA)"),
        "is_mime_type": _("tipo MIME non valido: «%(value)s» (es. application/pdf)"),
    }
    if name == "organisation_uri":
        if shown.lower().startswith(formats.ITALIAN_PA_URN):
            return _(
                "codice IPA sconosciuto in «%(value)s»: il codice dopo urn:x-italian-pa: deve essere nell'elenco "
                "ufficiale dell'Indice delle PA (es. urn:x-italian-pa:c_g479)") % {"value": shown}
        return _(
            "URI dell'organizzazione non valido: «%(value)s»; indicare un indirizzo web o, per un ente pubblico "
            "italiano, urn:x-italian-pa:<codice IPA> (es. urn:x-italian-pa:c_g479)") % {"value": shown}
    if name == "supports_id":
        if formats.support_id_problem(shown) == "alias":
            return _("alias sconosciuto: «%(value)s»; alias ammessi: %(aliases)s") % {
                "value": shown, "aliases": ", ".join(f"alias:{a}" for a in formats.SUPPORT_ALIASES)}
        return _("deve essere un alias (es. alias:spid) o un URI: «%(value)s»") % {"value": shown}
    return messages.get(name, _("valore non valido: «%(value)s»")) % {"value": shown}


# --- the checks the validator adds by hand --------------------------------------------------------------------------

def _path_problems(value: str | None, path: str) -> list[Problem]:
    if not value:
        return []
    if value.startswith("/"):
        return [Problem(path, _(
            "percorso assoluto non ammesso: usare un percorso relativo alla radice del repository o un indirizzo "
            "http(s)"))]
    if value.startswith("file:"):
        return [Problem(path, _(
            "indirizzo file:// non ammesso: usare un percorso relativo alla radice del repository o un indirizzo "
            "http(s)"))]
    return []


def _extra_problems(doc: dict[str, Any]) -> list[Problem]:
    problems = _path_problems(doc.get("logo"), "logo") + _path_problems(doc.get("monochromeLogo"), "monochromeLogo")
    authors = (doc.get("legal") or {}).get("authorsFile")
    if authors is not None:
        problems += _path_problems(authors, "legal.authorsFile")
    for lang, desc in (doc.get("description") or {}).items():
        for index, shot in enumerate(desc.get("screenshots") or []):
            problems += _path_problems(shot, f"description.{lang}.screenshots[{index}]")
        for index, video in enumerate(desc.get("videos") or []):
            if video is not None and not formats.is_oembed_video(video.text):
                problems.append(Problem(f"description.{lang}.videos[{index}]", _(
                    "video non ammesso: «%(value)s»; indicare l'indirizzo di un video di un servizio che supporta "
                    "oEmbed (es. https://www.youtube.com/watch?v=…, https://vimeo.com/…)") % {"value": video.text[:120]}))
    if doc.get("IT") is not None and doc.get("it") is not None:
        problems.append(Problem("it", _("la sezione «IT» è già presente: togliere «it», la sua forma superata")))
    return problems


# --- entry point ----------------------------------------------------------------------------------------------------

def _version_problem(root: yaml.Node | None) -> tuple[str, Problem | None]:
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == TAG_NULL):
        return "", Problem("publiccodeYmlVersion", _("il file è vuoto: manca anche publiccodeYmlVersion"), VERSION)
    if not isinstance(root, yaml.MappingNode):
        return "", Problem("publiccodeYmlVersion", _(
            "il file deve contenere una sezione di chiavi (chiave: valore), a partire da publiccodeYmlVersion, "
            "non %(given)s") % {"given": _kind_name(root)}, VERSION)
    node = next((v for k, v in mapping_pairs(root)
                 if isinstance(k, yaml.ScalarNode) and k.value == "publiccodeYmlVersion"), None)
    if node is None:
        return "", Problem("publiccodeYmlVersion", _("campo obbligatorio mancante"), VERSION)
    if not (isinstance(node, yaml.ScalarNode) and node.tag == TAG_STR and node.style in (None, "", "'", '"')):
        return "", Problem("publiccodeYmlVersion", _(
            "la versione va scritta come testo tra virgolette (es. publiccodeYmlVersion: \"0.7\")"), VERSION)
    if node.value not in SUPPORTED_VERSIONS:
        return "", Problem("publiccodeYmlVersion", _(
            "versione non supportata: «%(value)s»; versioni ammesse: %(versions)s") % {
            "value": node.value[:40], "versions": ", ".join(SUPPORTED_VERSIONS)}, VERSION)
    return node.value, None


def check_document(root: yaml.Node | None) -> Checked:
    """Check a composed document (None: empty) against the standard."""
    version, problem = _version_problem(root)
    if problem is not None:
        return Checked(problems=[problem])
    assert isinstance(root, yaml.MappingNode)
    decoder = _Decoder(root)
    pairs = {k.value: v for k, v in mapping_pairs(root) if isinstance(k, yaml.ScalarNode)}
    doc: dict[str, Any] = decoder.zero(PUBLICCODE, present=True)
    dropped = set()
    for spec in PUBLICCODE.fields:
        if spec.name in pairs:
            value, ok = decoder.decode(pairs[spec.name], spec.type)
            if ok:
                doc[spec.name] = value
            else:
                dropped.add(spec.name)
    for name, _node in pairs.items():
        if PUBLICCODE.field(name) is None:
            key = next(k for k, _v in mapping_pairs(root) if isinstance(k, yaml.ScalarNode) and k.value == name)
            decoder.problems.append(Problem(key_at_line(root, _line(key)), _(
                "chiave sconosciuta «%(key)s» (riga %(line)d): non fa parte dello standard publiccode.yml; "
                "controllare come è scritta") % {"key": name, "line": _line(key)}, DECODE))
    rules = _Rules()
    rules.check_struct(doc, PUBLICCODE, "")
    for index, problem in enumerate(rules.problems):
        section = problem.path.split(".")[0].split("[")[0]
        if section in dropped:
            rules.problems[index] = Problem(problem.path, _(
                "%(message)s (la sezione «%(section)s» non è stata letta per l'errore segnalato al suo interno)") % {
                "message": problem.message, "section": section})
    problems = decoder.problems + rules.problems + _extra_problems(doc)
    unique = list(dict.fromkeys(problems))
    return Checked(problems=unique, value=doc, version=version, dropped=dropped)
