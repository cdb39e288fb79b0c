"""Compile every locale/*/LC_MESSAGES/*.po of the project into .mo files (pure Python: no gettext needed)."""

from __future__ import annotations

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compila le traduzioni (.po → .mo) del progetto e delle sue app."

    def handle(self, *args, **options) -> None:
        base = Path(settings.BASE_DIR)
        roots = [base / "locale"] + [
            path
            for package in ("cstportal", "municipalities", "catalog")
            for path in (base / package).rglob("locale")
            if path.is_dir()
        ]
        count = 0
        for root in roots:
            for po_path in root.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                # Written aside and renamed: a process reading the catalogue meanwhile (a parallel test worker, a
                # running server) sees the old file or the new one, never half of one.
                partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
                polib.pofile(str(po_path)).save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                count += 1
        self.stdout.write(f"{count} file di traduzione compilati.")
