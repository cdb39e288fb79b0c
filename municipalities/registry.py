"""Reading the registry of bodies from a CSV file (ISTAT list) and writing it to the database.

The same code loads the shipped list in the data migration and serves `manage.py import_bodies`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "pu-municipalities.csv"
REQUIRED_COLUMNS = ("istat_code", "name", "belfiore_code", "ipa_code", "population_2021")

PROVINCE = {
    "istat_code": None,
    "ipa_code": "p_PU",
    "name": "Provincia di Pesaro e Urbino",
    "slug": "provincia-di-pesaro-e-urbino",
    "kind": "provincia",
    "population": None,
    "belfiore_code": "",
    "website": "https://www.provincia.pu.it/",
}


@dataclass
class ParsedRegistry:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_bodies_csv(raw: bytes) -> ParsedRegistry:
    """Parse and validate the whole file; every problem is reported with its line number."""
    result = ParsedRegistry()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        result.errors.append(f"Riga {line}: il file non è codificato in UTF-8.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("colonne mancanti: " + ", ".join(missing))
        if unknown:
            parts.append("colonne non previste: " + ", ".join(unknown))
        result.errors.append("Riga 1: intestazione non valida (" + "; ".join(parts) + ").")
        return result
    seen_istat: dict[str, int] = {}
    seen_ipa: dict[str, int] = {}
    for number, record in enumerate(reader, start=2):
        if None in record or any(v is None for v in record.values()):
            result.errors.append(f"Riga {number}: numero di campi diverso dall'intestazione.")
            continue
        istat = record["istat_code"].strip()
        name = record["name"].strip()
        ipa = record["ipa_code"].strip()
        population_raw = record["population_2021"].strip()
        line_errors = []
        if not (len(istat) == 6 and istat.isdigit()):
            line_errors.append(f"codice ISTAT {istat!r} non valido (servono 6 cifre)")
        elif istat in seen_istat:
            line_errors.append(f"codice ISTAT {istat} duplicato (già alla riga {seen_istat[istat]})")
        if not name:
            line_errors.append("nome mancante")
        if ipa and ipa.lower() in seen_ipa:
            line_errors.append(f"codice IPA {ipa} duplicato (già alla riga {seen_ipa[ipa.lower()]})")
        population = None
        if population_raw:
            try:
                population = int(population_raw)
            except ValueError:
                line_errors.append(f"popolazione {population_raw!r} non è un numero intero")
            else:
                if population < 0:
                    line_errors.append(f"popolazione negativa ({population})")
        if line_errors:
            result.errors.append(f"Riga {number}: " + "; ".join(line_errors) + ".")
            continue
        seen_istat[istat] = number
        if ipa:
            seen_ipa[ipa.lower()] = number
        result.rows.append(
            {
                "istat_code": istat,
                "name": name,
                "belfiore_code": record["belfiore_code"].strip(),
                "ipa_code": ipa,
                "population": population,
            }
        )
    return result


def upsert_bodies(rows: list[dict], *, body_model) -> tuple[int, int, int]:
    """Insert or update comuni by ISTAT code. Returns (created, updated, unchanged)."""
    created = updated = unchanged = 0
    existing = {b.istat_code: b for b in body_model.objects.filter(istat_code__in=[r["istat_code"] for r in rows])}
    for row in rows:
        body = existing.get(row["istat_code"])
        if body is None:
            slug = slugify(row["name"])
            if body_model.objects.filter(slug=slug).exists():
                slug = f"{slug}-{row['istat_code']}"
            body_model.objects.create(kind="comune", slug=slug, **row)
            created += 1
            continue
        changed = [k for k, v in row.items() if getattr(body, k) != v]
        if changed:
            for k in changed:
                setattr(body, k, row[k])
            body.save(update_fields=changed)
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged


def ensure_province(*, body_model) -> None:
    if not body_model.objects.filter(ipa_code=PROVINCE["ipa_code"]).exists():
        body_model.objects.create(**PROVINCE)
