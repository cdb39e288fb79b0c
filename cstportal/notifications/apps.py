from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def compile_own_translations() -> int:
    """Compile this app's .po files into .mo when missing or stale; returns how many were written.

    The project's compile_translations command covers the top-level locale folders only; the notifications ship
    their English e-mail texts with the app, so the app keeps its own catalogue compiled. Written atomically
    (several processes may start at once); a read-only install simply keeps what it has.
    """
    import polib

    written = 0
    for po_path in LOCALE_DIR.glob("*/LC_MESSAGES/django.po"):
        mo_path = po_path.with_suffix(".mo")
        try:
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            os.close(fd)
            polib.pofile(str(po_path)).save_as_mofile(tmp)
            os.replace(tmp, mo_path)
            written += 1
        except OSError as exc:
            logger.warning("cannot compile %s: %s", po_path, exc)
    if written:
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
    return written


class NotificationsConfig(AppConfig):
    name = "cstportal.notifications"
    label = "notifications"
    verbose_name = _("Notifiche")

    def ready(self) -> None:
        compile_own_translations()
