"""The settings module reads top to bottom once: each setting assigned once, no list or dict changed after the fact,
every import at the top. The benchmark's reference view exists only under the benchmark's own settings."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "cstportal" / "settings.py"


def _module() -> ast.Module:
    return ast.parse(SETTINGS.read_text())


def test_each_setting_is_assigned_once():
    names: list[str] = []
    for node in ast.walk(_module()):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    # An if/else that picks one of two values assigns the name once on each branch.
    branches = {"EMAIL_BACKEND", "CACHES", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
                "CELERY_BROKER_TRANSPORT_OPTIONS"}
    twice = {name for name in names if names.count(name) > 1} - branches
    assert twice == set()


def test_no_setting_is_changed_after_it_is_defined():
    changes = [
        node for node in ast.walk(_module())
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"append", "insert", "update", "extend", "remove", "setdefault"}
    ]
    subscript_writes = [
        node for node in ast.walk(_module())
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Subscript) for t in node.targets)
    ]
    assert changes == [] and subscript_writes == []


def test_imports_are_at_the_top():
    body = _module().body
    first_other = next(i for i, node in enumerate(body)
                       if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr))
    late = [node.lineno for node in body[first_other:] if isinstance(node, ast.Import | ast.ImportFrom)]
    assert late == []


def _bare_status(settings_module: str) -> str:
    code = ("import django; django.setup(); from django.test import Client; "
            "print(Client().get('/_bench/bare/').status_code)")
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": settings_module}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    return done.stdout.strip().splitlines()[-1]


def test_the_reference_view_exists_only_under_the_benchmark_settings():
    assert _bare_status("bench.settings") == "200"
    assert _bare_status("cstportal.settings") == "404"
