"""Fixtures of the harvest tests: real bare repositories under an allowed local root, a valid publiccode.yml of
Pesaro's, and a helper that harvests a source as a worker would (claim, read, write)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.catalog.publiccode_helpers import dump, valid_doc

from .gitrepos import SourceRepo


def _png(size: tuple[int, int] = (32, 32), colour: str = "#0066cc") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


LOGO = _png()


def publiccode(**changes: Any) -> bytes:
    """Pesaro's Protocollo Informatico, with top-level keys changed (None removes one)."""
    changes = {"url": "https://code.cstpu.example/pesaro/protocollo.git", "logo": "img/logo.png", **changes}
    doc = valid_doc(**changes)
    return dump(doc)


@pytest.fixture
def harvest_dirs(settings, tmp_path):
    settings.HARVEST_CACHE_DIR = tmp_path / "cache"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HARVEST_LOCAL_ROOTS = [str(tmp_path / "sources")]
    settings.FETCH_ALLOWED_HOSTS = []
    settings.HARVEST_TIMEOUT_SECONDS = 30
    settings.HARVEST_NOW_MIN_SECONDS = 60
    return tmp_path


@pytest.fixture
def protocollo(harvest_dirs) -> SourceRepo:
    """Pesaro's repository: a valid publiccode.yml (softwareVersion 5.2), its logo, and the tag v5.2."""
    repo = SourceRepo(harvest_dirs / "sources", "protocollo")
    repo.commit({"publiccode.yml": publiccode(), "img/logo.png": LOGO, "src/app.py": "print('protocollo')\n"},
                message="Prima versione")
    repo.tag("v5.2")
    return repo


def harvest(source):
    """Queue a run of `source` and run it in this process, as a worker would; returns the finished run."""
    from catalog.harvest import services

    run = services._queue_run(source, trigger="command")
    done = services.run_harvest(run_id=run.pk)
    assert done is not None
    source.refresh_from_db()
    return done


@pytest.fixture
def english_catalogue(settings):
    """The English translations compiled and read afresh (Django keeps those it has read for the process)."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)
