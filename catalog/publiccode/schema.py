"""The publiccode.yml schema (versions 0.2 to 0.7, Italian country section included) as a JSON Schema.

Shape rules live here: types, required keys, enumerations, lengths, string formats. The formats named below
(`pc-date`, `pc-url`, ...) are checked by the parser's format checker; rules that need the database (a known IPA
code) are checked by the parser after the schema.

Extra keys are allowed everywhere: a key this portal does not know is kept (in `Solution.publiccode_extra`) and
written back on export, so a newer file loses nothing.

`x-error` on a schema node replaces the generic message for a failed `pattern` or `anyOf`.

Two completeness rules of the standard are warnings here, not errors (see parser.py): the contacts of an internally
or community-maintained software, and the list of available languages. The catalogue shows contacts to its members
only, so the file it serves to everyone else leaves them out; neither gap makes the catalogue's record unsafe.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.vocabulary import CATEGORIES, SCOPES

# "0" is the moving "latest 0.x" marker the standard's own example uses.
SUPPORTED_VERSIONS: tuple[str, ...] = ("0",) + tuple(
    v for minor in range(2, 8) for v in (f"0.{minor}", *(f"0.{minor}.{patch}" for patch in range(10)))
)
EXPORT_VERSION = "0.5.0"
IT_EXTENSION_VERSIONS: tuple[str, ...] = ("0.2", "1.0")

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web", "standalone/backend",
    "standalone/other", "addon", "library", "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
PLATFORM_SUPPORTS = ("spid", "cie", "pagopa", "anpr", "io")

# Lengths the catalogue's columns impose (the standard has none for these keys).
NAME_MAX = 200
URL_MAX = 300
LICENCE_MAX = 120
OWNER_TEXT_MAX = 200
SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_MIN = 150
LONG_DESCRIPTION_MAX = 10_000

_TEXT: dict[str, Any] = {"type": "string"}
_BOOL: dict[str, Any] = {"type": "boolean"}
_URL: dict[str, Any] = {"type": "string", "format": "pc-url", "maxLength": URL_MAX}
_DATE: dict[str, Any] = {"type": "string", "format": "pc-date"}
_EMAIL: dict[str, Any] = {"type": "string", "format": "pc-email"}
_TEXT_LIST: dict[str, Any] = {"type": "array", "items": _TEXT}
_COUNTRY: dict[str, Any] = {
    "type": "string",
    "pattern": r"^[A-Za-z]{2}$",
    "x-error": _("codice di paese non valido: usare il codice ISO 3166-1 di due lettere (es. it)"),
}

_DEPENDENCY: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "versionMin": _TEXT,
        "versionMax": _TEXT,
        "version": _TEXT,
        "optional": _BOOL,
    },
}

_CONTACT: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "email": _EMAIL,
        "phone": _TEXT,
        "affiliation": _TEXT,
    },
}

_CONTRACTOR: dict[str, Any] = {
    "type": "object",
    "required": ["name", "until"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": OWNER_TEXT_MAX},
        "until": _DATE,
        "email": _EMAIL,
        "website": _URL,
    },
}

_DESCRIPTION: dict[str, Any] = {
    "type": "object",
    "required": ["shortDescription"],
    "properties": {
        "localisedName": _TEXT,
        "genericName": {"type": "string", "maxLength": 35},
        "shortDescription": {"type": "string", "minLength": 1, "maxLength": SHORT_DESCRIPTION_MAX},
        "longDescription": {"type": "string", "minLength": LONG_DESCRIPTION_MIN, "maxLength": LONG_DESCRIPTION_MAX},
        "documentation": _URL,
        "apiDocumentation": _URL,
        "features": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        "screenshots": _TEXT_LIST,
        "videos": {"type": "array", "items": _URL},
        "awards": _TEXT_LIST,
    },
}

_ORGANISATION: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": _TEXT, "uri": {"type": "string", "format": "pc-organisation-uri"}},
}

_IT_SECTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "countryExtensionVersion": {"type": "string", "enum": list(IT_EXTENSION_VERSIONS)},
        "conforme": {
            "type": "object",
            "properties": {
                "lineeGuidaDesign": _BOOL,
                "modelloInteroperabilita": _BOOL,
                "misureMinimeSicurezza": _BOOL,
                "gdpr": _BOOL,
            },
        },
        "riuso": {
            "type": "object",
            "properties": {
                "codiceIPA": {
                    "type": "string",
                    "pattern": r"^[A-Za-z0-9_]{2,20}$",
                    "x-error": _("codice IPA non valido: usare lettere, cifre e trattino basso (es. c_g479)"),
                },
            },
        },
        "piattaforme": {"type": "object", "properties": {code: _BOOL for code in PLATFORM_SUPPORTS}},
        # Version 0.1 of the Italian section put the platforms directly under `it`.
        **{code: _BOOL for code in ("spid", "cie", "pagopa", "anpr")},
    },
}

PUBLICCODE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "publiccode.yml 0.2–0.7",
    "type": "object",
    "required": [
        "publiccodeYmlVersion", "name", "url", "platforms", "categories", "developmentStatus", "softwareType",
        "description", "legal", "maintenance", "localisation",
    ],
    "properties": {
        "publiccodeYmlVersion": {"type": "string", "enum": list(SUPPORTED_VERSIONS)},
        "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
        "applicationSuite": _TEXT,
        "url": {"type": "string", "format": "pc-url", "maxLength": URL_MAX},
        "landingURL": _URL,
        "isBasedOn": {
            "anyOf": [_URL, {"type": "array", "items": _URL}],
            "x-error": _("deve essere un indirizzo web o un elenco di indirizzi web"),
        },
        "softwareVersion": {"type": "string", "maxLength": 50},
        "releaseDate": _DATE,
        "logo": {"type": "string", "maxLength": URL_MAX},
        "monochromeLogo": _TEXT,
        "inputTypes": _TEXT_LIST,
        "outputTypes": _TEXT_LIST,
        "platforms": {
            "anyOf": [{"type": "string", "minLength": 1}, {"type": "array", "minItems": 1, "items": _TEXT}],
            "x-error": _("deve essere un testo o un elenco non vuoto di testi (es. web, linux)"),
        },
        "categories": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(CATEGORIES)}},
        "usedBy": _TEXT_LIST,
        "roadmap": _URL,
        "developmentStatus": {"type": "string", "enum": list(DEVELOPMENT_STATUSES)},
        "softwareType": {"type": "string", "enum": list(SOFTWARE_TYPES)},
        "intendedAudience": {
            "type": "object",
            "properties": {
                "scope": {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}},
                "countries": {"type": "array", "items": _COUNTRY},
                "unsupportedCountries": {"type": "array", "items": _COUNTRY},
            },
        },
        "description": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"format": "pc-language"},
            "additionalProperties": _DESCRIPTION,
        },
        "legal": {
            "type": "object",
            "required": ["license"],
            "properties": {
                "license": {"type": "string", "format": "pc-spdx", "maxLength": LICENCE_MAX},
                "mainCopyrightOwner": {"type": "string", "maxLength": OWNER_TEXT_MAX},
                "repoOwner": {"type": "string", "maxLength": OWNER_TEXT_MAX},
                "authorsFile": _TEXT,
            },
        },
        "maintenance": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": list(MAINTENANCE_TYPES)},
                "contractors": {"type": "array", "items": _CONTRACTOR},
                "contacts": {"type": "array", "items": _CONTACT},
            },
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": "contract"}}, "required": ["type"]},
                    "then": {"required": ["contractors"], "properties": {"contractors": {"minItems": 1}}},
                    "else": {"properties": {"contractors": {
                        "not": {}, "x-error": _("ammesso solo quando maintenance.type è «contract»")}}},
                },
            ],
        },
        "localisation": {
            "type": "object",
            "required": ["localisationReady"],
            "properties": {
                "localisationReady": _BOOL,
                "availableLanguages": {"type": "array", "items": {"type": "string", "format": "pc-language"}},
            },
        },
        "dependsOn": {
            "type": "object",
            "properties": {kind: {"type": "array", "items": _DEPENDENCY} for kind in ("open", "proprietary", "hardware")},
        },
        "organisation": _ORGANISATION,
        "fundedBy": {"type": "array", "items": _ORGANISATION},
        "it": _IT_SECTION,
        "IT": _IT_SECTION,
        # Version 0.1 called the categories `tags`; kept as the catalogue's tags.
        "tags": _TEXT_LIST,
    },
}
