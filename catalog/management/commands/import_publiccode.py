"""manage.py import_publiccode FILE [--owner CODE] [--dry-run]"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.publiccode.services import import_publiccode
from municipalities.models import Body


class Command(BaseCommand):
    help = "Importa (o aggiorna) una soluzione da un file publiccode.yml. Con errori non scrive nulla ed esce con 1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="percorso del file publiccode.yml")
        parser.add_argument("--owner", help="ente titolare: codice IPA, codice ISTAT o slug (se il file non lo indica)")
        parser.add_argument("--dry-run", action="store_true", help="verifica soltanto, senza salvare")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                # One byte over the limit is enough for the parser to refuse the file as too large.
                raw = handle.read(settings.PUBLICCODE_MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(_("Impossibile leggere %(path)s: %(error)s") % {"path": path, "error": exc.strerror})

        owner = None
        if options["owner"]:
            code = options["owner"].strip()
            owner = Body.objects.filter(Q(ipa_code__iexact=code) | Q(istat_code=code) | Q(slug=code)).first()
            if owner is None:
                raise CommandError(_("Nessun ente con codice IPA, codice ISTAT o slug «%(code)s».") % {"code": code})

        result = import_publiccode(raw, by=None, owner=owner, dry_run=options["dry_run"])
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Importazione rifiutata: %(count)d errori, nessuna modifica salvata.") % {
                "count": len(result.errors)})

        for warning in result.warnings:
            self.stderr.write(_("attenzione, %(warning)s") % {"warning": warning})
        solution = result.solution
        if result.dry_run:
            verb = _("verrebbe creata") if result.created else _("verrebbe aggiornata")
            self.stdout.write(_("Verifica riuscita, nulla è stato salvato: la soluzione %(verb)s (%(slug)s).") % {
                "verb": verb, "slug": solution.slug})
        else:
            verb = _("creata") if result.created else _("aggiornata")
            self.stdout.write(_("Soluzione %(verb)s: %(slug)s") % {"verb": verb, "slug": solution.slug})
