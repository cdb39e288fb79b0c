"""A catalogue as a source: another catalogue's `software` list harvested into this one (entries of bodies outside
the CST only), against real HTTP servers on 127.0.0.1 and, at the end, another instance of the portal."""

from __future__ import annotations

import io
import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.harvest import services
from catalog.harvest.querysets import harvested_fields
from catalog.models import CatalogSourceEntry, HarvestRun, RepositoryAlias, Solution, Source
from cstportal.errors import Invalid, NotAllowed
from cstportal.notifications.models import Notification
from municipalities.models import Body
from tests.catalog.publiccode_helpers import dump, valid_doc

from . import test_catalog_source as reading
from .conftest import harvest
from .test_catalog_source import catalogue, send

pytestmark = pytest.mark.django_db

BARI = "urn:x-italian-pa:c_a662"


@pytest.fixture
def allowed(settings, harvest_dirs):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]


def yml(
    name: str, url: str, *, version: str = "1.0", uri: str = BARI, organisation: str = "Comune di Bari", **changes
) -> str:
    return dump(
        valid_doc(
            name=name, url=url, softwareVersion=version, organisation={"name": organisation, "uri": uri}, **changes
        )
    ).decode()


def item(
    n: int,
    *,
    updated: str = "2026-03-01T10:00:00Z",
    version: str = "1.0",
    active: bool = True,
    aliases: list[str] | None = None,
    url: str | None = None,
    text: str | None = None,
) -> dict:
    url = url or f"https://git.bari.example/bari/app-{n}"
    return {
        "id": f"id-{n}",
        "url": url,
        "aliases": aliases or [],
        "active": active,
        "vitality": None,
        "publiccodeYml": text if text is not None else yml(f"App di Bari {n}", url, version=version),
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": updated,
    }


class Listing:
    """What the catalogue lists now, answered as this portal's endpoint does: `from` is "changed since"."""

    def __init__(self, items: list[dict]) -> None:
        self.items = items

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(handler.path).query)
        since = query.get("from", [""])[0]
        data = sorted((i for i in self.items if not since or i["updatedAt"] >= since), key=lambda i: i["updatedAt"])
        send(handler, json.dumps({"data": data, "links": {"prev": None, "next": None}}).encode())


def register(server, cst_admin) -> Source:
    source = services.register_source(url=server.base + "/api/v1/software/", by=cst_admin, body=None, kind="catalog")
    HarvestRun.objects.filter(source=source).delete()
    return source


def test_a_catalogue_is_cst_staffs_and_has_no_body(allowed, cst_admin, publisher_pesaro, pesaro):
    with pytest.raises(NotAllowed):
        services.register_source(
            url="https://catalogo.example/api/v1/software/", by=publisher_pesaro, body=pesaro, kind="catalog"
        )
    with pytest.raises(Invalid) as refused:
        services.register_source(url="ftp://catalogo.example/x", by=cst_admin, body=None, kind="catalog")
    assert refused.value.errors["url"]
    source = services.register_source(
        url="https://catalogo.example/api/v1/software/", by=cst_admin, body=pesaro, kind="catalog"
    )
    assert (source.kind, source.body) == ("catalog", None)


def test_entries_become_solutions_of_the_bodies_they_name_and_a_second_run_writes_nothing(allowed, cst_admin):
    listing = Listing([item(1), item(2, aliases=["https://old.bari.example/app-2"])])
    with catalogue(listing) as server:
        source = register(server, cst_admin)
        run = harvest(source)
        assert run.outcome == "created", run.errors
        bari = Body.objects.get(ipa_code="c_a662")
        assert not bari.is_member
        solutions = Solution.objects.filter(owner=bari).order_by("name")
        assert [(s.name, s.status) for s in solutions] == [
            ("App di Bari 1", "published"),
            ("App di Bari 2", "published"),
        ]
        assert list(solutions[0].releases.values_list("version", flat=True)) == ["1.0"]
        assert list(RepositoryAlias.objects.values_list("url", flat=True)) == ["https://old.bari.example/app-2"]
        assert source.catalog_since is not None
        assert "name" in harvested_fields(solutions[0])

        # Nothing new: the walk asks for what changed since, reads the last entry again, writes nothing.
        entries = list(CatalogSourceEntry.objects.values_list("pk", "fingerprint", "updated_at"))
        stamps = list(Solution.objects.values_list("pk", "updated_at"))
        again = harvest(source)
        assert (again.outcome, again.changes, again.errors) == ("unchanged", [], [])
        assert list(CatalogSourceEntry.objects.values_list("pk", "fingerprint", "updated_at")) == entries
        assert list(Solution.objects.values_list("pk", "updated_at")) == stamps
        assert "from" in parse_qs(urlsplit(server.requests[-1]).query)

        # A new version of one entry: a release, and only that entry read again.
        listing.items[0] = item(1, version="1.1", updated="2026-03-02T10:00:00Z")
        third = harvest(source)
        assert third.outcome == "updated"
        assert {"kind": "entry_release", "params": {"solution": "App di Bari 1", "version": "1.1"}} in third.changes


def test_an_entry_of_a_member_body_or_a_broken_one_is_reported_at_its_paths_and_changes_nothing(
    allowed, cst_admin, pesaro
):
    pesaro_url = "https://git.pesaro.example/pesaro/app"
    listing = Listing(
        [
            item(1),
            item(
                2,
                url=pesaro_url,
                text=yml("App di Pesaro", pesaro_url, uri="urn:x-italian-pa:c_g479", organisation="Comune di Pesaro"),
            ),
            item(3, text="publiccodeYmlVersion: '0.4'\nname: Rotto\n"),
        ]
    )
    with catalogue(listing) as server:
        source = register(server, cst_admin)
        run = harvest(source)
    assert run.outcome == "created"
    assert list(Solution.objects.values_list("name", flat=True)) == ["App di Bari 1"]
    paths = {error["path"] for error in run.errors}
    assert "id-2: organisation.uri" in paths
    assert any(path.startswith("id-3: ") for path in paths)
    member = next(error for error in run.errors if error["path"] == "id-2: organisation.uri")
    assert "Pesaro" in member["messages"]["it"] and member["messages"]["en"]
    # Told once: CST staff, of the new errors.
    assert Notification.objects.filter(kind="harvest.errors").count() >= 1


def test_an_entry_withdrawn_by_the_catalogue_retires_its_solution(allowed, cst_admin):
    listing = Listing([item(1), item(2)])
    with catalogue(listing) as server:
        source = register(server, cst_admin)
        harvest(source)
        listing.items[1] = item(2, active=False, updated="2026-03-05T10:00:00Z")
        run = harvest(source)
    assert run.outcome == "updated"
    assert dict(Solution.objects.values_list("name", "status")) == {
        "App di Bari 1": "published",
        "App di Bari 2": "retired",
    }
    assert run.changes == [{"kind": "retired", "params": {"solution": "App di Bari 2"}}]


def test_a_catalogue_that_does_not_answer_fails_and_keeps_its_cursor(allowed, cst_admin):
    def broken(handler: BaseHTTPRequestHandler) -> None:
        send(handler, b"{}", status=503)

    with catalogue(broken) as server:
        source = register(server, cst_admin)
        run = harvest(source)
    assert run.outcome == "failed" and run.errors[0]["transient"]
    assert source.catalog_since is None


# --- another instance of the portal ----------------------------------------------------------------------------


peer = reading.peer  # another instance of the portal, seeded with the demo data


def _peer_listing(instance) -> dict[str, tuple[str, str]]:
    """name -> (owner's name, latest version) of the solutions the peer's own database has published."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(instance.database)) as db:
        rows = db.execute(
            "SELECT s.name, b.name, (SELECT r.version FROM catalog_release r WHERE r.solution_id = s.id "
            "ORDER BY r.date DESC, r.id DESC LIMIT 1) FROM catalog_solution s "
            "JOIN municipalities_body b ON b.id = s.owner_id WHERE s.status = 'published'"
        ).fetchall()
    return {name: (owner, version or "") for name, owner, version in rows}


@pytest.mark.slow
def test_another_portal_is_harvested_through_its_software_list_and_listed_here(peer, allowed, cst_admin):
    # The peer is another CST: its member bodies are outside this one's.
    Body.objects.update(is_member=False)
    source = services.register_source(url=peer.software, by=cst_admin, body=None, kind="catalog")
    HarvestRun.objects.filter(source=source).delete()
    run = harvest(source)
    assert run.outcome == "created", run.errors
    assert run.errors == []

    published = _peer_listing(peer)
    assert len(published) >= 7
    ours = {
        solution.name: (solution.owner.name, solution.releases.values_list("version", flat=True).first() or "")
        for solution in Solution.objects.published().select_related("owner")
    }
    assert ours == published

    # Nothing changed on the peer: nothing written here.
    stamps = list(Solution.objects.values_list("pk", "updated_at"))
    again = harvest(source)
    assert (again.outcome, again.changes) == ("unchanged", [])
    assert list(Solution.objects.values_list("pk", "updated_at")) == stamps


def test_the_aliases_a_harvest_kept_are_served_by_the_software_list(allowed, cst_admin):
    from rest_framework.test import APIClient

    listing = Listing([item(2, aliases=["https://old.bari.example/app-2"])])
    with catalogue(listing) as server:
        harvest(register(server, cst_admin))
    data = APIClient().get("/api/v1/software/").json()["data"]
    assert [(entry["url"], entry["aliases"]) for entry in data] == [
        ("https://git.bari.example/bari/app-2", ["https://old.bari.example/app-2"])
    ]


def test_the_command_harvests_a_registered_catalogue_by_its_address(allowed, cst_admin):
    from django.core.management import call_command

    with catalogue(Listing([item(1)])) as server:
        source = register(server, cst_admin)
        call_command("harvest", source.url, stdout=io.StringIO())
    assert Source.objects.count() == 1
    assert list(Solution.objects.values_list("name", flat=True)) == ["App di Bari 1"]


def test_cst_staff_register_a_catalogue_from_the_form_and_publishers_are_not_offered_one(
    client, allowed, cst_admin, publisher_pesaro
):
    client.force_login(publisher_pesaro)
    assert 'name="kind"' not in client.get("/catalogo/sorgenti/nuova/").content.decode()
    client.force_login(cst_admin)
    assert 'name="kind"' in client.get("/catalogo/sorgenti/nuova/").content.decode()
    response = client.post("/catalogo/sorgenti/nuova/", {"url": "https://catalogo.example/api/v1/software/"})
    assert response.status_code == 400  # a repository or a file needs its body
    response = client.post(
        "/catalogo/sorgenti/nuova/", {"url": "https://catalogo.example/api/v1/software/", "kind": "catalog"}
    )
    source = Source.objects.get()
    assert response.status_code == 302 and (source.kind, source.body) == ("catalog", None)
    page = client.get(source.get_absolute_url()).content.decode()
    assert "0 soluzioni raccolte dal catalogo" in page
