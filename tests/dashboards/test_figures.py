"""Every figure of the dashboards against values computed by hand from the known data set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalog.dashboards import stats

pytestmark = pytest.mark.django_db

POPULATION_OF_ACTIVE_COMUNI = 351724  # the 50 comuni of the registry
REACHED_POPULATION = 60105 + 13803 + 288  # Fano, Urbino, Frontino


def by(rows, key):
    return {row[key]: row["count"] for row in rows}


def test_provincial_figures_match_hand_computed_values(known):
    data = stats.province_stats()

    assert data["solutions_published"] == 3
    assert by(data["solutions_by_kind"], "kind") == {"software": 2, "service": 1}
    assert data["solutions_by_category"] == [
        {"category": "accounting", "count": 2},
        {"category": "budgeting", "count": 1},
        {"category": "cloud-management", "count": 1},
    ]
    assert data["adoptions_total"] == 10
    assert by(data["adoptions_by_status"], "status") == {
        "requested": 2, "info_needed": 0, "approved": 1, "rejected": 1, "in_progress": 0, "in_production": 5,
        "retired": 1, "withdrawn": 0,
    }
    assert data["bodies_reached"] == {
        "comuni": 50,
        "reached": 3,
        "share": 6.0,
        "population_total": POPULATION_OF_ACTIVE_COMUNI,
        "population_reached": REACHED_POPULATION,
        "population_share": 21.1,
    }
    assert data["size_classes"] == [
        {"size_class": "xs", "comuni": 11, "reached": 1, "adoptions": 2},
        {"size_class": "s", "comuni": 23, "reached": 0, "adoptions": 0},
        {"size_class": "m", "comuni": 14, "reached": 1, "adoptions": 1},
        {"size_class": "l", "comuni": 2, "reached": 1, "adoptions": 1},
    ]
    assert [(r["name"], r["count"]) for r in data["most_reused"]] == [
        ("Tributi locali", 3), ("Virtualizzazione dei server", 2),
    ]
    # Days to production: 4, 10, 10, 20, 28, 30 -> (10 + 20) / 2.
    assert data["median_days"] == 15.0
    assert data["median_sample"] == 6
    # 6000 + 2500 - 500: only adoptions in production with both figures.
    assert data["savings"] == {"total": Decimal("8000.00"), "adoptions": 3}
    assert data["per_month"] == [
        {"month": dt.date(2026, 1, 1), "count": 4},
        {"month": dt.date(2026, 2, 1), "count": 5},
        {"month": dt.date(2026, 3, 1), "count": 1},
    ]
    assert data["waiting"]["count"] == 1
    assert data["waiting"]["threshold_days"] == 5
    assert [r["id"] for r in data["waiting"]["oldest"]] == [known.a5.pk]


def test_kind_filter_keeps_only_shared_services(known):
    data = stats.province_stats(kind="service")

    assert data["solutions_published"] == 1
    assert data["solutions_by_kind"] == [{"kind": "service", "count": 1}]
    assert data["solutions_by_category"] == [{"category": "cloud-management", "count": 1}]
    assert data["adoptions_total"] == 4
    assert by(data["adoptions_by_status"], "status")["in_production"] == 2
    assert data["bodies_reached"]["reached"] == 1  # Frontino; the Province is not a comune
    assert data["median_days"] == 10.0  # 4, 10, 28
    assert data["savings"] == {"total": Decimal("-500.00"), "adoptions": 1}
    assert [(r["name"], r["count"]) for r in data["most_reused"]] == [("Virtualizzazione dei server", 2)]
    assert data["waiting"]["count"] == 0


def test_period_filter_counts_requests_of_february(known):
    data = stats.province_stats(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))

    assert data["solutions_published"] == 1  # only the service was published in February
    assert data["adoptions_total"] == 5  # A3, A4, A5, A7, A10
    assert by(data["adoptions_by_status"], "status")["in_production"] == 3
    assert data["bodies_reached"]["reached"] == 1
    assert data["median_days"] == 10.0  # 4, 10, 20
    assert data["median_sample"] == 3
    assert data["savings"]["total"] == Decimal("2000.00")
    assert data["per_month"] == [{"month": dt.date(2026, 2, 1), "count": 5}]


def test_median_of_an_odd_sample_is_the_middle_value(known):
    known.a2.delete()  # 4, 10, 10, 20, 28
    data = stats.province_stats()
    assert data["median_days"] == 10.0
    assert data["median_sample"] == 5


def test_public_summary_counts_published_solutions_reusing_bodies_and_production(known):
    assert stats.public_summary() == {
        "solutions_published": 3,
        "bodies_reusing": 4,  # Fano, Urbino, Frontino, the Province
        "adoptions_in_production": 5,
    }


def test_body_figures_of_fano(known, fano):
    data = stats.body_stats(fano)

    assert data["adoptions_total"] == 2  # A1, A10
    assert by(data["adoptions_by_status"], "status")["in_production"] == 1
    assert [r["name"] for r in data["solutions"]] == ["Catasto ELICAT"]
    assert data["solutions"][0]["in_production"] == 0
    assert data["solutions"][0]["in_progress"] == 2  # A5 and A8 requested
    assert data["users"] == []
    assert [r["id"] for r in data["to_review"]] == [known.a5.pk, known.a8.pk]
    assert [r["id"] for r in data["to_act"]] == [known.a10.pk]


def test_body_figures_of_pesaro_list_who_uses_its_solutions(known, pesaro):
    data = stats.body_stats(pesaro)

    assert [r["name"] for r in data["solutions"]] == ["Tributi locali"]
    assert data["solutions"][0]["in_production"] == 3
    assert sorted(r["body"] for r in data["users"]) == ["Fano", "Frontino", "Urbino"]
    assert data["to_review"] == []
    assert [r["id"] for r in data["adoptions"]] == [known.a5.pk]


def test_figures_are_cached_and_a_change_invalidates_them(known, django_assert_num_queries):
    stats.province_stats()
    with django_assert_num_queries(0):
        stats.province_stats()
    known.a10.status = "in_progress"
    known.a10.save()
    data = stats.province_stats()
    assert by(data["adoptions_by_status"], "status")["in_progress"] == 1


def test_a_new_adoption_event_invalidates_the_public_summary(known):
    from tests.factories import AdoptionEventFactory

    before = stats.public_summary()
    # Workflow transitions are UPDATEs without post_save on the adoption; the event they write is what we see.
    type(known.a10).objects.filter(pk=known.a10.pk).update(status="in_production")
    assert stats.public_summary() == before
    AdoptionEventFactory(adoption=known.a10, sequence=2, action="go_live", to_status="in_production")
    assert stats.public_summary()["adoptions_in_production"] == before["adoptions_in_production"] + 1


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        stats.province_stats(kind="hardware")


def test_most_reused_ranks_published_solutions_by_adoptions_in_production_then_by_name(known, pesaro, fano, urbino):
    from tests.factories import AdoptionFactory, SolutionFactory

    withdrawn = SolutionFactory(name="Albo ritirato", owner=pesaro, status="retired")
    for body in (fano, urbino, known.province):  # three in production, more than any published one: not listed
        AdoptionFactory(solution=withdrawn, body=body, status="in_production")
    tied = SolutionFactory(name="Anagrafe canina", owner=fano, kind="software")  # two, as the service: first by name
    for body in (urbino, known.province):
        AdoptionFactory(solution=tied, body=body, status="in_production")

    data = stats.province_stats()

    assert [(r["name"], r["owner"], r["count"]) for r in data["most_reused"]] == [
        ("Tributi locali", "Pesaro", 3),
        ("Anagrafe canina", "Fano", 2),
        ("Virtualizzazione dei server", "Unione montana del Montefeltro", 2),
    ]


def test_size_classes_follow_the_kind_and_the_period(known):
    comuni = {"xs": 11, "s": 23, "m": 14, "l": 2}

    def reach(data):
        return {r["size_class"]: (r["comuni"], r["reached"], r["adoptions"]) for r in data["size_classes"]}

    # Services: only A4 (Frontino, xs); A7 is the Province's, not a comune's.
    assert reach(stats.province_stats(kind="service")) == {
        sc: (n, *((1, 1) if sc == "xs" else (0, 0))) for sc, n in comuni.items()
    }
    # Requested in February: A3 and A4, both Frontino's (xs); A7 again the Province's.
    assert reach(stats.province_stats(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))) == {
        sc: (n, *((1, 2) if sc == "xs" else (0, 0))) for sc, n in comuni.items()
    }
