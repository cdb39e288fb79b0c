"""`make run` announces and links the address the portal is really served on (WEB_BIND), not a fixed port.

Checked on the dry-run (`make -n`), which prints every command without running any."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k not in {"WEB_BIND", "SITE_URL", "MAKEFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _banner(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("echo") and "http" in line]


def _start_line(output: str) -> str:
    lines = output.splitlines()
    start = end = next(i for i, line in enumerate(lines) if "honcho" in line)
    while start > 0 and lines[start - 1].endswith("\\"):
        start -= 1
    return " ".join(lines[start : end + 1])


def _env(start_line: str, name: str) -> str:
    """The value the start command line gives to `name` (one VAR=value word)."""
    return next(word.split("=", 1)[1] for word in start_line.split() if word.startswith(f"{name}="))


def test_the_banner_shows_the_bound_address():
    banner = _banner(_dry_run("WEB_BIND=127.0.0.1:8123"))
    assert banner == [
        'echo "  Portale:        http://127.0.0.1:8123/"',
        'echo "  Documentazione API: http://127.0.0.1:8123/api/v1/docs/"',
        'echo "  Stato:          http://127.0.0.1:8123/healthz"',
    ]


def test_the_processes_are_bound_and_link_to_that_address():
    start = _start_line(_dry_run("WEB_BIND=127.0.0.1:8123"))
    assert _env(start, "WEB_BIND") == "127.0.0.1:8123"
    assert _env(start, "SITE_URL") == "http://127.0.0.1:8123/"


def test_the_address_can_come_from_the_environment():
    output = _dry_run(WEB_BIND="127.0.0.1:8124")
    assert "http://127.0.0.1:8124/healthz" in output
    assert _env(_start_line(output), "SITE_URL") == "http://127.0.0.1:8124/"


def test_by_default_the_portal_is_on_port_8000():
    output = _dry_run()
    assert 'echo "  Portale:        http://127.0.0.1:8000/"' in output
    assert _env(_start_line(output), "SITE_URL") == "http://127.0.0.1:8000/"


def test_an_explicit_site_url_is_kept():
    start = _start_line(_dry_run("WEB_BIND=127.0.0.1:8123", SITE_URL="https://riuso.cstpu.example"))
    assert _env(start, "SITE_URL") == "https://riuso.cstpu.example"
    assert _env(start, "WEB_BIND") == "127.0.0.1:8123"
