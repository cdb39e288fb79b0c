"""The value formats of publiccode.yml, checked the way the official validator (publiccode-parser-go) checks them.

The validator is written in Go: URLs go through Go's `net/url` parser, e-mail addresses, dates and URLs through the
go-playground validator, language tags through its strict BCP 47 check. A portal that gives the same verdict has to
read values the same way, which Python's own parsers do not (urllib accepts what Go refuses and the other way round),
so the rules are written out here, each with the reason it is as it is.

The lists behind the checks ship in `data/` (see data/README.md): the IPA codes and oEmbed video schemes as the
validator embeds them, and the language, script, region and country codes it accepts.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"


# --- URLs (Go's net/url.Parse) -------------------------------------------------------------------------------------

class URLParseError(ValueError):
    """What Go's url.Parse refuses; the message is Go's, which the validator shows."""


@dataclass(frozen=True)
class GoURL:
    scheme: str = ""
    opaque: str = ""
    host: str = ""
    path: str = ""
    fragment: str = ""


_HEX = set("0123456789abcdefABCDEF")
# Characters Go's net/url lets stand unescaped in a host name (shouldEscape with encodeHost answers false).
_HOST_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~!$&'()*+,;=:[]<>\"")


def _unescape(text: str, *, host: bool = False) -> str:
    """Percent-decoding as Go does it, refusing what Go refuses: a bad escape, and in a host an ASCII escape or a
    character that must be escaped."""
    out = bytearray()
    raw = text.encode("utf-8")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x25:  # %
            chunk = raw[i:i + 3].decode("latin-1")
            if len(chunk) < 3 or chunk[1] not in _HEX or chunk[2] not in _HEX:
                shown = chunk if len(chunk) == 3 else raw[i:].decode("utf-8", "replace")
                raise URLParseError(f'invalid URL escape "{shown[:3]}"')
            if host and int(chunk[1], 16) < 8 and chunk != "%25":
                raise URLParseError(f'invalid URL escape "{chunk}"')
            out.append(int(chunk[1:], 16))
            i += 3
            continue
        if host and c < 0x80 and chr(c) not in _HOST_OK:
            raise URLParseError(f"invalid character {chr(c)!r} in host name")
        out.append(c)
        i += 1
    return out.decode("utf-8", "replace")


def _valid_optional_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= ch <= "9" for ch in port[1:]))


def _parse_host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise URLParseError("missing ']' in host")
        port = host[end + 1:]
        if not _valid_optional_port(port):
            raise URLParseError(f"invalid port {port!r} after host")
    else:
        colon = host.rfind(":")
        if colon != -1 and not _valid_optional_port(host[colon:]):
            raise URLParseError(f"invalid port {host[colon:]!r} after host")
    return _unescape(host, host=True)


def _scheme(raw: str) -> tuple[str, str]:
    for i, ch in enumerate(raw):
        if ch.isascii() and ch.isalpha():
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+-."):
            if i == 0:
                return "", raw
            continue
        if ch == ":":
            if i == 0:
                raise URLParseError("missing protocol scheme")
            return raw[:i], raw[i + 1:]
        return "", raw
    return "", raw


def parse_go_url(raw: str, *, via_request: bool = False) -> GoURL:
    """Go's url.Parse (with `via_request`, url.ParseRequestURI: an absolute URI or path, no fragment): raises
    URLParseError where Go returns an error."""
    if via_request:
        if not raw:
            raise URLParseError("empty url")
        rest, fragment = raw, ""
    else:
        rest, _, fragment = raw.partition("#")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in rest):
        raise URLParseError("net/url: invalid control character in URL")
    if rest == "*":
        return GoURL(path="*")
    scheme, rest = _scheme(rest)
    scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return GoURL(scheme=scheme, opaque=rest, fragment=_unescape(fragment) if fragment else "")
        if via_request:
            raise URLParseError("invalid URI for request")
        if ":" in rest.partition("/")[0]:
            raise URLParseError("first path segment in URL cannot contain colon")
    host = ""
    if (scheme or (not via_request and not rest.startswith("///"))) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        at = authority.rfind("@")
        host = _parse_host(authority[at + 1:] if at >= 0 else authority)
        if at >= 0:
            userinfo = authority[:at]
            if any(not (ch.isalnum() or ch in "-._:~!$&'()*+,;=%@") for ch in userinfo):
                raise URLParseError("net/url: invalid userinfo")
            _unescape(userinfo)
    path = _unescape(rest)
    return GoURL(scheme=scheme, host=host, path=path, fragment=_unescape(fragment) if fragment else "")


def _go_url_or_none(text: str) -> GoURL | None:
    try:
        return parse_go_url(text)
    except URLParseError:
        return None


def is_url(text: str) -> bool:
    """go-playground's `url`: a scheme and a host, a fragment or an opaque part (a file: URL needs a path)."""
    lowered = text.lower()
    if not lowered:
        return False
    if lowered.startswith("file:/") and _go_url_or_none(lowered) is not None:
        return True
    url = _go_url_or_none(lowered)
    if url is None or not url.scheme:
        return False
    if url.scheme == "file":
        return url.path not in ("", "/")
    return bool(url.host or url.fragment or url.opaque)


def is_http_url(text: str) -> bool:
    """go-playground's `http_url`: a valid URL with a host, over http or https."""
    if not is_url(text):
        return False
    url = _go_url_or_none(text.lower())
    return url is not None and bool(url.host) and url.scheme in ("http", "https")


# --- e-mail, dates, lengths, MIME types ----------------------------------------------------------------------------

_U = "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
# go-playground's e-mail expression (RFC 5322 local part, host names with dots), as the validator applies it.
_EMAIL_RE = re.compile(
    r"^(?:(?:(?:(?:[a-zA-Z]|\d|[!#\$%&'\*\+\-\/=\?\^_`{\|}~]|[" + _U + r"])+(?:\.([a-zA-Z]|\d|[!#\$%&'\*\+\-\/=\?\^_`"
    r"{\|}~]|[" + _U + r"])+)*)|(?:(?:\x22)(?:(?:(?:(?:\x20|\x09)*(?:\x0d\x0a))?(?:\x20|\x09)+)?(?:(?:[\x01-\x08\x0b"
    r"\x0c\x0e-\x1f\x7f]|\x21|[\x23-\x5b]|[\x5d-\x7e]|[" + _U + r"])|(?:(?:[\x01-\x09\x0b\x0c\x0d-\x7f]|[" + _U
    + r"]))))*(?:(?:(?:\x20|\x09)*(?:\x0d\x0a))?(\x20|\x09)+)?(?:\x22))))@(?:(?:(?:[a-zA-Z]|\d|[" + _U + r"])|(?:(?:"
    r"[a-zA-Z]|\d|[" + _U + r"])(?:[a-zA-Z]|\d|-|\.|~|[" + _U + r"])*(?:[a-zA-Z]|\d|[" + _U + r"])))\.)+(?:(?:[a-zA-Z]"
    r"|[" + _U + r"])|(?:(?:[a-zA-Z]|[" + _U + r"])(?:[a-zA-Z]|\d|-|\.|~|[" + _U + r"])*(?:[a-zA-Z]|[" + _U + r"])))"
    r"\.?\Z"
)


def is_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text))


_DATE_RE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})\Z")


def is_date(text: str) -> bool:
    """Go's time.Parse with the layout 2006-01-02: four-digit year (0000 included), two-digit month and day, a day
    that exists in that month."""
    match = _DATE_RE.match(text)
    if not match:
        return False
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= days


def grapheme_count(text: str) -> int:
    """Characters as a reader counts them (Unicode extended grapheme clusters), as the validator measures lengths:
    an accented letter written with a combining accent, or a flag, is one character."""
    import regex

    return len(regex.findall(r"\X", text))


_MIME_RE = re.compile(r"\A *([A-Za-z0-9][A-Za-z0-9!#$&^_-]{0,126})/([A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}) *\Z")


def is_mime_type(text: str) -> bool:
    return bool(_MIME_RE.match(text))


# --- codes: IPA, countries, categories, language tags --------------------------------------------------------------

@functools.cache
def _ipa_codes() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in (DATA / "ipa-codes.txt").read_text().splitlines() if line.strip())


def is_ipa_code(code: str) -> bool:
    """A code of the official IndicePA list, compared without regard to case."""
    return code.lower() in _ipa_codes()


@functools.cache
def _language_tags() -> dict:
    return json.loads((DATA / "language-tags.json").read_text())


@functools.cache
def _code_set(kind: str) -> frozenset[str]:
    return frozenset(code.upper() for code in _language_tags()[kind])


def is_country_code(code: str) -> bool:
    """ISO 3166-1 alpha-2, all in upper or all in lower case (lower case is deprecated, a warning)."""
    if code not in (code.lower(), code.upper()):
        return False
    return code.upper() in _code_set("countries")


_IRREGULAR = {
    "EN-GB-OED", "I-AMI", "I-BNN", "I-DEFAULT", "I-ENOCHIAN", "I-HAK", "I-KLINGON", "I-LUX", "I-MINGO", "I-NAVAJO",
    "I-PWN", "I-TAO", "I-TAY", "I-TSU", "SGN-BE-FR", "SGN-BE-NL", "SGN-CH-DE", "ART-LOJBAN", "CEL-GAULISH", "NO-BOK",
    "NO-NYN", "ZH-GUOYU", "ZH-HAKKA", "ZH-MIN", "ZH-MIN-NAN", "ZH-XIANG",
}
_LANGTAG_RE = re.compile(
    r"\A(?:X-[A-Z0-9]{1,8}"
    r"|((?:[A-Z]{2,3}(?:-[A-Z]{3}){0,3})|[A-Z]{4}|[A-Z]{5,8})"  # language (with extended subtags)
    r"(?:-([A-Z]{4}))?"  # script
    r"(?:-([A-Z]{2}|[0-9]{3}))?"  # region
    r"(?:-((?:[A-Z0-9]{5,8}|[0-9][A-Z0-9]{3})(?:-(?:[A-Z0-9]{5,8}|[0-9][A-Z0-9]{3}))*))?"  # variants
    r"(?:-((?:[A-WYZ0-9](?:-[A-Z0-9]{2,8})+)(?:-(?:[A-WYZ0-9](?:-[A-Z0-9]{2,8})+))*))?"  # extensions
    r"(?:-X(?:-[A-Z0-9]{1,8})+)?)\Z"
)


def is_language_tag(tag: str) -> bool:
    """A BCP 47 language tag as the validator's strict check reads it: hyphens, never underscores (`pt_BR` is
    refused), and every subtag one the validator knows. Extended language subtags (`zh-yue`) are refused: no
    publiccode.yml uses them and the validator's list of them is not shipped here."""
    upper = tag.upper()
    if upper in _IRREGULAR:
        return True
    match = _LANGTAG_RE.match(upper)
    if not match:
        return False
    language, script, region, variants, _extensions = match.groups()
    if language is None:  # private use (x-...)
        return True
    if "-" in language or len(language) > 3 or language not in _code_set("languages"):
        return False
    if script and script not in _code_set("scripts"):
        return False
    if region and region not in _code_set("regions"):
        return False
    return not variants or all(variant in _code_set("variants") for variant in variants.split("-"))


# --- licences -----------------------------------------------------------------------------------------------------

@functools.cache
def _spdx_ids() -> tuple[frozenset[str], frozenset[str]]:
    """SPDX licence identifiers (deprecated ones included, as the validator accepts `GPL-3.0`) and exception
    identifiers, lower case; from the SPDX list that `license-expression` ships."""
    from license_expression import get_spdx_licensing

    licences, exceptions = set(), set()
    for symbol in get_spdx_licensing().known_symbols.values():
        names = [symbol.key, *symbol.aliases]
        target = exceptions if symbol.is_exception else licences
        target.update(n.lower() for n in names if not n.startswith("LicenseRef-"))
    return frozenset(licences), frozenset(exceptions)


_SPDX_TOKEN_RE = re.compile(r"\s*(\(|\)|[A-Za-z0-9.\-:]+\+?)")
_LICENSE_REF_RE = re.compile(r"\A(?:DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+\Z")


def is_spdx_expression(text: str) -> bool:
    """An SPDX licence expression: identifiers (any case, `+` allowed), `LicenseRef-…`, joined by AND / OR (upper
    case), `WITH` an exception, parentheses."""
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _SPDX_TOKEN_RE.match(text, pos)
        if not match:
            return False
        tokens.append(match.group(1))
        pos = match.end()
    licences, exceptions = _spdx_ids()
    index = 0

    def licence() -> bool:
        nonlocal index
        if index >= len(tokens):
            return False
        token = tokens[index]
        if token == "(":  # noqa: S105 (a parenthesis, not a password)
            index += 1
            if not expression() or index >= len(tokens) or tokens[index] != ")":
                return False
            index += 1
            return True
        if token in ("AND", "OR", "WITH", ")"):  # noqa: S105 (an SPDX operator, not a password)
            return False
        name = token[:-1] if token.endswith("+") else token
        if not (_LICENSE_REF_RE.match(name) or name.lower() in licences):
            return False
        index += 1
        if index < len(tokens) and tokens[index] == "WITH":
            index += 1
            if index >= len(tokens) or tokens[index].lower() not in exceptions:
                return False
            index += 1
        return True

    def expression() -> bool:
        nonlocal index
        if not licence():
            return False
        while index < len(tokens) and tokens[index] in ("AND", "OR"):
            index += 1
            if not licence():
                return False
        return True

    return bool(tokens) and expression() and index == len(tokens)


# --- URIs: organisations and supported standards --------------------------------------------------------------------

ITALIAN_PA_URN = "urn:x-italian-pa:"
_URN_RE = re.compile(
    r"\Aurn:(?!urn:)[A-Za-z0-9][A-Za-z0-9\-]{0,31}:(?:[A-Za-z0-9()+,\-.:=@;$_!*']|%[0-9A-Fa-f]{2})"
    r"(?:[A-Za-z0-9()+,\-.:=@;$_!*'/?#]|%[0-9A-Fa-f]{2})*\Z",
    re.IGNORECASE,
)


def _parse_request_uri(text: str) -> GoURL | None:
    try:
        return parse_go_url(text, via_request=True)
    except URLParseError:
        return None


def is_organisation_uri(text: str) -> bool:
    """A URL with a host, or a URN (RFC 2141); an Italian public body's URN must name a known IPA code."""
    url = _parse_request_uri(text)
    if url is None:
        return False
    if url.scheme == "urn":
        if not _URN_RE.match(text):
            return False
        if url.opaque.lower().startswith("x-italian-pa:"):
            return is_ipa_code(url.opaque[len("x-italian-pa:"):])
        return True
    return bool(url.scheme and url.host)


SUPPORT_ALIASES = ("gdpr", "eidas", "nis2", "cra", "spid", "cie", "anpr", "pagopa", "io")


def support_id_problem(text: str) -> str:
    """'' when `text` is a known alias (alias:spid) or a URI; 'alias' for an unknown alias; 'uri' otherwise."""
    if text.startswith("alias:"):
        return "" if text[len("alias:"):] in SUPPORT_ALIASES else "alias"
    url = _parse_request_uri(text)
    if url is None:
        return "uri"
    if url.scheme == "urn":
        return "" if _URN_RE.match(text) else "uri"
    return "" if url.scheme and url.host else "uri"


# --- videos ---------------------------------------------------------------------------------------------------------

@functools.cache
def _oembed_patterns() -> tuple[re.Pattern[str], ...]:
    schemes = json.loads((DATA / "oembed-schemes.json").read_text())
    return tuple(re.compile(r"\A" + ".*".join(re.escape(part) for part in scheme.split("*")) + r"\Z", re.DOTALL)
                 for scheme in schemes)


def is_oembed_video(url: str) -> bool:
    """A video URL of a provider the validator knows (its oEmbed schemes, matched exactly, `*` standing for
    anything)."""
    return any(pattern.match(url) for pattern in _oembed_patterns())
