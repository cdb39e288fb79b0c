"""export_publiccode: a valid file that loses nothing — exporting then re-importing changes no field."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from catalog.models import Adoption, Category, Solution
from catalog.publiccode import parse_publiccode
from catalog.publiccode.export import export_publiccode, publiccode_problems
from catalog.publiccode.mapping import portal_url
from catalog.publiccode.services import import_publiccode
from municipalities.models import Body
from tests.factories import AdoptionFactory, ReleaseFactory, SolutionFactory

from .publiccode_helpers import read

pytestmark = pytest.mark.django_db

# Fields that record when a row was written, not what the solution is.
_VOLATILE = {"updated_at", "search_vector"}


def snapshot(solution: Solution) -> dict:
    solution = Solution.objects.get(pk=solution.pk)
    values = {f.attname: getattr(solution, f.attname) for f in Solution._meta.concrete_fields
              if f.attname not in _VOLATILE}
    values["categories"] = sorted(solution.categories.values_list("code", flat=True))
    values["tags"] = sorted(solution.tags.values_list("slug", flat=True))
    values["releases"] = sorted(solution.releases.values_list("version", "date", "notes"))
    return values


def round_trip(solution: Solution, by) -> None:
    """Export, re-import as `by`, and assert that nothing changed."""
    before = snapshot(solution)
    text = export_publiccode(solution, include_contacts=True)
    parsed = parse_publiccode(text.encode("utf-8"))
    assert parsed.errors == [], f"{solution.slug}: the export is not valid: {parsed.errors}\n{text}"
    result = import_publiccode(text.encode("utf-8"), by=by)
    assert result.ok, f"{solution.slug}: {result.errors}"
    assert result.solution.pk == solution.pk and not result.created
    after = snapshot(solution)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}, f"{solution.slug}: the round trip changed {changed}"


@pytest.fixture
def rich_solution(pesaro, fano, urbino):
    """A solution using every field the export writes, with keys kept from an earlier import."""
    solution = SolutionFactory(
        owner=pesaro,
        name="Anagrafe Catastale dei Soggetti",
        kind="software",
        origin="elicat",
        short_description_it="Anagrafe dei soggetti e degli oggetti catastali, con le relazioni di titolarità.",
        short_description_en="Registry of cadastral subjects, objects and ownership relations.",
        long_description_it="Gestisce l'anagrafe dei soggetti e degli oggetti catastali.\n\n" + "Riga di testo. " * 12,
        long_description_en="Manages the registry of cadastral subjects and objects.\n\n" + "A line of text. " * 12,
        features_it=["Anagrafe dei soggetti", "Relazioni di titolarità"],
        features_en=["Subjects registry"],
        scope=["local-authorities"],
        software_type="standalone/backend",
        licence="EUPL-1.2",
        main_copyright_owner="Comune di Pesaro",
        repo_owner="CST Pesaro e Urbino",
        repository_url="https://code.cstpu.example/pesaro/anagrafe-catastale.git",
        landing_url="https://code.cstpu.example/pesaro/anagrafe-catastale",
        documentation_url="https://docs.cstpu.example/anagrafe-catastale/",
        logo="https://code.cstpu.example/pesaro/anagrafe-catastale/raw/logo.svg",
        development_status="stable",
        maintenance_type="contract",
        maintenance_contractor="Marche Digitale S.r.l.",
        maintenance_until=dt.date(2027, 6, 30),
        contacts=[{"name": "Paolo Neri", "email": "paolo.neri@comune-pesaro.example", "phone": "+39 0721 111111"}],
        platforms=["web", "linux"],
        available_languages=["it", "en"],
        localisation_ready=True,
        dependencies=[{"name": "PostgreSQL", "kind": "open"}, {"name": "Oracle", "kind": "proprietary"},
                      {"name": "Lettore di smart card", "kind": "hardware"}],
        supports_spid=True,
        supports_pagopa=True,
        supports_io=True,
        publiccode_extra={
            "description": {"it": {"genericName": "Anagrafe catastale"}, "de": {
                "shortDescription": "Katasterregister.", "longDescription": "Katasterregister. " * 12,
                "features": ["Katasterregister"]}},
            "it": {"conforme": {"gdpr": True}},
            "maintenance": {"contractors": [{"email": "assistenza@marche-digitale.example"}]},
            "intendedAudience": {"countries": ["it"]},
            "fundedBy": [{"name": "Ministero dell'Economia e delle Finanze", "uri": "https://www.mef.gov.it"}],
        },
    )
    solution.categories.set(Category.objects.filter(code__in=["real-estate-management", "taxes-management"]))
    ReleaseFactory(solution=solution, version="3.1.0", date=dt.date(2025, 3, 1), notes="Allineamento catastale")
    ReleaseFactory(solution=solution, version="3.0.0", date=dt.date(2024, 10, 1))
    solution.latest_release_date = dt.date(2025, 3, 1)
    solution.save()
    AdoptionFactory(solution=solution, body=fano, status="in_production")
    AdoptionFactory(solution=solution, body=urbino, status="requested")
    return solution


def test_the_export_is_valid_and_carries_the_italian_section_and_organisation_uri(rich_solution):
    text = export_publiccode(rich_solution, include_contacts=True)
    assert parse_publiccode(text.encode()).errors == []
    doc = yaml.safe_load(text)
    assert doc["publiccodeYmlVersion"] == "0.5.0"
    assert doc["organisation"] == {"name": "Comune di Pesaro", "uri": "urn:x-italian-pa:c_g479"}
    assert doc["it"]["riuso"] == {"codiceIPA": "c_g479"}
    assert doc["it"]["piattaforme"] == {"spid": True, "cie": False, "pagopa": True, "anpr": False, "io": True}
    assert doc["it"]["conforme"] == {"gdpr": True}
    assert (doc["softwareVersion"], doc["releaseDate"]) == ("3.1.0", "2025-03-01")
    assert doc["maintenance"]["contractors"] == [
        {"name": "Marche Digitale S.r.l.", "until": "2027-06-30", "email": "assistenza@marche-digitale.example"}]
    assert doc["dependsOn"] == {"open": [{"name": "PostgreSQL"}], "proprietary": [{"name": "Oracle"}],
                                "hardware": [{"name": "Lettore di smart card"}]}
    assert doc["description"]["it"]["genericName"] == "Anagrafe catastale"
    assert doc["description"]["de"]["shortDescription"] == "Katasterregister."


def test_used_by_lists_only_the_bodies_running_it_in_production(rich_solution):
    doc = yaml.safe_load(export_publiccode(rich_solution))
    assert doc["usedBy"] == ["Comune di Fano"]


def test_exporting_then_reimporting_a_rich_solution_changes_no_field(rich_solution, cst_admin):
    round_trip(rich_solution, cst_admin)


def test_the_round_trip_also_holds_for_the_owner_s_publisher(rich_solution, publisher_pesaro):
    round_trip(rich_solution, publisher_pesaro)


def test_a_solution_without_a_repository_is_exported_with_its_portal_address(pesaro, cst_admin):
    service = SolutionFactory(
        owner=Body.objects.get(ipa_code="p_PU"), kind="service", repository_url="", features_it=["Backup"],
        contacts=[{"name": "CST - sistemi", "email": "sistemi@cstpu.example"}], available_languages=["it"],
        platforms=["web"],
    )
    service.categories.set(Category.objects.filter(code="cloud-management"))
    doc = yaml.safe_load(export_publiccode(service))
    assert doc["url"] == portal_url(service.slug)
    round_trip(service, cst_admin)
    assert Solution.objects.get(pk=service.pk).repository_url == ""


def test_an_imported_file_exports_again_with_its_unmanaged_keys(cst_admin, pesaro):
    result = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)
    doc = yaml.safe_load(export_publiccode(result.solution))
    assert doc["it"]["conforme"] == {"lineeGuidaDesign": True, "gdpr": True}
    assert doc["description"]["it"]["genericName"] == "Portale tributi"
    assert doc["intendedAudience"] == {"scope": ["local-authorities", "finance-and-economic-development"],
                                       "countries": ["it"]}
    assert doc["maintenance"]["contractors"][0]["website"] == "https://servizi-marche.example"
    assert "usedBy" not in doc  # the file's own usedBy is not evidence of reuse
    round_trip(result.solution, cst_admin)


def test_changing_maintenance_away_from_contract_drops_the_stale_contractor_details(cst_admin, pesaro):
    solution = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin).solution
    solution.maintenance_type = "internal"
    solution.contacts = [{"name": "Ufficio Tributi", "email": "tributi@comune-pesaro.example"}]
    solution.save()
    doc = yaml.safe_load(export_publiccode(solution))
    assert "contractors" not in doc["maintenance"]
    assert publiccode_problems(solution) == []


def test_problems_of_an_incomplete_solution_are_reported_by_field(pesaro):
    solution = SolutionFactory(owner=pesaro, long_description_it="Breve.", platforms=[])
    paths = {e.path for e in publiccode_problems(solution)}
    # Categories are the catalogue's wish, not the standard's: not a problem of the file.
    assert paths == {"platforms", "description.it.longDescription", "description.it.features",
                     "localisation.availableLanguages", "maintenance.contacts"}


def test_contacts_are_left_out_unless_asked_for_and_a_reimport_keeps_them(rich_solution, cst_admin):
    assert "paolo.neri" in export_publiccode(rich_solution, include_contacts=True)
    text = export_publiccode(rich_solution)
    assert "paolo.neri" not in text
    assert import_publiccode(text.encode(), by=cst_admin).ok
    rich_solution.refresh_from_db()
    assert rich_solution.contacts[0]["name"] == "Paolo Neri"


def seed_demo() -> None:
    from catalog.demo.solutions import seed
    from municipalities.demo import seed as seed_people

    seed_people(password="x")
    seed(password="x")


def test_every_published_demo_solution_survives_the_round_trip(cst_admin):
    seed_demo()
    published = list(Solution.objects.published().select_related("owner"))
    assert len(published) >= 10
    for solution in published:
        round_trip(solution, cst_admin)


def test_the_demo_round_trip_leaves_adoptions_untouched(cst_admin):
    seed_demo()
    before = list(Adoption.objects.order_by("pk").values_list("pk", "status", "solution_id", "body_id"))
    for solution in Solution.objects.published():
        import_publiccode(export_publiccode(solution).encode(), by=cst_admin)
    assert list(Adoption.objects.order_by("pk").values_list("pk", "status", "solution_id", "body_id")) == before
