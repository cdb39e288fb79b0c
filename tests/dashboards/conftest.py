"""A known set of solutions and adoptions whose every figure is computed by hand in the tests, on a frozen clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from catalog.models import Category
from municipalities.models import Body
from tests.factories import AdoptionFactory, BodyFactory, SolutionFactory

ROME = ZoneInfo("Europe/Rome")
# A Monday: five working days earlier is Monday 23 February 2026, 12:00.
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=ROME)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ROME)


@pytest.fixture(autouse=True)
def _fresh_stats_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def eager_celery():
    """A queued task runs at once in this process, as if a worker had taken it: a view that finds its figures stale
    queues their refresh (catalog.dashboards.stats), which has then stored them before the view answers."""
    from cstportal.celery import app

    eager = {"task_always_eager": True, "task_eager_propagates": True}
    saved = {key: app.conf[key] for key in eager}
    app.conf.update(eager)
    yield
    app.conf.update(saved)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _adoption(solution, body, status, requested, *, production=None, estimated=None, actual=None, changed=None):
    return AdoptionFactory(
        solution=solution, body=body, owner_body=solution.owner, status=status, requested_at=at(requested),
        in_production_at=at(production) if production else None, status_changed_at=at(changed or requested),
        estimated_cost=Decimal(estimated) if estimated is not None else None,
        actual_cost=Decimal(actual) if actual is not None else None,
    )


@pytest.fixture
def known(frozen_now, pesaro, fano, urbino, frontino):
    """Three published solutions (two software by Pesaro and Fano, one service by a union of comuni), one draft, one retired; ten adoptions.

    | id  | solution | adopter   | status        | requested  | production | est.   | actual | days |
    | A1  | S1       | Fano      | in_production | 2026-01-05 | 2026-01-15 | 10000  | 4000   | 10   |
    | A2  | S1       | Urbino    | in_production | 2026-01-10 | 2026-02-09 | 5000   | —      | 30   |
    | A3  | S1       | Frontino  | in_production | 2026-02-01 | 2026-02-21 | 3000   | 500    | 20   |
    | A4  | S2 (svc) | Frontino  | in_production | 2026-02-03 | 2026-02-07 | 2000   | 2500   | 4    |
    | A5  | S3       | Pesaro    | requested     | 2026-02-10 (waiting since then)                          |
    | A6  | S3       | Urbino    | rejected      | 2026-01-20 |                                             |
    | A7  | S2 (svc) | Provincia | in_production | 2026-02-15 | 2026-02-25 | —      | —      | 10   |
    | A8  | S3       | Frontino  | requested     | 2026-03-01 (not waiting long enough)                     |
    | A9  | S2 (svc) | Urbino    | retired       | 2026-01-02 | 2026-01-30 |        |        | 28   |
    | A10 | S2 (svc) | Fano      | approved      | 2026-02-20 |                                             |
    """
    province = Body.objects.get(kind="provincia")
    cats = {code: Category.objects.get(code=code) for code in ("accounting", "budgeting", "cloud-management")}
    s1 = SolutionFactory(name="Tributi locali", owner=pesaro, kind="software", published_at=at("2025-06-01"))
    s1.categories.set([cats["accounting"], cats["budgeting"]])
    union = BodyFactory(name="Unione montana del Montefeltro", slug="unione-montana-montefeltro")
    s2 = SolutionFactory(name="Virtualizzazione dei server", owner=union, kind="service",
                         published_at=at("2026-02-10"))
    s2.categories.set([cats["cloud-management"]])
    s3 = SolutionFactory(name="Catasto ELICAT", owner=fano, kind="software", published_at=at("2025-09-01"))
    s3.categories.set([cats["accounting"]])
    draft = SolutionFactory(name="Bozza", owner=pesaro, status="draft", published_at=None)
    draft.categories.set([cats["budgeting"]])
    SolutionFactory(name="Ritirata", owner=pesaro, status="retired")

    a = SimpleNamespace(s1=s1, s2=s2, s3=s3, province=province)
    a.a1 = _adoption(s1, fano, "in_production", "2026-01-05", production="2026-01-15", estimated="10000",
                     actual="4000", changed="2026-01-15")
    a.a2 = _adoption(s1, urbino, "in_production", "2026-01-10", production="2026-02-09", estimated="5000",
                     changed="2026-02-09")
    a.a3 = _adoption(s1, frontino, "in_production", "2026-02-01", production="2026-02-21", estimated="3000",
                     actual="500", changed="2026-02-21")
    a.a4 = _adoption(s2, frontino, "in_production", "2026-02-03", production="2026-02-07", estimated="2000",
                     actual="2500", changed="2026-02-07")
    a.a5 = _adoption(s3, pesaro, "requested", "2026-02-10")
    a.a6 = _adoption(s3, urbino, "rejected", "2026-01-20")
    a.a7 = _adoption(s2, province, "in_production", "2026-02-15", production="2026-02-25", changed="2026-02-25")
    a.a8 = _adoption(s3, frontino, "requested", "2026-03-01")
    a.a9 = _adoption(s2, urbino, "retired", "2026-01-02", production="2026-01-30", changed="2026-02-15")
    a.a10 = _adoption(s2, fano, "approved", "2026-02-20", changed="2026-02-22")
    return a
