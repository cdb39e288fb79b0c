"""The dashboards' query count is pinned and does not grow with the number of adoptions."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Adoption, Solution
from municipalities.models import Body

pytestmark = pytest.mark.django_db

CLOSED = ("withdrawn", "rejected", "retired")
ACTIVE = ("in_production", "requested", "approved", "in_progress", "info_needed")


def make_adoptions(total: int, owner: Body) -> None:
    """`total` adoptions of 20 solutions by the other comuni: one active adoption per (solution, body) pair as the
    database demands, every other one closed. Inserted with bulk_create in batches."""
    solutions = Solution.objects.bulk_create(
        Solution(slug=f"volume-{i}", name=f"Volume {i}", owner=owner, kind="software" if i % 3 else "service",
                 short_description_it="x", long_description_it="x", licence="EUPL-1.2", status="published",
                 published_at=timezone.now())
        for i in range(20)
    )
    bodies = list(Body.objects.comuni().exclude(pk=owner.pk).values_list("pk", flat=True))
    pairs = list(itertools.product(solutions, bodies))
    start = timezone.now() - dt.timedelta(days=400)
    batch: list[Adoption] = []
    for n in range(total):
        solution, body_id = pairs[n % len(pairs)]
        status = ACTIVE[n % len(ACTIVE)] if n < len(pairs) else CLOSED[n % len(CLOSED)]
        requested = start + dt.timedelta(hours=n % 9000)
        reached = status in ("in_production", "retired")
        batch.append(Adoption(
            solution=solution, body_id=body_id, owner_body=owner, status=status, requested_at=requested,
            status_changed_at=requested, in_production_at=requested + dt.timedelta(days=n % 60) if reached else None,
            estimated_cost=Decimal(1000 + n % 500) if reached else None,
            actual_cost=Decimal(n % 700) if reached else None,
        ))
        if len(batch) == 5000:
            Adoption.objects.bulk_create(batch)
            batch = []
    Adoption.objects.bulk_create(batch)
    assert Adoption.objects.count() == total


def count_queries(client: Client, url: str, **params) -> int:
    cache.clear()  # a cold cache: every figure is computed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(_queries(queries))


def _queries(captured: CaptureQueriesContext) -> list[dict]:
    """The statements that read or write, without transaction control (the savepoints of the figures' transaction
    inside the test's own)."""
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return [q for q in captured.captured_queries if not q["sql"].startswith(control)]


# Provincial dashboard, cold cache (15): session, user; the ten aggregates of catalog.dashboards.stats.province_stats (by kind,
# adoption totals and savings, median, by category, comuni reached, size classes, most reused, per month, waiting
# count, waiting list); the bodies for the "dashboard of a body" menu; the layout's roles and unread notifications.
# On PostgreSQL the figures are computed in a transaction of their own, which sets its work_mem first: one more.
EXPECTED_PROVINCE = 15 + (connection.vendor == "postgresql")
# Body dashboard, cold cache (11): session, user, the body; the six queries of catalog.dashboards.stats.body_stats (totals by
# status, its adoptions, its solutions with counts, their users, requests to review, adoptions waiting for it);
# the layout's roles and unread notifications.
EXPECTED_BODY = 11 + (connection.vendor == "postgresql")


@pytest.fixture
def analyst_client(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def _pinned(analyst_client, pesaro) -> tuple[int, int]:
    province = count_queries(analyst_client, reverse("catalog:dashboard-province"))
    filtered = count_queries(analyst_client, reverse("catalog:dashboard-province"),
                             date_from="2025-01-01", date_to="2025-12-31", kind="software")
    body = count_queries(analyst_client, reverse("catalog:dashboard-body", kwargs={"key": pesaro.key}))
    assert filtered == province
    return province, body


def test_query_count_is_pinned_with_1000_adoptions(analyst_client, pesaro):
    make_adoptions(1000, pesaro)
    assert _pinned(analyst_client, pesaro) == (EXPECTED_PROVINCE, EXPECTED_BODY)


@pytest.mark.slow
def test_query_count_is_identical_with_50000_adoptions(analyst_client, pesaro):
    make_adoptions(50000, pesaro)
    assert _pinned(analyst_client, pesaro) == (EXPECTED_PROVINCE, EXPECTED_BODY)


def test_a_warm_cache_answers_without_the_aggregates(analyst_client, pesaro):
    make_adoptions(100, pesaro)
    cold = count_queries(analyst_client, reverse("catalog:dashboard-province"))
    with CaptureQueriesContext(connection) as warm:
        analyst_client.get(reverse("catalog:dashboard-province"))
    assert len(_queries(warm)) == cold - 10 - (connection.vendor == "postgresql")

