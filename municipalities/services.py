"""The only code that changes the registry of bodies."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .models import Body
from .registry import conflicts_with_database, parse_bodies_csv, upsert_bodies


@dataclass
class BodiesImport:
    """What an import did (or, with dry_run, would do); `errors` non-empty means nothing was written."""

    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def import_bodies(*, raw: bytes, dry_run: bool = False) -> BodiesImport:
    """Upsert the comuni of a registry CSV by ISTAT code.

    The whole file is validated first (format, codes, duplicates, populations, IPA codes held by other bodies); any
    error means nothing is written. Otherwise every row is written in this one transaction; with `dry_run` the
    transaction is rolled back, so the counts say what would change. Running it twice on the same file changes
    nothing the second time.
    """
    parsed = parse_bodies_csv(raw)
    # The rows that passed the format checks are also checked against the database, so one run reports everything.
    errors = sorted(parsed.errors + conflicts_with_database(parsed, body_model=Body), key=lambda e: e.line)
    if errors:
        return BodiesImport(errors=errors, dry_run=dry_run)
    created, updated, unchanged = upsert_bodies(parsed.rows, body_model=Body)
    if dry_run:
        transaction.set_rollback(True)
    return BodiesImport(created=created, updated=updated, unchanged=unchanged, dry_run=dry_run)
