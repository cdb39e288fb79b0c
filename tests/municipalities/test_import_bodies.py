"""`manage.py import_bodies` upserts by ISTAT code, is idempotent, and refuses a bad file whole."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from municipalities.models import Body
from municipalities.registry import REQUIRED_COLUMNS, SHIPPED_CSV
from municipalities.services import import_bodies

pytestmark = pytest.mark.django_db

HEADER = ",".join(REQUIRED_COLUMNS)
# A valid change (Pesaro's population) on line 2, so a refused file proves that even valid lines were not written.
VALID_CHANGE = "041044,Pesaro,G479,c_g479,97000"


def _snapshot() -> list[tuple]:
    return list(Body.objects.order_by("pk").values_list(
        "pk", "istat_code", "ipa_code", "belfiore_code", "name", "slug", "kind", "population", "is_active"
    ))


def _write(tmp_path, content: bytes | str, name: str = "enti.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bodies", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(tmp_path, content) -> str:
    """Run the command on a bad file; assert it fails and wrote nothing; return what it said on stderr."""
    before = _snapshot()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_bodies", str(_write(tmp_path, content)), stdout=out, stderr=err)
    assert "nessun ente è stato importato o modificato" in str(failure.value)
    assert _snapshot() == before
    assert out.getvalue() == ""
    return err.getvalue()


# --- good files -------------------------------------------------------------------------------------------------


def test_reimporting_the_shipped_file_changes_nothing():
    before = _snapshot()
    out, err = _run(SHIPPED_CSV)
    assert "creati 0, aggiornati 0, invariati 50" in out
    assert err == ""
    assert _snapshot() == before


def test_import_creates_updates_and_is_idempotent(tmp_path):
    path = _write(tmp_path, "\n".join([
        HEADER,
        VALID_CHANGE,
        "041017,Frontino,D807,c_d807,288",
        "041099,Nuovo Comune di Prova,Z999,c_z999,1234",
    ]) + "\n")
    out, _ = _run(path)
    assert "creati 1, aggiornati 1, invariati 1" in out
    assert Body.objects.get(istat_code="041044").population == 97000
    new = Body.objects.get(istat_code="041099")
    assert (new.name, new.kind, new.slug, new.size_class) == ("Nuovo Comune di Prova", "comune",
                                                             "nuovo-comune-di-prova", "s")
    before = _snapshot()
    out, _ = _run(path)
    assert "creati 0, aggiornati 0, invariati 3" in out
    assert _snapshot() == before


def test_dry_run_reports_without_writing(tmp_path):
    path = _write(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041099,Nuovo,Z999,,10\n")
    before = _snapshot()
    out, _ = _run(path, "--dry-run")
    assert "creati 1, aggiornati 1, invariati 0" in out
    assert "Nessuna modifica salvata" in out
    assert _snapshot() == before


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path):
    content = ("\ufeff" + HEADER + "\r\n" + VALID_CHANGE + "\r\n").encode("utf-8")
    out, _ = _run(_write(tmp_path, content))
    assert "aggiornati 1" in out


def test_a_new_comune_whose_name_is_taken_gets_a_distinct_slug(tmp_path):
    _run(_write(tmp_path, f"{HEADER}\n041098,Fano,Z998,,5\n"))
    assert Body.objects.get(istat_code="041098").slug == "fano-041098"


# --- bad files: each refused with line numbers, nothing written --------------------------------------------------


def test_wrong_column_is_refused_on_line_1(tmp_path):
    err = _refused(tmp_path, f"istat_code,nome,belfiore_code,ipa_code,population_2021\n{VALID_CHANGE}\n")
    assert "Riga 1:" in err
    assert "colonne mancanti: name" in err
    assert "colonne non previste: nome" in err


def test_missing_column_is_refused(tmp_path):
    err = _refused(tmp_path, "istat_code,name,belfiore_code,ipa_code\n041044,Pesaro,G479,c_g479\n")
    assert "Riga 1:" in err and "population_2021" in err


@pytest.mark.parametrize("code", ["41044", "0410440", "04104A", "", "０４１０４４"])
def test_bad_istat_code_is_refused_with_its_line(tmp_path, code):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n{code},Comune Sbagliato,,,100\n")
    assert "Riga 3:" in err
    assert "codice ISTAT" in err and "non valido" in err


def test_duplicate_istat_code_is_refused_naming_both_lines(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041017,Frontino,D807,c_d807,288\n"
                             "041017,Frontino bis,D807,,300\n")
    assert "Riga 4: codice ISTAT 041017 duplicato (già alla riga 3)" in err


def test_duplicate_ipa_code_in_the_file_is_refused(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041098,Uno,,c_zzzz,1\n041099,Due,,c_zzzz,2\n")
    assert "Riga 4: codice IPA c_zzzz duplicato (già alla riga 3)" in err


def test_ipa_code_of_another_body_in_the_database_is_refused(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041099,Nuovo,,p_PU,5\n")
    assert "Riga 3: il codice IPA p_PU appartiene già a un altro ente (Provincia di Pesaro e Urbino)" in err


def test_non_utf8_file_is_refused_with_the_lines_to_fix(tmp_path):
    content = (f"{HEADER}\n{VALID_CHANGE}\n").encode() + "041057,Sant'Angelo in Vado è,I287,c_i287,3949\n".encode(
        "latin-1") + b"041058,Sant'Ippolito,I354,,1478\n" + "041999,Citt\u00e0,,,1\n".encode("cp1252")
    err = _refused(tmp_path, content)
    assert "Riga 3: il testo non è codificato in UTF-8." in err
    assert "Riga 5: il testo non è codificato in UTF-8." in err
    assert "Riga 4" not in err


def test_negative_population_is_refused(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041017,Frontino,D807,c_d807,-288\n")
    assert "Riga 3: popolazione negativa (-288)." in err


def test_population_that_is_not_a_number_is_refused(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041017,Frontino,D807,c_d807,288 abitanti\n")
    assert "Riga 3:" in err and "non è un numero intero" in err


def test_a_line_with_too_many_or_too_few_fields_is_refused(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041017,Frontino,D807\n041001,Acqualagna,A035,c_a035,4294,x\n")
    assert "Riga 3: il numero di campi" in err
    assert "Riga 4: il numero di campi" in err


def test_missing_name_is_refused(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041017,  ,D807,c_d807,288\n")
    assert "Riga 3: nome mancante." in err


def test_every_error_of_the_file_is_listed_in_line_order(tmp_path):
    err = _refused(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n41017,Frontino,,,288\n041001,Acqualagna,,,-1\n"
                             "041002,Apecchio,,p_PU,1756\n")
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Riga 3", "Riga 4", "Riga 5"]


def test_an_empty_file_is_refused(tmp_path):
    assert "Riga 1:" in _refused(tmp_path, b"")


def test_a_header_without_rows_is_refused(tmp_path):
    assert "non contiene nessun ente" in _refused(tmp_path, HEADER + "\n")


def test_a_missing_file_is_reported():
    with pytest.raises(CommandError, match="Impossibile leggere il file"):
        call_command("import_bodies", "/nonexistent/enti.csv")


def test_the_command_line_exits_non_zero_and_writes_errors_on_stderr(tmp_path, capsys, monkeypatch):
    path = _write(tmp_path, f"{HEADER}\n{VALID_CHANGE}\n041017,Frontino,D807,c_d807,-1\n")
    before = _snapshot()
    # run_from_argv closes every connection when it ends; the test's own transaction must survive it.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as leaving:
        execute_from_command_line(["manage.py", "import_bodies", str(path)])
    assert leaving.value.code != 0
    captured = capsys.readouterr()
    assert "Riga 3: popolazione negativa (-1)." in captured.err
    assert captured.out == ""
    assert _snapshot() == before


def test_a_failure_while_writing_rolls_back_every_row(tmp_path, monkeypatch):
    """Validation catches what it can; if the database still refuses a row, the rows before it are undone too."""
    from municipalities import services

    calls = {"n": 0}
    real_upsert = services.upsert_bodies

    def failing_upsert(rows, *, body_model):
        real_upsert(rows[:1], body_model=body_model)
        calls["n"] += 1
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "upsert_bodies", failing_upsert)
    before = _snapshot()
    with pytest.raises(RuntimeError):
        import_bodies(raw=f"{HEADER}\n{VALID_CHANGE}\n".encode())
    assert calls["n"] == 1
    assert _snapshot() == before
