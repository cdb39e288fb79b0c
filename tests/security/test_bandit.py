"""The project's own code passes bandit at medium severity and above (migrations excluded)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).parent / "bandit"


@pytest.mark.slow
def test_bandit_finds_nothing_at_medium_severity():
    if not BANDIT.exists():
        pytest.skip("bandit is not installed in the virtual environment")
    result = subprocess.run(
        [str(BANDIT), "-q", "-r", "cstportal", "municipalities", "catalog", "-ll", "-x", "*/migrations/*"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
