"""Demo data for the reports, and report files kept in a temporary MEDIA_ROOT."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Adoption, Solution
from tests.factories import AdoptionFactory, SolutionFactory


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def _run_seeders(password: str) -> None:
    for dotted in ("municipalities.demo.seed", "catalog.demo.solutions.seed", "catalog.demo.adoptions.seed"):
        module_name, func = dotted.rsplit(".", 1)
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        getattr(module, func)(password=password)


@pytest.fixture
def demo_data(db, pesaro, fano, urbino, frontino):
    """The demo seeders' data; where they leave no adoptions in production, a few are added so that every table
    of the report has rows."""
    _run_seeders("Demo-Password-2026")
    solutions = list(Solution.objects.published().exclude(owner=fano).exclude(owner=urbino)[:2])
    while len(solutions) < 2:
        solutions.append(SolutionFactory(owner=pesaro, name=f"Tributi comunali {len(solutions) + 1}"))
    if not Adoption.objects.in_production().exists():
        now = timezone.now()
        for solution, body in ((solutions[0], fano), (solutions[0], urbino), (solutions[1], frontino)):
            if body.pk == solution.owner_id or Adoption.objects.active().filter(solution=solution, body=body).exists():
                continue
            AdoptionFactory(
                solution=solution, body=body, status="in_production", requested_at=now - dt.timedelta(days=40),
                in_production_at=now - dt.timedelta(days=10), status_changed_at=now,
                estimated_cost=Decimal("12000"), actual_cost=Decimal("3000"),
            )
    return solutions
