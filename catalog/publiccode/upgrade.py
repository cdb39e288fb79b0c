"""A publiccode.yml of any version the portal reads (0.2 to 0.7), in the shape of the current standard (0.7).

The official validator reads every version into the structure of the newest one and warns about each key that the
newest version deprecates; the portal's export must carry none of them. `current_standard` is the one place that
says what each deprecated key becomes: the import stores what it does not map in that shape, the export applies it
again to what earlier imports stored, and the tests compare an original file with its export through it.

| deprecated                                       | in 0.7                                                      |
|--------------------------------------------------|-------------------------------------------------------------|
| `publiccodeYmlVersion` older than 0.7            | `"0.7"`                                                     |
| the Italian section (`it` or `IT`), deprecated as a whole in 0.7:                                              |
| `piattaforme.spid` (cie, pagopa, anpr, io): true | `supports: [{id: alias:spid}]` ...                          |
| `conforme.gdpr: true`                            | `supports: [{id: alias:gdpr}]`                              |
| `conforme.lineeGuidaDesign`, `modelloInteroperabilita`, `misureMinimeSicurezza`: dropped, the standard names |
|   no replacement (the first two name guidelines no longer in force)                                            |
| `riuso.codiceIPA`                                | `organisation.uri: urn:x-italian-pa:<code>`, unless the     |
|                                                  | file has an organisation.uri (it wins, as in the parser)    |
| `countryExtensionVersion`                        | dropped                                                     |
| `legal.repoOwner`                                | `organisation.name`, when the organisation has no name and  |
|                                                  | the value is a name (not an address); else dropped          |
| `legal.authorsFile`                              | dropped                                                     |
| `description.<language>.genericName`             | dropped                                                     |
| `inputTypes`, `outputTypes`                      | dropped                                                     |
| `monochromeLogo`                                 | `logo` when there is none, else dropped                     |
| lower-case `intendedAudience.countries` and      | upper case                                                  |
| `intendedAudience.unsupportedCountries`          |                                                             |

Everything else is left as it is. The function is pure (it never reads the database) and idempotent.
"""

from __future__ import annotations

import copy
from typing import Any

from catalog.publiccode.parser import ITALIAN_PA_URN, italian_section
from catalog.publiccode.schema import EXPORT_VERSION, PLATFORM_SUPPORTS

# What the 0.7 `supports` list says for the flags of the Italian section.
_CONFORME_ALIASES = {"gdpr": "alias:gdpr"}
_DROPPED_TOP_LEVEL = ("inputTypes", "outputTypes")


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _is_address(text: str) -> bool:
    return "://" in text or text.lower().startswith("www.")


def _add_support(doc: dict[str, Any], identifier: str) -> None:
    supports = doc.get("supports")
    if not isinstance(supports, list):
        supports = doc["supports"] = []
    if not any(isinstance(item, dict) and item.get("id") == identifier for item in supports):
        supports.append({"id": identifier})


def _upper_countries(audience: dict[str, Any]) -> None:
    for key in ("countries", "unsupportedCountries"):
        codes = audience.get(key)
        if isinstance(codes, list):
            audience[key] = [code.upper() if isinstance(code, str) else code for code in codes]


def current_standard(document: dict[str, Any]) -> dict[str, Any]:
    """`document` (any supported version, or the part of one that the import did not map) as publiccode.yml 0.7
    with no deprecated key. A copy: the argument is left untouched."""
    doc = copy.deepcopy(document)
    if "publiccodeYmlVersion" in doc:
        doc["publiccodeYmlVersion"] = EXPORT_VERSION

    italian = italian_section(doc)
    doc.pop("it", None)
    doc.pop("IT", None)
    piattaforme = italian.get("piattaforme") if isinstance(italian.get("piattaforme"), dict) else {}
    for code in PLATFORM_SUPPORTS:
        if piattaforme.get(code) is True:
            _add_support(doc, f"alias:{code}")
    conforme = italian.get("conforme") if isinstance(italian.get("conforme"), dict) else {}
    for key, alias in _CONFORME_ALIASES.items():
        if conforme.get(key) is True:
            _add_support(doc, alias)
    riuso = italian.get("riuso") if isinstance(italian.get("riuso"), dict) else {}
    code = riuso.get("codiceIPA")
    organisation = doc.get("organisation")
    if isinstance(code, str) and code.strip() and not (isinstance(organisation, dict) and organisation.get("uri")):
        doc["organisation"] = {**(organisation if isinstance(organisation, dict) else {}),
                               "uri": f"{ITALIAN_PA_URN}{code.strip()}"}

    legal = _section(doc, "legal")
    repo_owner = legal.pop("repoOwner", None)
    legal.pop("authorsFile", None)
    organisation = doc.get("organisation")
    if (isinstance(organisation, dict) and not organisation.get("name") and isinstance(repo_owner, str)
            and repo_owner.strip() and not _is_address(repo_owner.strip())):
        organisation["name"] = repo_owner.strip()

    for section in _section(doc, "description").values():
        if isinstance(section, dict):
            section.pop("genericName", None)
    for key in _DROPPED_TOP_LEVEL:
        doc.pop(key, None)
    monochrome = doc.pop("monochromeLogo", None)
    if monochrome and not doc.get("logo"):
        doc["logo"] = monochrome
    _upper_countries(_section(doc, "intendedAudience"))
    return doc
