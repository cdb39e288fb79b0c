"""manage.py import_publiccode: exit 0 when imported, otherwise non-zero with every error on stderr."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Solution

from .publiccode_helpers import FILES

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_publiccode", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_valid_file_is_imported_and_the_slug_printed(pesaro):
    out, _err = run(str(FILES / "v0_2_it_riuso.yml"))
    assert out.strip() == "Soluzione creata: sportello-tributi-online"
    assert Solution.objects.get(slug="sportello-tributi-online").owner == pesaro


def test_importing_the_same_file_again_updates_it(pesaro):
    run(str(FILES / "v0_2_it_riuso.yml"))
    out, _err = run(str(FILES / "v0_2_it_riuso.yml"))
    assert out.strip() == "Soluzione aggiornata: sportello-tributi-online"
    assert Solution.objects.count() == 1


@pytest.mark.parametrize("code", ["c_d488", "041013", "fano"])
def test_the_owner_may_be_named_by_ipa_code_istat_code_or_slug(fano, code):
    run(str(FILES / "v0_4_owner_by_argument.yml"), "--owner", code)
    assert Solution.objects.get().owner == fano


def test_a_dry_run_writes_nothing():
    out, _err = run(str(FILES / "v0_2_it_riuso.yml"), "--dry-run")
    assert "nulla è stato salvato" in out and "verrebbe creata" in out
    assert Solution.objects.count() == 0


def test_an_invalid_file_exits_non_zero_with_every_error_on_stderr():
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_publiccode", str(FILES / "invalid_many_errors.yml"), stdout=StringIO(), stderr=err)
    assert refused.value.returncode != 0
    lines = err.getvalue().splitlines()
    assert "legal.license: licenza non valida: «Licenza-Comunale-1.0»; indicare un identificativo o un'espressione " \
           "SPDX (es. EUPL-1.2, AGPL-3.0-or-later, MIT OR Apache-2.0)" in lines
    assert any(line.startswith("releaseDate: data non valida") for line in lines)
    assert len(lines) >= 15
    assert "nessuna modifica" in str(refused.value)
    assert Solution.objects.count() == 0


def test_a_file_naming_no_public_body_is_accepted_for_its_repository_organisation():
    from catalog.models import Solution

    call_command("import_publiccode", str(FILES / "v0_4_owner_by_argument.yml"), stdout=StringIO(), stderr=StringIO())
    owner = Solution.objects.get(repository_url__contains="albo").owner
    assert (owner.kind, owner.is_member) == ("terzo", False)


def test_an_unknown_owner_option_is_refused():
    with pytest.raises(CommandError, match="Nessun ente"):
        run(str(FILES / "v0_4_owner_by_argument.yml"), "--owner", "c_zzzz")


def test_a_missing_file_is_refused():
    with pytest.raises(CommandError, match="Impossibile leggere"):
        run(str(FILES / "non-esiste.yml"))


def test_warnings_are_printed_but_the_import_succeeds(tmp_path, pesaro):
    raw = (FILES / "v0_4_owner_by_argument.yml").read_text().replace("categories:\n  - document-management\n", "")
    path = tmp_path / "publiccode.yml"
    path.write_text(raw)
    out, err = run(str(path), "--owner", "c_g479")
    assert out.startswith("Soluzione creata")
    assert "categories" in err


def test_the_command_line_exit_code_is_one_for_a_refused_file(tmp_path):
    """Through the real command line (a refused file is caught before any database access)."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    path = tmp_path / "publiccode.yml"
    path.write_bytes(b"- non\n- una\n- mappa\n")
    done = subprocess.run(
        [sys.executable, "manage.py", "import_publiccode", str(path), "--dry-run"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path / "var"),
             "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"},
    )
    assert done.returncode == 1
    assert "publiccodeYmlVersion: il file deve contenere una sezione di chiavi" in done.stderr
