"""Shared fixtures' paths and a valid document to mutate in the tests of publiccode.yml."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

FILES = Path(__file__).parent / "publiccode_files"

LONG_IT = (
    "Il Protocollo Informatico registra la corrispondenza in entrata e in uscita, assegna i documenti agli uffici, "
    "conserva i fascicoli e si integra con la PEC e con la conservazione a norma dell'ente."
)

VALID: dict[str, Any] = {
    "publiccodeYmlVersion": "0.4.0",
    "name": "Protocollo Informatico",
    "url": "https://code.cstpu.example/cst/protocollo.git",
    "softwareVersion": "5.2",
    "releaseDate": "2024-09-30",
    "platforms": ["web"],
    "categories": ["document-management"],
    "developmentStatus": "stable",
    "softwareType": "standalone/web",
    "description": {
        "it": {
            "shortDescription": "Protocollo informatico e gestione documentale per i comuni.",
            "longDescription": LONG_IT,
            "features": ["Registrazione di protocollo", "Fascicolazione"],
        }
    },
    "legal": {"license": "EUPL-1.2"},
    "maintenance": {"type": "internal", "contacts": [{"name": "Anna Verdi", "email": "anna.verdi@cstpu.example"}]},
    "localisation": {"localisationReady": True, "availableLanguages": ["it"]},
    "organisation": {"name": "Comune di Pesaro", "uri": "urn:x-italian-pa:c_g479"},
}


def valid_doc(**changes: Any) -> dict[str, Any]:
    """A valid document with top-level keys replaced (a value of None removes the key)."""
    doc = copy.deepcopy(VALID)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(doc: dict[str, Any]) -> bytes:
    return yaml.dump(doc, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False).encode("utf-8")


def read(name: str) -> bytes:
    return (FILES / name).read_bytes()
