"""The benchmark's peer serves what the portal's API serves, and its seed writes what the benchmark expects."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import seed
from bench.peer import PeerSolutionDetailSerializer, PeerSolutionSerializer
from catalog.api.serializers import SolutionDetailSerializer, SolutionSerializer
from tests.factories import AdoptionFactory, ReleaseFactory, SolutionFactory


def test_the_peer_has_the_fields_of_the_portals_api():
    assert PeerSolutionSerializer.Meta.fields == SolutionSerializer.Meta.fields
    assert PeerSolutionDetailSerializer.Meta.fields == SolutionDetailSerializer.Meta.fields


@pytest.mark.urls("bench.urls")
def test_the_peer_lists_the_same_solutions_in_the_same_order_with_the_same_values(db, client, fano):
    solutions = [SolutionFactory(name=name) for name in ("Protocollo", "Albo", "Mensa")]
    SolutionFactory(name="Bozza", status="draft")
    ReleaseFactory(solution=solutions[0], version="2.1.0")
    AdoptionFactory(solution=solutions[1], body=fano, status="in_production")
    portal = client.get("/api/v1/solutions/").json()["results"]
    peer = client.get("/_bench/drf/solutions/").json()["results"]
    assert [item["slug"] for item in peer] == [item["slug"] for item in portal] == [
        solutions[1].slug, solutions[2].slug, solutions[0].slug,
    ]
    for mine, theirs in zip(portal, peer, strict=True):
        assert theirs.keys() == mine.keys()
        for key in ("owner", "categories", "tags", "supports", "current_release", "used_by_count", "vitality",
                    "status"):
            assert theirs[key] == mine[key], key
    detail = client.get(f"/_bench/drf/solutions/{solutions[0].slug}/").json()
    assert detail.keys() == client.get(f"/api/v1/solutions/{solutions[0].slug}/").json().keys()
    assert detail["contacts"] is None  # anonymous, as in the portal


@pytest.mark.urls("bench.urls")
def test_the_peer_takes_the_portals_filters_and_cursors(db, client):
    SolutionFactory(name="Servizio", kind="service")
    SolutionFactory(name="Programma", kind="software")
    for path in ("/api/v1/solutions/", "/_bench/drf/solutions/"):
        assert [i["name"] for i in client.get(f"{path}?kind=service").json()["results"]] == ["Servizio"]
        first = client.get(f"{path}?page_size=1").json()
        cursor = first["next"].split("cursor=")[1].split("&")[0]
        assert [i["name"] for i in client.get(f"{path}?page_size=1&cursor={cursor}").json()["results"]] == ["Servizio"]


@pytest.mark.postgres
def test_the_seed_writes_synthetic_comuni_adoptions_and_their_events(db):
    from catalog.models import Adoption, AdoptionEvent
    from municipalities.models import Body

    def keys() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype IN ('f', 'u') AND conrelid IN "
                           "('catalog_adoption'::regclass, 'catalog_adoptionevent'::regclass)")
            return cursor.fetchone()[0]

    before = keys()
    assert seed.seed_bodies(80) == 80 - 51
    synthetic = Body.objects.filter(istat_code__startswith=seed.SYNTHETIC_ISTAT_PREFIX)
    assert synthetic.count() == 29
    assert all(body.name.startswith(seed.SYNTHETIC_NAME) for body in synthetic)
    assert seed.seed_solutions(600) == 600
    first, last = seed.seed_adoptions(300, pool=20)
    assert (first, last) == (281, 300)
    pool = Adoption.objects.filter(pk__gte=first)
    assert {(a.status, a.owner_body.istat_code) for a in pool} == {("requested", seed.PESARO)}
    assert Adoption.objects.count() == 300
    for adoption in Adoption.objects.all()[:50]:
        events = list(AdoptionEvent.objects.filter(adoption=adoption).order_by("sequence"))
        assert [e.action for e in events] == seed.PATHS[adoption.status]
        assert events[-1].to_status == adoption.status
        assert events[-1].created_at == adoption.status_changed_at
    assert keys() == before  # every key and unique constraint is back after the bulk load


def _adoption_keys() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype IN ('f', 'u') AND conrelid IN "
                       "('catalog_adoption'::regclass, 'catalog_adoptionevent'::regclass)")
        return cursor.fetchone()[0]


# The search vectors are computed on connections of their own, in threads: they only see committed data.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_search_vectors_refreshed_in_parts_alongside_the_adoptions_are_those_of_one_update():
    from catalog.models import Solution
    from catalog.solutions.search import refresh_search_vector

    seed.seed_bodies(80)
    seed.seed_solutions(600)
    assert not Solution.objects.filter(search_vector__isnull=False).exists()  # the COPY writes no vector
    seed.seed_adoptions(300, pool=20, alongside=lambda: seed.refresh_search(parts=3))
    in_parts = dict(Solution.objects.values_list("pk", "search_vector"))
    assert len(in_parts) == 600 and None not in in_parts.values()
    assert refresh_search_vector(None) == 600
    assert dict(Solution.objects.values_list("pk", "search_vector")) == in_parts
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'catalog_solution' AND indexdef ILIKE "
                       "'%USING gin (search_vector)%'")
        assert cursor.fetchone()[0] == 1  # the full-text index is back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_failure_alongside_the_adoptions_is_raised_once_the_keys_are_back():
    from catalog.models import Adoption

    before = _adoption_keys()
    seed.seed_bodies(80)
    seed.seed_solutions(600)

    def fails() -> None:
        raise RuntimeError("alongside")

    with pytest.raises(RuntimeError, match="alongside"):
        seed.seed_adoptions(300, pool=20, alongside=fails)
    assert Adoption.objects.count() == 300
    assert _adoption_keys() == before


def test_a_report_job_s_peak_memory_is_its_own_not_its_parent_s():
    """ru_maxrss survives exec on Linux: a job started by a runner holding 300 MB would report 300 MB."""
    import subprocess
    import sys

    held = bytearray(300 * 1024 * 1024)
    held[:: 4096] = b"\x01" * len(held[:: 4096])  # touched, so resident
    child = subprocess.run(
        [sys.executable, "-c", "from bench.report_job import peak_rss_mb; print(peak_rss_mb())"],
        capture_output=True, text=True, check=True,
    )
    assert float(child.stdout) < 150, child.stdout
    del held
