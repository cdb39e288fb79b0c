"""manage.py harvest [URL ...]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from catalog.harvest import services
from catalog.harvest.presentation import describe_change
from catalog.models import HarvestRun, Source
from cstportal.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Raccoglie subito le sorgenti indicate (registrando, per l'ente indicato dal loro publiccode.yml, quelle "
        "che non lo sono ancora) oppure, senza indirizzi, ogni sorgente la cui raccolta è dovuta. Esce con 1 se "
        "una raccolta non riesce."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="*", metavar="URL",
                            help="indirizzo di un repository git o di un file publiccode.yml")

    def handle(self, *args, **options) -> None:
        sources: list[Source] = []
        for url in options["urls"]:
            source = services.find_source(url)
            if source is None:
                try:
                    source = services.register_source(url=url, by=None, body=None)
                except ServiceError as refused:
                    raise CommandError(f"{url}: {refused.message}")
                self.stdout.write(_("Sorgente registrata: %(url)s") % {"url": source.url})
            sources.append(source)
        if not options["urls"]:
            services.queue_due_harvests()
            due = HarvestRun.objects.filter(status=HarvestRun.Status.QUEUED).values_list("source_id", flat=True)
            sources = list(Source.objects.filter(pk__in=list(due)).order_by("pk"))
        failed = 0
        for run in services.harvest_at_once(sources):
            self.stdout.write(f"{run.source.url}: {run.get_outcome_display()}")
            for change in run.changes:
                self.stdout.write(f"  {describe_change(change)}")
            for path, message in run.error_messages():
                self.stderr.write(f"  {path or '-'}: {message}")
            failed += run.outcome in (HarvestRun.Outcome.FAILED, HarvestRun.Outcome.INVALID)
        if failed:
            raise CommandError(_("%(count)d raccolte non riuscite.") % {"count": failed})
