"""Any public body can own a catalogue entry: a body outside the CST is recorded as an external body (listed, no
members), named from the file; a file that names no public body belongs to a third-party publisher. Reusing an
external solution needs no permission from its owner: the portal approves the request at once."""

from __future__ import annotations

import pytest

from catalog.adoptions import services as adoptions
from catalog.models import Adoption, Solution
from catalog.publiccode.services import import_publiccode, repository_organisation
from catalog.workflow import Action, AdoptionStatus
from municipalities.models import Body
from tests.catalog.publiccode_helpers import dump, valid_doc

pytestmark = pytest.mark.django_db

BARI = {"name": "Comune di Bari", "uri": "urn:x-italian-pa:c_a662"}


def _bari_doc(**changes):
    return valid_doc(
        url="https://github.com/comune-di-bari/mensa-scolastica", name="Mensa scolastica", organisation=BARI, **changes
    )


def test_a_file_of_an_italian_body_outside_the_cst_creates_an_external_body(cst_admin):
    result = import_publiccode(dump(_bari_doc()), by=cst_admin)

    assert result.ok, result.errors
    bari = result.solution.owner
    assert (bari.name, bari.ipa_code, bari.kind, bari.is_member, bari.belfiore_code) == (
        "Comune di Bari", "c_a662", Body.Kind.COMUNE, False, "A662")
    bari.refresh_from_db()
    assert bari.key == "c_a662"
    assert not bari.memberships.exists()
    # CST staff import: published at once, with its history.
    assert result.solution.status == Solution.Status.PUBLISHED
    assert list(result.solution.publication_events.values_list("to_status", flat=True).order_by("pk")) == [
        "draft", "in_review", "published"]


def test_a_second_file_of_the_same_body_reuses_it_and_never_renames_it(cst_admin):
    first = import_publiccode(dump(_bari_doc()), by=cst_admin).solution.owner
    Body.objects.filter(pk=first.pk).update(name="Comune di Bari (corretto dal CST)")
    second = import_publiccode(dump(valid_doc(
        url="https://github.com/comune-di-bari/tributi", name="Tributi di Bari",
        organisation={"name": "Città di Bari", "uri": "urn:x-italian-pa:C_A662"},
    )), by=cst_admin)

    assert second.ok, second.errors
    assert second.solution.owner_id == first.pk
    assert Body.objects.get(pk=first.pk).name == "Comune di Bari (corretto dal CST)"
    assert Body.objects.filter(ipa_code__iexact="c_a662").count() == 1


def test_a_body_abroad_is_recorded_by_its_organisation_uri(cst_admin):
    doc = valid_doc(url="https://github.com/amsterdam/signals", name="Signals",
                    organisation={"name": "Gemeente Amsterdam", "uri": "https://www.amsterdam.nl"})
    result = import_publiccode(dump(doc), by=cst_admin)

    assert result.ok, result.errors
    owner = result.solution.owner
    assert (owner.name, owner.kind, owner.uri, owner.is_member, owner.is_public_body) == (
        "Gemeente Amsterdam", Body.Kind.ESTERO, "https://www.amsterdam.nl", False, True)


def test_a_file_naming_no_public_body_belongs_to_the_organisation_of_its_repository(cst_admin):
    doc = valid_doc(url="https://github.com/openfoo/office-suite", name="Office Suite", organisation=None,
                    legal={"license": "MPL-2.0", "repoOwner": "OpenFoo Foundation"})
    result = import_publiccode(dump(doc), by=None)

    assert result.ok, result.errors
    owner = result.solution.owner
    assert (owner.name, owner.kind, owner.uri, owner.is_public_body) == (
        "OpenFoo Foundation", Body.Kind.TERZO, "https://github.com/openfoo", False)


def test_owner_given_wins_for_third_party_software(cst_admin, pesaro):
    doc = valid_doc(url="https://github.com/openfoo/office-suite", organisation=None)
    result = import_publiccode(dump(doc), by=cst_admin, owner=pesaro)

    assert result.ok, result.errors
    assert result.solution.owner_id == pesaro.pk


def test_only_cst_staff_record_an_external_body(publisher_pesaro):
    result = import_publiccode(dump(_bari_doc()), by=publisher_pesaro)

    assert not result.ok
    assert [e.path for e in result.errors] == ["organisation.uri"]
    assert "solo lo staff del CST" in result.errors[0].message
    assert not Body.objects.filter(ipa_code__iexact="c_a662").exists()


def test_a_dry_run_records_no_external_body(cst_admin):
    result = import_publiccode(dump(_bari_doc()), by=cst_admin, dry_run=True)

    assert result.ok, result.errors
    assert not Body.objects.filter(ipa_code__iexact="c_a662").exists()
    assert not Solution.objects.filter(name="Mensa scolastica").exists()


def test_a_publishers_import_enters_the_usual_review(publisher_pesaro):
    doc = valid_doc(url="https://github.com/comune-di-pesaro/nuova-app", name="Nuova app")
    result = import_publiccode(dump(doc), by=publisher_pesaro)

    assert result.ok, result.errors
    assert result.solution.status == Solution.Status.IN_REVIEW


def test_a_request_for_an_external_solution_is_approved_at_once_by_the_portal(cst_admin, referent_fano, fano):
    solution = import_publiccode(dump(_bari_doc()), by=cst_admin).solution

    adoption = adoptions.request_adoption(solution=solution, body=fano, by=referent_fano)

    adoption.refresh_from_db()
    assert adoption.status == AdoptionStatus.APPROVED
    assert adoption.decided_at is not None
    events = list(adoption.events.order_by("sequence").values_list("action", "actor_id", "by_portal"))
    assert events == [(Action.REQUEST, referent_fano.pk, False), (Action.APPROVE, None, True)]


def test_the_timeline_says_the_portal_approved(cst_admin, referent_fano, fano, client):
    solution = import_publiccode(dump(_bari_doc()), by=cst_admin).solution
    adoption = adoptions.request_adoption(solution=solution, body=fano, by=referent_fano)

    client.force_login(referent_fano)
    page = client.get(adoption.get_absolute_url()).content.decode()

    assert "Il portale" in page
    assert "il riuso non richiede la sua autorizzazione" in page


def test_a_request_for_a_member_solution_still_waits_for_the_owner(pesaro, fano, referent_fano):
    from tests.factories import SolutionFactory

    solution = SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED)
    adoption = adoptions.request_adoption(solution=solution, body=fano, by=referent_fano)

    assert Adoption.objects.get(pk=adoption.pk).status == AdoptionStatus.REQUESTED


def test_an_external_body_cannot_ask_to_adopt(cst_admin, pesaro):
    from catalog import permissions
    from tests.factories import SolutionFactory

    bari = import_publiccode(dump(_bari_doc()), by=cst_admin).solution.owner
    solution = SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED)

    assert not permissions.can_request_adoption(cst_admin, solution, bari)
    assert bari not in permissions.bodies_that_may_request(cst_admin, solution)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://github.com/comune-x/app", ("https://github.com/comune-x", "comune-x")),
    ("https://GitLab.com/Org/Group/app.git", ("https://gitlab.com/Org", "Org")),
    ("https://example.org/app", ("", "")),
    ("ftp://github.com/a/b", ("", "")),
    ("", ("", "")),
])
def test_repository_organisation(url, expected):
    assert repository_organisation(url) == expected
