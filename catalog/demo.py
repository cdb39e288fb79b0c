"""Demo solutions, releases and adoptions of the catalogue."""

from __future__ import annotations


def seed(*, password: str) -> str:
    return ""
