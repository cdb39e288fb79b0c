"""Reading the registry of bodies from a CSV file (ISTAT list) and writing it to the database.

The same code loads the shipped list in the data migration and serves `manage.py import_bodies` (through
municipalities.services.import_bodies). The functions take the model as an argument so that the migration can pass
its historical model.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

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
    lines: list[int] = field(default_factory=list)  # the file's line number of each row, for error messages
    errors: list[str] = field(default_factory=list)


class LineError(str):
    """An error message that knows the line of the file it is about (so that messages can be merged in order)."""

    line: int


def _line_error(number: int, message: str) -> LineError:
    error = LineError(_("Riga %(line)d: %(message)s") % {"line": number, "message": message})
    error.line = number
    return error


def _decode(raw: bytes, result: ParsedRegistry) -> str | None:
    """The file as text, or None after reporting every line that is not valid UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            result.errors.append(_line_error(number, _("il testo non è codificato in UTF-8.")))
    return None


def parse_bodies_csv(raw: bytes) -> ParsedRegistry:
    """Parse and validate the whole file; every problem is reported with its line number."""
    result = ParsedRegistry()
    text = _decode(raw, result)
    if text is None:
        return result
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("colonne mancanti: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            parts.append(_("colonne non previste: %(columns)s") % {"columns": ", ".join(unknown)})
        expected = ", ".join(REQUIRED_COLUMNS)
        result.errors.append(
            _line_error(
                1,
                _("intestazione non valida (%(problems)s); le colonne attese sono: %(expected)s.")
                % {"problems": "; ".join(parts), "expected": expected},
            )
        )
        return result
    reader.fieldnames = header
    seen_istat: dict[str, int] = {}
    seen_ipa: dict[str, int] = {}
    for record in reader:
        number = reader.line_num
        if None in record or any(v is None for v in record.values()):
            result.errors.append(_line_error(number, _("il numero di campi è diverso da quello dell'intestazione.")))
            continue
        istat = record["istat_code"].strip()
        name = record["name"].strip()
        ipa = record["ipa_code"].strip()
        population_raw = record["population_2021"].strip()
        line_errors = []
        if not (len(istat) == 6 and istat.isascii() and istat.isdigit()):
            line_errors.append(_("codice ISTAT «%(code)s» non valido (servono 6 cifre)") % {"code": istat})
        elif istat in seen_istat:
            line_errors.append(
                _("codice ISTAT %(code)s duplicato (già alla riga %(line)d)") % {"code": istat, "line": seen_istat[istat]}
            )
        if not name:
            line_errors.append(_("nome mancante"))
        if ipa and ipa.lower() in seen_ipa:
            line_errors.append(
                _("codice IPA %(code)s duplicato (già alla riga %(line)d)") % {"code": ipa, "line": seen_ipa[ipa.lower()]}
            )
        population = None
        if population_raw:
            try:
                population = int(population_raw)
            except ValueError:
                line_errors.append(_("la popolazione «%(value)s» non è un numero intero") % {"value": population_raw})
            else:
                if population < 0:
                    line_errors.append(_("popolazione negativa (%(value)d)") % {"value": population})
        if line_errors:
            result.errors.append(_line_error(number, "; ".join(line_errors) + "."))
            continue
        seen_istat[istat] = number
        if ipa:
            seen_ipa[ipa.lower()] = number
        result.lines.append(number)
        result.rows.append(
            {
                "istat_code": istat,
                "name": name,
                "belfiore_code": record["belfiore_code"].strip(),
                "ipa_code": ipa,
                "population": population,
            }
        )
    if not result.rows and not result.errors:
        result.errors.append(_line_error(2, _("il file non contiene nessun ente.")))
    return result


def conflicts_with_database(parsed: ParsedRegistry, *, body_model) -> list[str]:
    """Rows whose IPA code already belongs to another body in the database (the upsert would fail on it)."""
    # The registry holds a few dozen bodies: reading their codes once is simpler than a query per row.
    holders = {
        ipa.lower(): (istat, name)
        for ipa, istat, name in body_model.objects.exclude(ipa_code="").values_list("ipa_code", "istat_code", "name")
    }
    errors = []
    for row, number in zip(parsed.rows, parsed.lines, strict=True):
        holder = holders.get(row["ipa_code"].lower()) if row["ipa_code"] else None
        if holder is not None and holder[0] != row["istat_code"]:
            errors.append(
                _line_error(
                    number,
                    _("il codice IPA %(code)s appartiene già a un altro ente (%(name)s).")
                    % {"code": row["ipa_code"], "name": holder[1]},
                )
            )
    return errors


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
            # auto_now is saved only when named; the historical model of the first migrations has no such field.
            stamp = ["updated_at"] if any(f.name == "updated_at" for f in body_model._meta.get_fields()) else []
            body.save(update_fields=[*changed, *stamp])
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged


def ensure_province(*, body_model) -> None:
    if not body_model.objects.filter(ipa_code=PROVINCE["ipa_code"]).exists():
        body_model.objects.create(**PROVINCE)
