"""After `migrate` the registry holds the 50 comuni of the province and the Province itself."""

from __future__ import annotations

import pytest

from municipalities.models import Body, SizeClass
from municipalities.registry import SHIPPED_CSV, parse_bodies_csv

pytestmark = pytest.mark.django_db


def test_fifty_active_comuni_are_loaded():
    comuni = Body.objects.comuni()
    assert comuni.count() == 50
    assert comuni.active().count() == 50
    assert all(len(code) == 6 and code.startswith("041") for code in comuni.values_list("istat_code", flat=True))


@pytest.mark.parametrize(
    "istat,name,population,ipa,size_class",
    [
        ("041044", "Pesaro", 96238, "c_g479", SizeClass.L),
        ("041017", "Frontino", 288, "c_d807", SizeClass.XS),
        ("041069", "Colli al Metauro", 12166, "cdcoame", SizeClass.M),
        ("041013", "Fano", 60105, "c_d488", SizeClass.L),
        ("041002", "Apecchio", 1756, "c_a327", SizeClass.S),
    ],
)
def test_known_comuni_have_their_codes_population_and_size_class(istat, name, population, ipa, size_class):
    body = Body.objects.get(istat_code=istat)
    assert (body.name, body.population, body.ipa_code, body.kind) == (name, population, ipa, Body.Kind.COMUNE)
    assert body.size_class == size_class
    assert body.is_active and body.ceased_on is None


def test_istat_codes_keep_their_leading_zero():
    assert Body.objects.filter(istat_code="041001").exists()
    assert not Body.objects.filter(istat_code="41001").exists()


def test_the_province_is_loaded_with_its_ipa_code():
    province = Body.objects.get(ipa_code="p_PU")
    assert province.kind == Body.Kind.PROVINCIA
    assert province.name == "Provincia di Pesaro e Urbino"
    assert province.istat_code is None
    assert province.size_class == SizeClass.NA


def test_every_row_of_the_shipped_file_is_in_the_database():
    parsed = parse_bodies_csv(SHIPPED_CSV.read_bytes())
    assert parsed.errors == []
    in_db = {b.istat_code: (b.name, b.population, b.ipa_code) for b in Body.objects.comuni()}
    assert in_db == {r["istat_code"]: (r["name"], r["population"], r["ipa_code"]) for r in parsed.rows}


def test_size_class_boundaries_follow_the_population():
    body = Body.objects.get(istat_code="041017")
    for population, expected in [(999, SizeClass.XS), (1000, SizeClass.S), (4999, SizeClass.S),
                                 (5000, SizeClass.M), (14999, SizeClass.M), (15000, SizeClass.L)]:
        body.population = population
        body.save(update_fields=["population"])
        body.refresh_from_db()
        assert body.size_class == expected, population
        assert body.get_size_class_display() == SizeClass(expected).label
