"""export_publiccode: publiccode.yml 0.7 with no deprecated key, the original owner and the declared users kept,
and a file that loses nothing — exporting then re-importing changes no field.

The official validator's verdict on every export of the demo data and of the real files is in
test_publiccode_export_validator.py."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from catalog.models import Adoption, Category, Solution
from catalog.publiccode import parse_publiccode
from catalog.publiccode.export import export_publiccode, publiccode_problems
from catalog.publiccode.mapping import declared_users, portal_url
from catalog.publiccode.services import import_publiccode
from catalog.publiccode.upgrade import current_standard
from municipalities.models import Body
from tests.factories import AdoptionFactory, ReleaseFactory, SolutionFactory

from .publiccode_helpers import dump, read, valid_doc

pytestmark = pytest.mark.django_db

LONG_EN = (
    "The records management system registers incoming and outgoing mail, assigns documents to offices, keeps the "
    "case files and works with certified e-mail and long-term preservation of the municipality."
)

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
    round_trip_text(solution, export_publiccode(solution, include_contacts=True), by)


def round_trip_text(solution: Solution, text: str, by) -> None:
    before = snapshot(solution)
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
        # As an import stores them (in the current standard's shape): kept for the export.
        publiccode_extra={
            "description": {"it": {"apiDocumentation": "https://docs.cstpu.example/anagrafe-catastale/api"}, "de": {
                "shortDescription": "Katasterregister.", "longDescription": "Katasterregister. " * 12,
                "features": ["Katasterregister"]}},
            "supports": [{"id": "alias:gdpr"}, {"id": "https://www.agid.gov.it/it/sicurezza/misure-minime"}],
            "maintenance": {"contractors": [{"email": "assistenza@marche-digitale.example"}]},
            "intendedAudience": {"countries": ["IT"]},
            "fundedBy": [{"name": "Ministero dell'Economia e delle Finanze", "uri": "https://www.mef.gov.it"}],
            "usedBy": ["Comune di Gradara", "Comune di Fano"],
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


def test_the_export_is_publiccode_0_7_with_organisation_and_supports(rich_solution):
    text = export_publiccode(rich_solution, include_contacts=True)
    assert parse_publiccode(text.encode()).errors == []
    doc = yaml.safe_load(text)
    assert doc["publiccodeYmlVersion"] == "0.7"
    assert list(doc)[:4] == ["publiccodeYmlVersion", "name", "url", "landingURL"]  # the standard's order
    assert doc["organisation"] == {"uri": "urn:x-italian-pa:c_g479", "name": "Comune di Pesaro"}
    # The national platforms from the solution's fields, then the file's other entries.
    assert doc["supports"] == [{"id": "alias:spid"}, {"id": "alias:pagopa"}, {"id": "alias:io"},
                               {"id": "alias:gdpr"}, {"id": "https://www.agid.gov.it/it/sicurezza/misure-minime"}]
    # No deprecated key: no country section, no repoOwner.
    assert "it" not in doc and "IT" not in doc
    assert doc["legal"] == {"license": "EUPL-1.2", "mainCopyrightOwner": "Comune di Pesaro"}
    assert (doc["softwareVersion"], doc["releaseDate"]) == ("3.1.0", "2025-03-01")
    assert doc["maintenance"]["contractors"] == [
        {"name": "Marche Digitale S.r.l.", "until": "2027-06-30", "email": "assistenza@marche-digitale.example"}]
    assert doc["dependsOn"] == {"open": [{"name": "PostgreSQL"}], "proprietary": [{"name": "Oracle"}],
                                "hardware": [{"name": "Lettore di smart card"}]}
    assert doc["description"]["it"]["apiDocumentation"] == "https://docs.cstpu.example/anagrafe-catastale/api"
    assert doc["description"]["de"]["shortDescription"] == "Katasterregister."
    assert doc["intendedAudience"] == {"scope": ["local-authorities"], "countries": ["IT"]}


def test_used_by_lists_the_declared_users_then_the_bodies_running_it_in_production(rich_solution):
    doc = yaml.safe_load(export_publiccode(rich_solution))
    # Fano is declared and verified: written once. Urbino has only asked: not a user.
    assert doc["usedBy"] == ["Comune di Gradara", "Comune di Fano"]
    rich_solution.publiccode_extra.pop("usedBy")
    rich_solution.save()
    assert yaml.safe_load(export_publiccode(rich_solution))["usedBy"] == ["Comune di Fano"]


def test_a_reimport_does_not_record_the_verified_users_as_declared(rich_solution, urbino, cst_admin):
    rich_solution.publiccode_extra["usedBy"] = ["Comune di Gradara"]
    rich_solution.save()
    text = export_publiccode(rich_solution, include_contacts=True)
    assert yaml.safe_load(text)["usedBy"] == ["Comune di Gradara", "Comune di Fano"]
    assert import_publiccode(text.encode(), by=cst_admin).ok
    rich_solution.refresh_from_db()
    assert declared_users(rich_solution) == ["Comune di Gradara"]
    # A file that now declares Urbino (no adoption in production) records it as declared.
    doc = yaml.safe_load(text)
    doc["usedBy"].append("Comune di Urbino")
    assert import_publiccode(yaml.safe_dump(doc, allow_unicode=True).encode(), by=cst_admin).ok
    rich_solution.refresh_from_db()
    assert declared_users(rich_solution) == ["Comune di Gradara", "Comune di Urbino"]


def test_the_page_shows_the_declared_users_apart_from_the_verified_ones(client, rich_solution):
    html = client.get(rich_solution.get_absolute_url()).content.decode()
    panel = html[html.index('id="usata-da"'):html.index('id="releases-title"')]
    verified = panel[:panel.index('id="usata-da-dichiarati"')]
    declared = panel[panel.index('id="usata-da-dichiarati"'):]
    assert "Fano" in verified and "Gradara" not in verified
    assert "Dichiarati dal titolare, non verificati" in declared
    assert "<li>Comune di Gradara</li>" in declared and "<li>Comune di Fano</li>" in declared
    assert "non entrano nei conteggi" in declared


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


def test_an_imported_0_2_file_exports_as_0_7_with_its_unmanaged_keys(cst_admin, pesaro):
    result = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)
    doc = yaml.safe_load(export_publiccode(result.solution))
    assert doc["publiccodeYmlVersion"] == "0.7"
    # it.riuso.codiceIPA and legal.repoOwner became organisation; it.piattaforme and it.conforme.gdpr, supports.
    assert doc["organisation"] == {"uri": "urn:x-italian-pa:c_g479", "name": "Comune di Pesaro"}
    assert doc["supports"] == [{"id": "alias:spid"}, {"id": "alias:cie"}, {"id": "alias:pagopa"},
                               {"id": "alias:gdpr"}]
    assert "it" not in doc and "repoOwner" not in doc["legal"]
    assert "genericName" not in doc["description"]["it"]  # deprecated, nothing replaces it
    assert doc["intendedAudience"] == {"scope": ["local-authorities", "finance-and-economic-development"],
                                       "countries": ["IT"]}
    assert doc["maintenance"]["contractors"][0]["website"] == "https://servizi-marche.example"
    assert doc["usedBy"] == ["Comune di Pesaro"]  # as the owner declares it
    assert declared_users(result.solution) == ["Comune di Pesaro"]
    round_trip(result.solution, cst_admin)


def test_keys_stored_by_earlier_imports_leave_in_the_current_standard(pesaro):
    """Solutions imported before the export moved to 0.7 keep deprecated keys in publiccode_extra."""
    solution = SolutionFactory(
        owner=pesaro, features_it=["Una funzione"], platforms=["web"], available_languages=["it"],
        contacts=[{"name": "Anna Verdi"}], supports_spid=False,
        publiccode_extra={
            "it": {"conforme": {"gdpr": True, "lineeGuidaDesign": True}, "piattaforme": {}, "riuso": {}},
            "description": {"it": {"genericName": "Protocollo"}, "en": {"genericName": "Records"}},
            "legal": {"authorsFile": "AUTHORS"},
            "inputTypes": ["text/plain"], "outputTypes": ["application/pdf"],
            "intendedAudience": {"countries": ["it", "sm"], "unsupportedCountries": ["de"]},
            "monochromeLogo": "img/logo-mono.svg",
            "organisation": {"name": "Vecchio nome", "uri": "urn:x-italian-pa:c_d488"},
        },
    )
    doc = yaml.safe_load(export_publiccode(solution, include_contacts=True))
    assert "it" not in doc and "inputTypes" not in doc and "outputTypes" not in doc
    assert "monochromeLogo" not in doc and doc["logo"] == "img/logo-mono.svg"
    assert doc["supports"] == [{"id": "alias:gdpr"}]
    assert doc["intendedAudience"]["countries"] == ["IT", "SM"]
    assert doc["intendedAudience"]["unsupportedCountries"] == ["DE"]
    assert doc["legal"] == {"license": solution.licence}
    assert "genericName" not in doc["description"]["it"] and "en" not in doc["description"]
    assert doc["organisation"] == {"uri": "urn:x-italian-pa:c_g479", "name": "Comune di Pesaro"}


def test_current_standard_upgrades_each_deprecated_key():
    original = {
        "publiccodeYmlVersion": "0.2",
        "legal": {"license": "MIT", "repoOwner": "Comune di Cremona", "authorsFile": "AUTHORS"},
        "it": {"countryExtensionVersion": "0.2", "riuso": {"codiceIPA": "c_d150"},
               "conforme": {"gdpr": True, "misureMinimeSicurezza": True},
               "piattaforme": {"spid": True, "pagopa": False}},
        "IT": {"piattaforme": {"io": True}},
        "supports": [{"id": "alias:nis2"}],
        "description": {"it": {"genericName": "x", "shortDescription": "y"}},
        "intendedAudience": {"countries": ["it"]},
        "inputTypes": ["text/plain"],
    }
    upgraded = current_standard(original)
    assert upgraded == {
        "publiccodeYmlVersion": "0.7",
        "legal": {"license": "MIT"},
        "supports": [{"id": "alias:nis2"}, {"id": "alias:spid"}, {"id": "alias:io"}, {"id": "alias:gdpr"}],
        "description": {"it": {"shortDescription": "y"}},
        "intendedAudience": {"countries": ["IT"]},
        "organisation": {"uri": "urn:x-italian-pa:c_d150", "name": "Comune di Cremona"},
    }
    assert original["it"]["riuso"] == {"codiceIPA": "c_d150"}  # a copy: the argument is untouched
    assert current_standard(upgraded) == upgraded
    # The file's own organisation wins over the legacy code; an address is not a name.
    assert current_standard({"it": {"riuso": {"codiceIPA": "c_d150"}}, "legal": {"repoOwner": "https://x.it"},
                             "organisation": {"uri": "https://www.example.org"}}) == {
        "organisation": {"uri": "https://www.example.org"}, "legal": {}}


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
    assert "contacts" not in yaml.safe_load(text)["maintenance"]  # under contract: contacts are optional
    assert import_publiccode(text.encode(), by=cst_admin).ok
    rich_solution.refresh_from_db()
    assert rich_solution.contacts[0]["name"] == "Paolo Neri"


def test_where_contacts_are_required_the_public_file_names_the_owner_body(pesaro, cst_admin):
    pesaro.email = "protocollo@comune-pesaro.example"
    pesaro.save()
    solution = SolutionFactory(owner=pesaro, maintenance_type="community", features_it=["Una funzione"],
                               platforms=["web"], available_languages=["it"],
                               contacts=[{"name": "Anna Verdi", "email": "anna.verdi@cstpu.example"}])
    text = export_publiccode(solution)
    assert yaml.safe_load(text)["maintenance"]["contacts"] == [
        {"name": "Comune di Pesaro", "email": "protocollo@comune-pesaro.example"}]
    assert "anna.verdi" not in text and parse_publiccode(text.encode()).errors == []
    # Importing the public file keeps the people; a file naming other people replaces them.
    round_trip_text(solution, text, cst_admin)
    doc = yaml.safe_load(text)
    doc["maintenance"]["contacts"] = [{"name": "Ufficio SIT"}]
    assert import_publiccode(yaml.safe_dump(doc, allow_unicode=True).encode(), by=cst_admin).ok
    solution.refresh_from_db()
    assert solution.contacts == [{"name": "Ufficio SIT"}]


@pytest.mark.parametrize("path", ["/api/v1/solutions/{slug}/publiccode.yml",
                                  "/catalogo/soluzioni/{slug}/publiccode.yml"])
def test_the_page_and_the_api_write_the_people_only_for_those_who_may_see_them(client, pesaro, member_fano, path):
    solution = SolutionFactory(owner=pesaro, maintenance_type="internal", features_it=["Una funzione"],
                               platforms=["web"], available_languages=["it"],
                               contacts=[{"name": "Anna Verdi", "email": "anna.verdi@cstpu.example"}])
    url = path.format(slug=solution.slug)
    anonymous = yaml.safe_load(client.get(url, HTTP_ACCEPT="text/yaml").content)
    assert anonymous["maintenance"]["contacts"] == [{"name": "Comune di Pesaro"}]
    client.force_login(member_fano)
    member = yaml.safe_load(client.get(url, HTTP_ACCEPT="text/yaml").content)
    assert member["maintenance"]["contacts"] == [{"name": "Anna Verdi", "email": "anna.verdi@cstpu.example"}]


def test_the_original_owner_is_kept_whoever_it_is(cst_admin):
    bari = valid_doc(url="https://github.com/comune-di-bari/mensa", organisation={
        "name": "Comune di Bari", "uri": "urn:x-italian-pa:c_a662"})
    amsterdam = valid_doc(url="https://github.com/amsterdam/signals", organisation={
        "name": "Gemeente Amsterdam", "uri": "https://www.amsterdam.nl"})
    third_party = valid_doc(url="https://github.com/openfoo/office-suite", organisation=None,
                            legal={"license": "MPL-2.0", "repoOwner": "OpenFoo Foundation"})
    for doc, organisation in ((bari, bari["organisation"]), (amsterdam, amsterdam["organisation"]),
                              (third_party, None)):
        solution = import_publiccode(dump(doc), by=cst_admin).solution
        exported = yaml.safe_load(export_publiccode(solution, include_contacts=True))
        # A third-party publisher has no organisation.uri of its own: the re-import finds it by its repository.
        assert exported.get("organisation") == organisation
        round_trip(solution, cst_admin)


def test_an_external_comune_keeps_the_name_of_its_file(cst_admin):
    doc = valid_doc(url="https://github.com/ComuneBologna/taxi", organisation={
        "name": "ComuneBologna", "uri": "urn:x-italian-pa:c_a944"})
    solution = import_publiccode(dump(doc), by=cst_admin).solution
    assert yaml.safe_load(export_publiccode(solution))["organisation"]["name"] == "ComuneBologna"


def test_a_file_without_italian_description_is_not_given_one(cst_admin):
    description = {"en": {"shortDescription": "Records management for municipalities.",
                          "longDescription": LONG_EN, "features": ["Registration"],
                          "documentation": "https://docs.example.org/records"}}
    doc = valid_doc(url="https://github.com/example/records", description=description,
                    localisation={"localisationReady": True, "availableLanguages": ["en"]})
    solution = import_publiccode(dump(doc), by=cst_admin).solution
    assert solution.short_description_it == "Records management for municipalities."  # lent, shown in Italian
    exported = yaml.safe_load(export_publiccode(solution, include_contacts=True))
    assert exported["description"] == description
    round_trip(solution, cst_admin)
    # Once the editorial office writes the Italian text, the export has it.
    solution.short_description_it = "Protocollo informatico per i comuni."
    solution.save()
    assert set(yaml.safe_load(export_publiccode(solution))["description"]) == {"it", "en"}


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
