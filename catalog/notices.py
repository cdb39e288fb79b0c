"""Who is told what. The services call these inside their transaction; each writes outbox rows, never talks to
the broker. Filled in by the notifications feature; until then they record nothing."""

from __future__ import annotations

from typing import Any


def adoption_transitioned(adoption: Any, event: Any) -> None:
    """After an adoption changed status (or was requested): tell the parties the design names."""


def adoption_commented(adoption: Any, event: Any) -> None:
    """After a comment on an adoption: tell the other party."""


def solution_status_changed(solution: Any, event: Any) -> None:
    """After submit / publish / request changes / retire of a solution."""


def release_added(release: Any) -> None:
    """After a new release: tell every body that has the solution in progress or in production."""
