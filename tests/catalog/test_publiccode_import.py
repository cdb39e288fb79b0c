"""import_publiccode: what a file creates or updates, who may import it, and that a refused file writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.models import Adoption, Category, PublicationEvent, Release, Solution, Tag
from catalog.publiccode.services import IMPORT_REASON, import_publiccode
from cstportal.notifications.models import Notification
from tests.factories import AdoptionFactory, SolutionFactory

from .publiccode_helpers import dump, read, valid_doc

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "solutions": Solution.objects.count(),
        "releases": Release.objects.count(),
        "events": PublicationEvent.objects.count(),
        "tags": Tag.objects.count(),
        "categories": Category.objects.count(),
        "solution_categories": Solution.categories.through.objects.count(),
    }


# --- the three sample versions -----------------------------------------------------------------------------------

def test_a_0_2_file_with_it_riuso_codice_ipa_creates_a_solution_of_that_body(pesaro, cst_admin):
    result = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)

    assert result.ok and result.created
    s = Solution.objects.get(pk=result.solution.pk)
    assert s.owner == pesaro
    assert s.status == Solution.Status.PUBLISHED  # CST staff review what they import themselves
    assert s.created_by == cst_admin
    assert s.name == "Sportello Tributi Online"
    assert s.slug == "sportello-tributi-online"
    assert s.repository_url == "https://code.cstpu.example/pesaro/sportello-tributi.git"
    assert s.landing_url == "https://code.cstpu.example/pesaro/sportello-tributi"
    assert s.logo == "img/logo.svg"
    assert s.platforms == ["web"]
    assert set(s.categories.values_list("code", flat=True)) == {"taxes-management", "billing-and-invoicing"}
    assert s.scope == ["local-authorities", "finance-and-economic-development"]
    assert s.development_status == "stable" and s.software_type == "standalone/web"
    assert s.short_description_it.startswith("Portale del contribuente")
    assert s.long_description_it.startswith("Lo Sportello Tributi Online")
    assert s.features_it[0] == "Consultazione della posizione IMU e TARI"
    assert s.short_description_en.startswith("Taxpayer portal")
    assert s.features_en == ["Local tax position", "pagoPA payments"]
    assert s.documentation_url == "https://docs.cstpu.example/sportello-tributi/"
    assert (s.licence, s.main_copyright_owner, s.repo_owner) == ("EUPL-1.2", "Comune di Pesaro", "Comune di Pesaro")
    assert s.maintenance_type == "contract"
    assert s.maintenance_contractor == "Servizi Informatici Marche srl"
    assert s.maintenance_until == dt.date(2026, 12, 31)
    assert s.localisation_ready is True and s.available_languages == ["it", "en"]
    assert s.dependencies == [
        {"name": "PostgreSQL", "kind": "open", "versionMin": "12"},
        {"name": "Apache Tomcat", "kind": "open", "version": "9", "optional": True},
        {"name": "Oracle Database", "kind": "proprietary", "versionMin": "19c", "optional": True},
    ]
    assert s.supports == ["spid", "cie", "pagopa"]
    assert [(r.version, r.date) for r in s.releases.all()] == [("2.3.1", dt.date(2023, 11, 20))]
    assert s.latest_release_date == dt.date(2023, 11, 20)
    # Keys the catalogue does not manage are kept for the export; usedBy is never taken from a file.
    assert s.publiccode_extra["supports"] == [{"id": "alias:gdpr"}]  # the 0.2 conforme.gdpr, as 0.7 writes it
    assert "description" not in s.publiccode_extra  # genericName is deprecated and has no replacement in 0.7
    assert s.publiccode_extra["maintenance"]["contractors"] == [
        {"email": "assistenza@servizi-marche.example", "website": "https://servizi-marche.example"}]
    assert s.publiccode_extra["intendedAudience"] == {"countries": ["IT"]}  # upper case, as 0.7 wants it
    assert s.publiccode_extra["usedBy"] == ["Comune di Pesaro"]  # declared by the owner, kept apart from adoptions


def test_creating_by_import_records_the_publication_events(cst_admin, pesaro):
    result = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)
    events = PublicationEvent.objects.filter(solution=result.solution).order_by("pk")
    assert [(e.from_status, e.to_status, e.actor, e.reason) for e in events] == [
        ("", "draft", cst_admin, IMPORT_REASON),
        ("draft", "in_review", cst_admin, IMPORT_REASON),
        ("in_review", "published", cst_admin, IMPORT_REASON),
    ]


def test_a_0_4_file_without_an_owner_code_uses_the_owner_given(fano, cst_admin):
    result = import_publiccode(read("v0_4_owner_by_argument.yml"), by=cst_admin, owner=fano)
    assert result.ok
    s = Solution.objects.get(pk=result.solution.pk)
    assert s.owner == fano
    assert s.platforms == ["web"]
    assert s.short_description_it.startswith("Pubblicazione degli atti")  # from description.it-IT
    assert s.contacts == [{"name": "Maria Rossi", "email": "maria.rossi@cstpu.example", "phone": "+39 0721 000000",
                           "affiliation": "CST Pesaro e Urbino"}]
    assert s.supports == ["spid", "io"]  # from the uppercase IT section
    assert s.publiccode_extra["description"]["it"] == {"videos": ["https://www.youtube.com/watch?v=cstpu-albo"]}


def test_a_0_4_file_naming_no_public_body_belongs_to_its_repository_organisation(cst_admin):
    result = import_publiccode(read("v0_4_owner_by_argument.yml"), by=cst_admin)
    assert result.ok, result.errors
    owner = Solution.objects.get(pk=result.solution.pk).owner
    assert (owner.kind, owner.is_member) == ("terzo", False)
    assert owner.uri.startswith("https://")


def test_a_file_naming_no_owner_and_no_repository_organisation_is_refused(cst_admin):
    from tests.catalog.publiccode_helpers import dump, valid_doc

    before = counts()
    result = import_publiccode(dump(valid_doc(url="https://example.org/app", organisation=None)), by=cst_admin)
    assert not result.ok
    assert result.errors[0].path == "organisation.uri"
    assert "ente titolare" in result.errors[0].message
    assert counts() == before


def test_a_0_7_file_with_organisation_uri_creates_a_solution_of_that_body(pesaro, publisher_pesaro):
    result = import_publiccode(read("v0_7_organisation_uri.yml"), by=publisher_pesaro)
    assert result.ok
    s = Solution.objects.get(pk=result.solution.pk)
    assert s.owner == pesaro
    assert s.licence == "EUPL-1.2 OR AGPL-3.0-or-later"
    assert s.supports == ["anpr"]
    assert s.publiccode_extra["fundedBy"] == [{"name": "Ministero dell'Economia e delle Finanze",
                                               "uri": "https://www.mef.gov.it"}]
    assert "organisation" not in s.publiccode_extra


def test_the_0_1_tags_key_is_refused_as_the_official_validator_refuses_it(cst_admin, pesaro):
    result = import_publiccode(dump(valid_doc(tags=["Tributi locali", "IMU"])), by=cst_admin)
    assert [e.path for e in result.errors] == ["tags"]
    assert "chiave sconosciuta" in result.errors[0].message


def test_the_0_7_supports_list_marks_the_platforms(cst_admin, pesaro):
    doc = valid_doc(publiccodeYmlVersion="0.7", supports=[{"id": "alias:spid"}, {"id": "alias:pagopa"},
                                                          {"id": "alias:gdpr"}])
    result = import_publiccode(dump(doc), by=cst_admin)
    assert result.ok, result.errors
    s = Solution.objects.get(pk=result.solution.pk)
    assert s.supports == ["spid", "pagopa"]
    assert s.publiccode_extra["supports"] == [{"id": "alias:gdpr"}]  # the platforms live in supports_*


def test_a_file_without_an_italian_description_is_imported_with_a_warning(cst_admin, pesaro):
    doc = valid_doc(categories=None)
    doc["description"] = {"en": {**doc["description"]["it"], "shortDescription": "Records management."}}
    result = import_publiccode(dump(doc), by=cst_admin)
    assert result.ok, result.errors
    assert [w.path for w in result.warnings] == ["description.it", "categories"]
    assert result.solution.short_description_it == "Records management."  # to translate


# --- updating instead of duplicating -------------------------------------------------------------------------------

def test_reimporting_a_file_with_the_same_url_updates_the_solution(cst_admin, pesaro):
    first = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)
    changed = read("v0_2_it_riuso.yml").replace(b'softwareVersion: "2.3.1"', b'softwareVersion: "2.4.0"').replace(
        b'releaseDate: "2023-11-20"', b'releaseDate: "2024-04-02"').replace(
        b"Sportello Tributi Online\n", b"Sportello Tributi\n", 1)
    before = counts()

    second = import_publiccode(changed, by=cst_admin)

    assert second.ok and not second.created, second.errors
    assert second.solution.pk == first.solution.pk
    assert Solution.objects.count() == before["solutions"]
    s = Solution.objects.get(pk=first.solution.pk)
    assert s.name == "Sportello Tributi"
    assert s.slug == "sportello-tributi-online"  # the address of the page does not change
    assert list(s.releases.values_list("version", flat=True)) == ["2.4.0", "2.3.1"]
    assert s.latest_release_date == dt.date(2024, 4, 2)
    assert PublicationEvent.objects.filter(solution=s).count() == 3  # created, submitted and published by the first import; none by the second


def test_a_new_version_that_arrives_by_import_tells_the_adopting_bodies(cst_admin, pesaro, fano, referent_fano):
    first = import_publiccode(dump(valid_doc()), by=cst_admin)
    AdoptionFactory(solution=first.solution, body=fano, status=Adoption.Status.IN_PRODUCTION)

    again = import_publiccode(dump(valid_doc()), by=cst_admin)  # the same version: nobody is told twice
    newer = import_publiccode(dump(valid_doc(softwareVersion="5.3", releaseDate="2025-02-14")), by=cst_admin)

    assert again.ok and newer.ok
    told = Notification.objects.filter(kind="release.added")
    assert [(n.recipient, n.params["version"]) for n in told] == [(referent_fano, "5.3")]
    assert Solution.objects.get(pk=first.solution.pk).latest_release_date == dt.date(2025, 2, 14)


def test_an_unknown_category_is_refused_as_by_the_publisher_form(cst_admin, pesaro):
    Category.objects.filter(code="document-management").delete()  # known to the standard, not to this catalogue
    before = counts()
    result = import_publiccode(dump(valid_doc()), by=cst_admin)
    assert [e.path for e in result.errors] == ["categories"]
    assert counts() == before


def test_reimporting_keeps_the_publication_status_kind_and_origin(cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, repository_url="https://code.cstpu.example/pesaro/sportello-tributi.git",
                               kind="service", origin="fiscat", status="published")
    result = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)
    solution.refresh_from_db()
    assert result.solution.pk == solution.pk
    assert (solution.status, solution.kind, solution.origin) == ("published", "service", "fiscat")
    assert solution.name == "Sportello Tributi Online"


def test_a_dry_run_checks_everything_and_writes_nothing(cst_admin, pesaro):
    before = counts()
    result = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin, dry_run=True)
    assert result.ok and result.created and result.dry_run
    assert result.solution.name == "Sportello Tributi Online"
    assert counts() == before


# --- refused files write nothing -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b"name: [\n", ""),
        (read("alias_bomb.yml"), "e"),  # where the expansion of the aliases passed the limit
        (read("not_a_mapping.yml"), "publiccodeYmlVersion"),
        (dump(valid_doc(name=["a", "b"])), "name"),
        (dump(valid_doc(legal={"license": "Proprietaria"})), "legal.license"),
        (dump(valid_doc(releaseDate="2024-13-01")), "releaseDate"),
        (dump(valid_doc(url="non un indirizzo")), "url"),
        (dump(valid_doc(categories=["catasto"])), "categories[0]"),
        (dump(valid_doc(organisation={"name": "Ignoto", "uri": "urn:x-italian-pa:c_zzzz"})), "organisation.uri"),
        ("name: città\n".encode("latin-1"), ""),
    ],
    ids=["not-yaml", "alias-bomb", "not-a-mapping", "wrong-type", "bad-spdx", "bad-date", "bad-url",
         "unknown-category", "unknown-ipa", "not-utf-8"],
)
def test_a_refused_file_writes_nothing(cst_admin, raw, path):
    before = counts()
    result = import_publiccode(raw, by=cst_admin)
    assert not result.ok and result.solution is None
    assert path in [e.path for e in result.errors]
    assert all(e.message for e in result.errors)
    assert counts() == before


def test_a_refused_file_over_one_megabyte_writes_nothing(cst_admin, settings):
    before = counts()
    result = import_publiccode(dump(valid_doc()) + b"#" * settings.PUBLICCODE_MAX_BYTES, by=cst_admin)
    assert not result.ok and "1 MB" in result.errors[0].message
    assert counts() == before


def test_a_too_long_short_description_writes_nothing(cst_admin):
    doc = valid_doc()
    doc["description"]["it"]["shortDescription"] = "y" * 200
    before = counts()
    result = import_publiccode(dump(doc), by=cst_admin)
    assert [e.path for e in result.errors] == ["description.it.shortDescription"]
    assert counts() == before


def test_a_refused_update_leaves_the_solution_as_it_was(cst_admin, pesaro):
    first = import_publiccode(read("v0_2_it_riuso.yml"), by=cst_admin)
    broken = read("v0_2_it_riuso.yml").replace(b"license: EUPL-1.2", b"license: Boh")
    result = import_publiccode(broken, by=cst_admin)
    assert not result.ok
    assert Solution.objects.get(pk=first.solution.pk).licence == "EUPL-1.2"


# --- who may import ----------------------------------------------------------------------------------------------------

def test_a_publisher_may_import_for_their_own_body(publisher_pesaro, pesaro):
    assert import_publiccode(dump(valid_doc()), by=publisher_pesaro).ok


def test_a_publisher_may_not_import_for_another_body(publisher_pesaro, fano):
    before = counts()
    doc = valid_doc(organisation={"name": "Comune di Fano", "uri": "urn:x-italian-pa:c_d488"})
    result = import_publiccode(dump(doc), by=publisher_pesaro)
    assert [e.path for e in result.errors] == ["organisation.uri"]
    assert "permessi" in result.errors[0].message
    assert counts() == before


def test_a_publisher_may_not_choose_another_body_as_owner(publisher_pesaro, fano):
    result = import_publiccode(read("v0_4_owner_by_argument.yml"), by=publisher_pesaro, owner=fano)
    assert not result.ok and "permessi" in result.errors[0].message


def test_a_publisher_may_not_update_another_body_s_solution_through_its_url(publisher_pesaro, fano):
    SolutionFactory(owner=fano, repository_url="https://code.cstpu.example/cst/albo-pretorio.git")
    result = import_publiccode(read("v0_4_owner_by_argument.yml"), by=publisher_pesaro)
    assert not result.ok
    assert Solution.objects.filter(repository_url__contains="albo-pretorio").get().owner == fano


def test_a_member_without_publisher_role_may_not_import(member_fano, fano):
    result = import_publiccode(read("v0_4_owner_by_argument.yml"), by=member_fano, owner=fano)
    assert not result.ok


def test_cst_staff_may_import_for_any_body(cst_admin, fano):
    doc = valid_doc(organisation={"name": "Comune di Fano", "uri": "urn:x-italian-pa:c_d488"})
    result = import_publiccode(dump(doc), by=cst_admin)
    assert result.ok and result.solution.owner == fano


def test_the_owner_chosen_must_match_the_owner_named_in_the_file(cst_admin, fano):
    result = import_publiccode(dump(valid_doc()), by=cst_admin, owner=fano)
    assert [e.path for e in result.errors] == ["organisation.uri"]
    assert "Comune di Fano" in result.errors[0].message


def test_a_repository_already_owned_by_another_body_cannot_change_owner(cst_admin, fano, pesaro):
    SolutionFactory(owner=fano, repository_url=valid_doc()["url"])
    result = import_publiccode(dump(valid_doc()), by=cst_admin)
    assert [e.path for e in result.errors] == ["url"]


def test_a_retired_solution_can_be_reimported_only_by_cst_staff(publisher_pesaro, cst_admin, pesaro):
    SolutionFactory(owner=pesaro, repository_url=valid_doc()["url"], status="retired")
    assert not import_publiccode(dump(valid_doc()), by=publisher_pesaro).ok
    assert import_publiccode(dump(valid_doc()), by=cst_admin).ok


def test_what_the_catalogue_misses_comes_back_as_warnings_of_a_successful_import(cst_admin, pesaro):
    result = import_publiccode(dump(valid_doc(categories=None)), by=cst_admin)
    assert result.ok
    assert [w.path for w in result.warnings] == ["categories"]


def test_available_languages_are_required_as_the_standard_requires_them(cst_admin, pesaro):
    result = import_publiccode(dump(valid_doc(localisation={"localisationReady": False})), by=cst_admin)
    assert [e.path for e in result.errors] == ["localisation.availableLanguages"]


@pytest.mark.postgres
def test_an_imported_solution_is_found_by_the_full_text_search(cst_admin, pesaro):
    from catalog.solutions.search import search_solutions

    result = import_publiccode(read("v0_7_organisation_uri.yml"), by=cst_admin)
    found = search_solutions(Solution.objects.all(), "catastale")
    assert result.solution.pk in set(found.values_list("pk", flat=True))
