"""Load the demo data: bodies' people, solutions, adoptions and more. Idempotent: running it twice changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from cstportal.notifications.services import recorded_without_sending


class Command(BaseCommand):
    help = "Carica i dati dimostrativi (persone, soluzioni, adozioni). Si può rieseguire senza duplicare nulla."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true", help="Esegue anche con DEBUG disattivato.")

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo crea utenti con una password nota: con DEBUG disattivato serve --force."
            )
        # The demo's events happened in the past: their notices carry their own dates and nobody is e-mailed now.
        with transaction.atomic(), recorded_without_sending():
            for dotted in settings.DEMO_SEEDERS:
                seed = import_string(dotted)
                summary = seed(password=settings.DEMO_PASSWORD)
                if summary:
                    self.stdout.write(f"- {summary}")
        self.stdout.write(self.style.SUCCESS("Dati dimostrativi pronti."))
