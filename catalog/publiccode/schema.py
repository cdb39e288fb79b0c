"""The publiccode.yml standard (versions 0.2 to 0.7) as the official validator defines it.

The official validator (publiccode-parser-go) reads every supported version into one structure, the one of the
newest version, and checks it with go-playground validation rules. The structure is restated here as data: each
key, the type of its value (text, true/false, list, mapping, URL...), whether YAML's null is "absent" (a pointer in
the validator's terms), and its rules, in the validator's order and spelling (`required`, `omitempty`, `dive`,
`umax=150`...). `standard.py` reads a document with it and applies the rules the validator's way; keeping the
validator's spelling makes the two easy to compare when the standard moves.

A key that is not here is an error, as in the validator: a misspelled key (`shortDescripton`) must not pass
silently and be written back on export.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.vocabulary import CATEGORIES, SCOPES

SUPPORTED_VERSIONS: tuple[str, ...] = (
    "0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0", "0.5", "0.5.0", "0.7", "0.7.0",
)
# What the export writes: the newest version the official validator accepts without a warning.
EXPORT_VERSION = "0.7"
IT_EXTENSION_VERSIONS: tuple[str, ...] = ("0.2", "1.0")

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
    "standalone/other", "addon", "library", "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
PLATFORM_SUPPORTS = ("spid", "cie", "pagopa", "anpr", "io")
CATEGORY_SET = frozenset(CATEGORIES)
SCOPE_SET = frozenset(SCOPES)

SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_MIN = 150
LONG_DESCRIPTION_MAX = 10_000


@dataclass(frozen=True)
class Type:
    """A value's type. `kind`: text, bool, url, urls (one URL or a list), list, map (language → section),
    struct. `nullable`: YAML null means "absent" (the validator's pointers, lists and maps)."""

    kind: str
    nullable: bool = False
    item: Type | None = None
    fields: tuple[Field, ...] = ()

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Field:
    name: str
    type: Type
    rules: tuple[str, ...] = field(default=())


def _f(name: str, type_: Type, rules: str = "") -> Field:
    return Field(name, type_, tuple(r for r in rules.split(",") if r))


def struct(*fields: Field, nullable: bool = False) -> Type:
    return Type("struct", nullable=nullable, fields=fields)


TEXT = Type("text")
TEXT_OR_NULL = Type("text", nullable=True)
BOOL = Type("bool")
BOOL_OR_NULL = Type("bool", nullable=True)
URL = Type("url", nullable=True)
TEXTS = Type("list", nullable=True, item=TEXT)


def listof(item: Type) -> Type:
    return Type("list", nullable=True, item=item)


_ORGANISATION = struct(
    _f("name", TEXT_OR_NULL),
    _f("uri", TEXT, "required,organisation_uri"),
    nullable=True,
)

DESCRIPTION = struct(
    _f("localisedName", TEXT_OR_NULL),
    _f("genericName", TEXT, "umax=35"),
    _f("shortDescription", TEXT, f"required,umax={SHORT_DESCRIPTION_MAX}"),
    _f("longDescription", TEXT, f"required,umin={LONG_DESCRIPTION_MIN},umax={LONG_DESCRIPTION_MAX}"),
    _f("documentation", URL, "omitnil,url_http_url"),
    _f("apiDocumentation", URL, "omitnil,url_http_url"),
    _f("features", TEXTS, "gt=0,dive"),
    _f("screenshots", TEXTS),
    _f("videos", listof(URL), "dive,omitnil,url_http_url"),
    _f("awards", TEXTS),
)

_CONTRACTOR = struct(
    _f("name", TEXT, "required"),
    _f("email", TEXT_OR_NULL, "omitempty,email"),
    _f("website", URL, "omitnil,url_http_url"),
    _f("until", TEXT, "required,date"),
)

_CONTACT = struct(
    _f("name", TEXT, "required"),
    _f("email", TEXT_OR_NULL, "omitempty,email"),
    _f("affiliation", TEXT_OR_NULL),
    _f("phone", TEXT_OR_NULL, "omitempty"),
)

_DEPENDENCY = struct(
    _f("name", TEXT, "required,gt=0"),
    _f("versionMin", TEXT_OR_NULL),
    _f("versionMax", TEXT_OR_NULL),
    _f("optional", BOOL_OR_NULL),
    _f("version", TEXT_OR_NULL),
)

_IT_SECTION = struct(
    _f("countryExtensionVersion", TEXT_OR_NULL, "omitnil,oneof=" + " ".join(IT_EXTENSION_VERSIONS)),
    _f("conforme", struct(
        *(_f(name, BOOL_OR_NULL) for name in ("lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza",
                                              "gdpr")),
        nullable=True,
    )),
    _f("riuso", struct(_f("codiceIPA", TEXT, "omitempty,is_italian_ipa_code"))),
    _f("piattaforme", struct(*(_f(code, BOOL) for code in ("spid", "pagopa", "cie", "anpr", "io")))),
    nullable=True,
)

PUBLICCODE = struct(
    _f("publiccodeYmlVersion", TEXT, "required,oneof=" + " ".join(SUPPORTED_VERSIONS)),
    _f("name", TEXT, "required"),
    _f("applicationSuite", TEXT),
    _f("url", URL, "required,url_url"),
    _f("landingURL", URL, "omitnil,url_http_url"),
    _f("isBasedOn", Type("urls", nullable=True, item=URL), "omitempty,dive,url_url"),
    _f("softwareVersion", TEXT),
    _f("releaseDate", TEXT_OR_NULL, "omitnil,date"),
    _f("logo", TEXT_OR_NULL),
    _f("monochromeLogo", TEXT_OR_NULL),
    _f("organisation", _ORGANISATION),
    _f("inputTypes", TEXTS, "omitempty,dive,is_mime_type"),
    _f("outputTypes", TEXTS, "omitempty,dive,is_mime_type"),
    _f("platforms", TEXTS, "gt=0"),
    _f("categories", TEXTS, "omitempty,dive,is_category_v0"),
    _f("usedBy", TEXTS),
    _f("fundedBy", listof(_ORGANISATION), "omitempty,dive"),
    _f("supports", listof(struct(_f("id", TEXT, "required,supports_id"))), "omitempty,dive"),
    _f("roadmap", URL, "omitnil,url_http_url"),
    _f("developmentStatus", TEXT, "required,oneof=" + " ".join(DEVELOPMENT_STATUSES)),
    _f("softwareType", TEXT, "required,oneof=" + " ".join(SOFTWARE_TYPES)),
    _f("intendedAudience", struct(
        _f("scope", TEXTS, "omitempty,dive,is_scope_v0"),
        _f("countries", TEXTS, "omitempty,dive,iso3166_1_alpha2_lower_or_upper"),
        _f("unsupportedCountries", TEXTS, "omitempty,dive,iso3166_1_alpha2_lower_or_upper"),
        nullable=True,
    )),
    _f("description", Type("map", nullable=True, item=DESCRIPTION), "gt=0,bcp47_keys,dive"),
    _f("legal", struct(
        _f("license", TEXT, "required,is_spdx_expression"),
        _f("mainCopyrightOwner", TEXT_OR_NULL),
        _f("repoOwner", TEXT_OR_NULL),
        _f("authorsFile", TEXT_OR_NULL),
    )),
    _f("maintenance", struct(
        _f("type", TEXT, "required,oneof=" + " ".join(MAINTENANCE_TYPES)),
        _f("contractors", listof(_CONTRACTOR),
           "required_if=Type contract,excluded_unless=Type contract,omitempty,dive"),
        _f("contacts", listof(_CONTACT), "required_if=Type community,required_if=Type internal,omitempty,dive"),
    )),
    _f("localisation", struct(
        _f("localisationReady", BOOL_OR_NULL, "required"),
        _f("availableLanguages", TEXTS, "required,gt=0,dive,bcp47_strict_language_tag"),
    )),
    _f("dependsOn", struct(
        *(_f(kind, listof(_DEPENDENCY), "omitempty,dive") for kind in ("open", "proprietary", "hardware")),
        nullable=True,
    )),
    _f("IT", _IT_SECTION),
    _f("it", _IT_SECTION),
)
