"""/api/v1/software/: the published catalogue in the shape of the national Software Catalog API's `software` list —
its fields, its cursor pagination (page[size], page[after], page[before], links as query strings) and the
changes-since filter `from`."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import parse_qs

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog.adoptions.services import transition_adoption
from catalog.models import Solution
from catalog.publiccode.mapping import portal_url
from catalog.publiccode.parser import parse_publiccode
from catalog.solutions.services import add_release, retire_solution
from catalog.workflow import Action
from tests.api.conftest import client_for
from tests.factories import AdoptionFactory, ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/software/"
FIELDS = {"id", "url", "aliases", "publiccodeYml", "active", "vitality", "createdAt", "updatedAt"}
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def walk(api, params: dict) -> list[list[str]]:
    """Every page reached by following links.next, as lists of ids."""
    pages = []
    response = api.get(LIST, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([item["id"] for item in body["data"]])
        if body["links"]["next"] is None:
            return pages
        response = api.get(LIST + body["links"]["next"])


def query_of(link: str) -> dict[str, list[str]]:
    assert link.startswith("?")
    return parse_qs(link[1:])


# --- shape ----------------------------------------------------------------------------------------------------


def test_lists_the_published_solutions_in_the_national_shape(api, catalogue):
    response = api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "links"}
    assert body["links"] == {"prev": None, "next": None}
    items = {item["id"]: item for item in body["data"]}
    assert set(items) == {"tributi", "catasto", "protocollo"}  # not the draft
    for slug, item in items.items():
        solution = Solution.objects.get(slug=slug)
        assert set(item) == FIELDS
        assert item["aliases"] == [] and item["vitality"] is None and item["active"] is True
        assert item["url"] == (solution.repository_url or portal_url(slug))
        assert parse_publiccode(item["publiccodeYml"]).data["name"] == solution.name
        assert item["createdAt"].endswith("Z") and item["updatedAt"].endswith("Z")
        assert dt.datetime.fromisoformat(item["updatedAt"]) >= solution.updated_at - dt.timedelta(microseconds=1)


def test_every_publiccode_yml_of_the_demo_validates(api, settings):
    settings.DEBUG = True  # seed_demo's own guard
    call_command("seed_demo", stdout=io.StringIO())
    data = api.get(LIST, {"page[size]": 100}).json()["data"]
    assert len(data) >= 7
    assert {item["id"]: parse_publiccode(item["publiccodeYml"]).errors for item in data} == {
        item["id"]: [] for item in data
    }


def test_a_solution_without_repository_is_at_its_portal_page(api, catalogue):
    Solution.objects.filter(slug="protocollo").update(repository_url="")
    item = api.get(LIST + "protocollo/").json()
    assert item["url"] == portal_url("protocollo") == f"{settings.SITE_URL}/catalogo/soluzioni/protocollo/"
    assert parse_publiccode(item["publiccodeYml"]).data["url"] == item["url"]


def test_publiccode_yml_leaves_the_contacts_out_whoever_asks(catalogue, publisher_pesaro):
    Solution.objects.filter(slug="tributi").update(
        contacts=[{"name": "Mario Rossi", "email": "mario.rossi@comune.pesaro.pu.it"}]
    )
    for client in (client_for(publisher_pesaro), APIClient()):
        assert "mario.rossi" not in client.get(LIST + "tributi/").json()["publiccodeYml"]


def test_one_software_by_its_id(api, catalogue):
    response = api.get(LIST + "catasto/")
    assert response.status_code == 200
    assert set(response.json()) == FIELDS and response.json()["id"] == "catasto"


@pytest.mark.parametrize("slug", ["bozza-pesaro", "non-esiste"])
def test_a_draft_or_an_unknown_id_is_404(api, catalogue, slug):
    response = api.get(LIST + f"{slug}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_a_retired_solution_leaves_the_list(api, catalogue, cst_admin):
    retire_solution(catalogue["catasto"], by=cst_admin, reason="Sostituita dal nuovo catasto.")
    assert "catasto" not in [item["id"] for item in api.get(LIST).json()["data"]]
    assert api.get(LIST + "catasto/").status_code == 404


def test_a_token_changes_nothing(api, catalogue, publisher_pesaro):
    """The draft a publisher may see elsewhere in the API is not published: the list is the same for everybody."""
    assert client_for(publisher_pesaro).get(LIST).json()["data"] == api.get(LIST).json()["data"]


# --- pages ----------------------------------------------------------------------------------------------------


@pytest.fixture
def seven(pesaro):
    """Seven published solutions changed one minute apart, in slug order."""
    solutions = []
    for n in range(7):
        with time_machine.travel(T0 + dt.timedelta(minutes=n), tick=False):
            solutions.append(SolutionFactory(slug=f"s{n}", owner=pesaro))
    return solutions


def test_pages_follow_each_other_without_gaps_or_repeats(api, seven):
    pages = walk(api, {"page[size]": 3})
    assert pages == [["s0", "s1", "s2"], ["s3", "s4", "s5"], ["s6"]]


def test_the_default_page_has_25_and_100_is_the_most(api, pesaro):
    with time_machine.travel(T0, tick=False):
        SolutionFactory.create_batch(101, owner=pesaro)
    assert len(api.get(LIST).json()["data"]) == 25
    assert len(api.get(LIST, {"page[size]": 100}).json()["data"]) == 100


def test_prev_walks_back_to_the_first_page(api, seven):
    first = api.get(LIST, {"page[size]": 3}).json()
    assert first["links"]["prev"] is None
    second = api.get(LIST + first["links"]["next"]).json()
    third = api.get(LIST + second["links"]["next"]).json()
    assert third["links"]["next"] is None
    back = api.get(LIST + third["links"]["prev"]).json()
    assert [item["id"] for item in back["data"]] == ["s3", "s4", "s5"]
    assert back["links"]["next"] is not None
    start = api.get(LIST + back["links"]["prev"]).json()
    assert [item["id"] for item in start["data"]] == ["s0", "s1", "s2"]
    assert start["links"]["prev"] is None and start["links"]["next"] is not None


def test_links_are_query_strings_that_keep_the_page_size_and_the_filter(api, seven):
    since = (T0 + dt.timedelta(minutes=2)).isoformat().replace("+00:00", "Z")
    body = api.get(LIST, {"page[size]": 2, "from": since}).json()
    query = query_of(body["links"]["next"])
    assert set(query) == {"page[after]", "page[size]", "from"}
    assert query["page[size]"] == ["2"] and query["from"] == [since]
    assert body["links"]["next"].startswith("?page[after]=")


def test_a_solution_changed_during_a_walk_is_read_again_at_its_end(api, seven):
    first = api.get(LIST, {"page[size]": 3}).json()
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        Solution.objects.get(slug="s1").save()
    rest = walk(api, dict(parse_qs(first["links"]["next"][1:])))
    assert rest == [["s3", "s4", "s5"], ["s6", "s1"]]


def test_page_before_and_after_together_give_what_lies_between(api, seven):
    pages = api.get(LIST, {"page[size]": 1}).json()
    after = query_of(pages["links"]["next"])["page[after]"][0]  # after s0
    last = api.get(LIST, {"page[size]": 6}).json()
    before = query_of(last["links"]["next"])["page[after]"][0]  # s5
    body = api.get(LIST, {"page[after]": after, "page[before]": before, "page[size]": 10}).json()
    assert [item["id"] for item in body["data"]] == ["s1", "s2", "s3", "s4"]


# --- changes since ----------------------------------------------------------------------------------------------


def ids(api, **params) -> list[str]:
    response = api.get(LIST, {"page[size]": 100, **params})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def test_from_keeps_what_changed_at_or_after_it(api, seven):
    assert ids(api, **{"from": "2026-03-02T09:04:00Z"}) == ["s4", "s5", "s6"]
    assert ids(api, **{"from": "2026-03-02T10:04:00+01:00"}) == ["s4", "s5", "s6"]  # the same instant
    assert ids(api, **{"from": "2026-03-02T09:04:00.000001Z"}) == ["s5", "s6"]
    assert ids(api, **{"from": "2027-01-01T00:00:00Z"}) == []
    assert ids(api, **{"from": "0001-01-01T00:00:00+01:00"}) == [f"s{n}" for n in range(7)]


def test_a_new_release_and_a_body_going_live_are_changes(api, seven, referent_fano, publisher_pesaro):
    since = "2026-03-02T12:00:00Z"
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        add_release(seven[1], by=publisher_pesaro, version="2.0.0", date=dt.date(2026, 3, 2))
        ReleaseFactory(solution=seven[2], version="1.0.0")  # written as it stands: no change of the solution
        adoption = AdoptionFactory(solution=seven[2], status="in_progress", environment="production")
    assert ids(api, **{"from": since}) == ["s1"]  # an adoption in progress is not in usedBy
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        transition_adoption(adoption, action=Action.GO_LIVE, by=referent_fano, adopted_version="1.0.0",
                            environment="production", go_live_date=dt.date(2026, 3, 2))
    assert ids(api, **{"from": since}) == ["s1", "s2"]
    item = api.get(LIST + "s2/").json()
    assert item["updatedAt"] == "2026-03-02T14:00:00Z"
    assert "Comune di Fano" in item["publiccodeYml"]


# --- refusals ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["0", "101", "-1", "1.5", "venti", ""])
def test_a_page_size_out_of_range_is_refused(api, seven, size):
    response = api.get(LIST, {"page[size]": size})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "page[size]"


@pytest.mark.parametrize("since", ["2026-03-02", "2026-03-02T09:00:00", "ieri", "2026-13-02T09:00:00Z", ""])
def test_a_from_that_is_not_rfc_3339_is_refused(api, seven, since):
    response = api.get(LIST, {"from": since})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "from"


@pytest.mark.parametrize("cursor", ["x", "WzEsMl0", "bm90IGpzb24", "W10", "\x00", "a" * 300])
def test_a_cursor_this_endpoint_did_not_write_is_404(api, seven, cursor):
    for name in ("page[after]", "page[before]"):
        response = api.get(LIST, {name: cursor})
        assert response.status_code == 404
        assert response.json()["errors"][0]["detail"] == "Cursore non valido."


def test_vitality_is_the_latest_days_scores_comma_separated_as_the_national_catalogue_writes_them(api, catalogue):
    from catalog.models import VitalityDay

    solution = Solution.objects.filter(status="published").order_by("pk").first()
    for day, score in ((dt.date(2026, 3, 1), 50), (dt.date(2026, 3, 2), 61)):
        VitalityDay.objects.create(
            solution=solution, day=day, value=score, user_community=4, code_activity=2, release_history=20,
            longevity=35, authors=1, commits=0, merges=0, releases=0, age_days=900,
            scores=",".join([str(score - 1)] * 59 + [str(score)]), computed_at=T0,
        )
    Solution.objects.filter(pk=solution.pk).update(vitality=61)
    items = {item["id"]: item for item in api.get(LIST).json()["data"]}
    assert items[solution.slug]["vitality"] == ",".join(["60"] * 59 + ["61"])
    assert [item["vitality"] for slug, item in items.items() if slug != solution.slug] == [None] * (len(items) - 1)
    assert api.get(f"{LIST}{solution.slug}/").json()["vitality"].endswith(",60,61")
    Solution.objects.filter(pk=solution.pk).update(vitality=None)  # its source removed
    assert api.get(f"{LIST}{solution.slug}/").json()["vitality"] is None
