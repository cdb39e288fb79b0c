"""`manage.py relay_outbox [--loop]`: publish the due rows of every outbox (e-mail deliveries, reports) to Celery.

Without --loop it makes one pass (useful from cron or by hand); with --loop it keeps going until SIGTERM/SIGINT,
a small process to run next to the workers in production (one or more: they share rows with SKIP LOCKED).
"""

from __future__ import annotations

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from cstportal.notifications.relay import relay_outbox


class Command(BaseCommand):
    help = "Pubblica su Celery il lavoro in attesa: invii di notifiche e rapporti (una volta, o di continuo con --loop)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Continua finché non riceve SIGTERM o SIGINT.")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Secondi di attesa tra un passaggio e l'altro (predefinito: NOTIFICATION_RELAY_INTERVAL_SECONDS).",
        )
        parser.add_argument("--limit", type=int, default=None, help="Righe al massimo per passaggio.")

    def handle(self, *args, loop: bool, interval: float | None, limit: int | None, **options) -> None:
        interval = settings.NOTIFICATION_RELAY_INTERVAL_SECONDS if interval is None else interval
        if not loop:
            result = relay_outbox(limit=limit)
            self._report(result)
            return
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            try:
                result = relay_outbox(limit=limit)
            except Exception as exc:  # the database may be briefly unavailable: keep looping
                self.stderr.write(f"relay_outbox: {exc.__class__.__name__}: {exc}")
                result = None
            else:
                if result.published or result.error:
                    self._report(result)
            full_batch = (
                result is not None and not result.error and result.count >= (limit or settings.NOTIFICATION_RELAY_BATCH)
            )
            if not full_batch:
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(0.2, interval))

    def _report(self, result) -> None:
        line = f"{result.count} invii pubblicati"
        if result.error:
            line += f", {len(result.unpublished)} in attesa (broker non raggiungibile: {result.error})"
        self.stdout.write(line)
        self.stdout.flush()
