"""manage.py import_bodies FILE.csv — add or update the comuni of the registry from an ISTAT-style CSV file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from municipalities.registry import REQUIRED_COLUMNS
from municipalities.services import import_bodies


class Command(BaseCommand):
    help = (
        "Importa gli enti da un file CSV (colonne: " + ", ".join(REQUIRED_COLUMNS) + "), aggiornandoli per codice "
        "ISTAT. Se il file contiene errori li elenca riga per riga e non scrive nulla."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Il file CSV, codificato in UTF-8.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Controlla il file e dice cosa cambierebbe, senza scrivere nulla."
        )

    def handle(self, *args, file: str, dry_run: bool = False, **options) -> None:
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Impossibile leggere il file %(path)s: %(reason)s.") % {"path": path, "reason": exc.strerror or exc}
            )
        result = import_bodies(raw=raw, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                ngettext(
                    "Il file %(path)s contiene %(count)d errore: nessun ente è stato importato o modificato.",
                    "Il file %(path)s contiene %(count)d errori: nessun ente è stato importato o modificato.",
                    len(result.errors),
                )
                % {"path": path, "count": len(result.errors)}
            )
        summary = _("creati %(created)d, aggiornati %(updated)d, invariati %(unchanged)d") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if dry_run:
            self.stdout.write(_("Prova senza scrivere: %(summary)s. Nessuna modifica salvata.") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(_("Enti importati: %(summary)s.") % {"summary": summary}))
