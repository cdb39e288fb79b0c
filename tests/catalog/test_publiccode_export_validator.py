"""Every exported publiccode.yml passes the official validator with no error and no warning, and loses nothing.

What is exported:
- every solution of the demo data (catalog/demo/), whatever its publication status;
- every real publiccode.yml of ../shared/data/publiccode-real/ that the standard accepts (other people's files: read
  there, never copied), imported as the management command does and exported again.
Each solution is exported twice: as people of member bodies get it (with the contact people) and as anyone else
does (the owner body as the contact).

The oracle is a build of the official validator (publiccode-parser-go), found through the PUBLICCODE_PARSER
environment variable or at ../shared/tools/publiccode-parser, run as `publiccode-parser -json -no-external-checks
FILE`; an export passes when its answer is an empty list: no error, and no warning (deprecated keys, an old version).

For the real files, two more properties, which need the files but not the validator:
- import → export → import changes nothing (every field of the solution, its categories, tags, releases, owner);
- original → export loses nothing the standard defines: each value of the original, brought to the current standard
  by `upgrade.current_standard` (the documented version upgrades), is in the export at the same place.

Without the validator or the files the tests are skipped with the reason; in CI (CI or REQUIRE_SERVICES set) they
fail instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import transaction

from catalog.models import Solution
from catalog.publiccode import parse_publiccode
from catalog.publiccode.export import export_publiccode
from catalog.publiccode.parser import language_key
from catalog.publiccode.services import import_publiccode
from catalog.publiccode.upgrade import current_standard

from .. import services
from .test_publiccode_export import seed_demo, snapshot

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = Path(os.environ.get("PUBLICCODE_PARSER") or ROOT.parent / "shared" / "tools" / "publiccode-parser")
REAL_FILES = ROOT.parent / "shared" / "data" / "publiccode-real"


def _need(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("CI") or services.require_services():
        pytest.fail(f"required in CI, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def validator() -> Path:
    _need(VALIDATOR.is_file() and os.access(VALIDATOR, os.X_OK), f"the official validator is not at {VALIDATOR}")
    return VALIDATOR


@pytest.fixture(scope="module")
def real_files() -> list[Path]:
    """The real files the standard accepts (the parity test holds the portal's verdict to the validator's)."""
    paths = sorted(REAL_FILES.glob("*.yml")) if REAL_FILES.is_dir() else []
    _need(bool(paths), f"no real publiccode.yml files in {REAL_FILES}")
    return [path for path in paths if parse_publiccode(path.read_bytes()).ok]


def validator_entries(validator: Path, text: str) -> list[dict[str, Any]]:
    """The validator's errors and warnings about `text` (an empty list: a clean file)."""
    with tempfile.NamedTemporaryFile(suffix=".yml") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        out = subprocess.run([str(validator), "-json", "-no-external-checks", handle.name],
                             capture_output=True, text=True, timeout=60, check=False)
    return json.loads(out.stdout or "null") or []


def exports(solution: Solution) -> Iterator[tuple[str, str]]:
    yield "with contacts", export_publiccode(solution, include_contacts=True)
    yield "public", export_publiccode(solution)


def complaints(validator: Path, label: str, solution: Solution) -> list[str]:
    found = []
    for variant, text in exports(solution):
        for entry in validator_entries(validator, text):
            found.append(f"{label} ({variant}): {entry['type']} at {entry['key']}: {entry['description']}")
    return found


def imported(path: Path) -> Solution:
    result = import_publiccode(path.read_bytes(), by=None)
    assert result.ok, f"{path.name}: {result.errors}"
    assert result.solution is not None
    return Solution.objects.select_related("owner").get(pk=result.solution.pk)


@pytest.fixture
def each_real_file(real_files: list[Path]) -> Iterator[Any]:
    """Runs a check on every real file, each imported into the database as it was before (two files may describe
    the same repository), and gathers what it reports."""

    def run(check: Any) -> list[str]:
        found: list[str] = []
        for path in real_files:
            with transaction.atomic():
                found += check(path, imported(path))
                transaction.set_rollback(True)
        return found

    yield run


# --- the official validator's verdict on every export ---------------------------------------------------------------

def test_every_demo_solution_exports_with_no_error_and_no_warning(validator):
    seed_demo()
    solutions = list(Solution.objects.select_related("owner").order_by("slug"))
    assert len(solutions) >= 10
    found = [problem for solution in solutions for problem in complaints(validator, solution.slug, solution)]
    assert found == [], "\n".join(found)


def test_every_real_file_imported_then_exported_passes_with_no_error_and_no_warning(validator, real_files,
                                                                                   each_real_file):
    # The files the validator accepts are the ones imported here, all of them.
    accepted = [path for path in sorted(REAL_FILES.glob("*.yml")) if not any(
        entry["type"] == "error" for entry in validator_entries(validator, path.read_text("utf-8")))]
    assert [p.name for p in real_files] == [p.name for p in accepted]
    assert len(real_files) >= 20

    found = each_real_file(lambda path, solution: complaints(validator, path.name, solution))
    assert found == [], "\n".join(found)


# --- import → export → import ---------------------------------------------------------------------------------------

def test_importing_the_export_of_a_real_file_changes_nothing(each_real_file):
    def check(path: Path, solution: Solution) -> list[str]:
        found = []
        for variant, text in exports(solution):
            before = snapshot(solution)
            result = import_publiccode(text.encode("utf-8"), by=None)
            if not result.ok or result.created:
                found.append(f"{path.name} ({variant}): {result.errors or 'a new solution'}")
                continue
            after = snapshot(solution)
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            if changed:
                found.append(f"{path.name} ({variant}): {changed}")
        return found

    found = each_real_file(check)
    assert found == [], "\n".join(found)


# --- original → export ----------------------------------------------------------------------------------------------

_ABSENT = object()
# Lists that are sets: the catalogue keeps categories as a set (a category named twice is there once). `supports`
# is compared by its ids: the export writes the national platforms (the solution's own fields) first.
_SETS = {"categories"}


def _plain(value: Any) -> Any:
    """A scalar as the comparison sees it: surrounding white space is not content (the import trims one-line texts;
    a folded YAML text ends with a line break), a date is its ISO form."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _empty(value: Any) -> bool:
    """An empty value says nothing: the export leaves it out (`phone: ""`, `version:`, `features: []`)."""
    return value is None or (isinstance(value, str | dict | list) and not value)


def _languages(description: Any) -> Any:
    """The Italian and English descriptions under `it` and `en`, where the export writes them (an original `IT` or
    `it-IT` section is that one)."""
    if not isinstance(description, dict):
        return description
    renamed = {}
    for primary in ("it", "en"):
        key = language_key(description, primary)
        if key is not None:
            renamed[key] = primary
    return {renamed.get(key, key): value for key, value in description.items()}


def lost(original: Any, exported: Any, path: str = "") -> list[str]:
    """Where `exported` lacks a value of `original`, or holds another one."""
    if _empty(original):
        return []
    if exported is _ABSENT:
        return [f"{path}: missing (was {original!r})"]
    if isinstance(original, dict):
        if not isinstance(exported, dict):
            return [f"{path}: {original!r} became {exported!r}"]
        if path == "description":
            original, exported = _languages(original), _languages(exported)
        found = []
        for key, value in original.items():
            found += lost(value, exported.get(key, _ABSENT), f"{path}.{key}" if path else str(key))
        return found
    if isinstance(original, list) and path == "supports":
        ids = {item.get("id") for item in exported if isinstance(item, dict)} if isinstance(exported, list) else set()
        return [f"supports: {item!r} missing" for item in original if item.get("id") not in ids]
    if isinstance(original, list) and any(isinstance(item, dict) for item in original):
        if not isinstance(exported, list):
            return [f"{path}: {original!r} became {exported!r}"]
        found = []
        for index, item in enumerate(original):
            found += lost(item, exported[index] if index < len(exported) else _ABSENT, f"{path}[{index}]")
        return found
    if isinstance(original, list):
        mine = [_plain(v) for v in original]
        theirs = [_plain(v) for v in exported] if isinstance(exported, list) else []
        if path in _SETS:
            mine, theirs = sorted(set(mine), key=str), sorted(set(theirs), key=str)
        return [] if mine == theirs else [f"{path}: {original!r} became {exported!r}"]
    return [] if _plain(original) == _plain(exported) else [f"{path}: {original!r} became {exported!r}"]


def test_lost_finds_what_an_export_misses():
    original = {"name": "A", "categories": ["b", "a"], "description": {"IT": {"features": ["x"]}},
                "supports": [{"id": "alias:gdpr"}], "maintenance": {"contacts": [{"name": "N", "email": "e@x.it"}]}}
    same = {"name": "A ", "categories": ["a", "b"], "description": {"it": {"features": ["x"]}},
            "supports": [{"id": "alias:spid"}, {"id": "alias:gdpr"}],
            "maintenance": {"contacts": [{"name": "N", "email": "e@x.it", "phone": "1"}]}, "usedBy": ["Z"]}
    assert lost(original, same) == []
    worse = {"name": "B", "categories": ["a"], "description": {"it": {"features": ["y"]}}, "supports": [],
             "maintenance": {"contacts": [{"name": "N"}]}}
    assert [problem.split(":")[0] for problem in lost(original, worse)] == [
        "name", "categories", "description.it.features", "supports", "maintenance.contacts[0].email"]


def test_the_export_of_a_real_file_keeps_every_value_the_standard_defines(each_real_file):
    def check(path: Path, solution: Solution) -> list[str]:
        parsed = parse_publiccode(path.read_bytes())
        assert parsed.data is not None
        exported = yaml.safe_load(export_publiccode(solution, include_contacts=True))
        return [f"{path.name}: {problem}" for problem in lost(current_standard(parsed.data), exported)]

    found = each_real_file(check)
    assert found == [], "\n".join(found)
