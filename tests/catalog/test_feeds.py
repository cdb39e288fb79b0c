"""Atom feeds of new solutions and new releases (all, per category, per body), checked in a feed validator's terms:
valid Atom 1.0 — a feed id, title, updated and self link; per entry an id, title, updated and alternate link — and only
published solutions, newest first."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from catalog.models import Category, Solution
from tests.factories import ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _atom(client, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{required}") or "").strip(), required
    assert any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link"))
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))  # RFC 3339
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)), "entry ids are unique"
    return feed


def _titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def catalogue(pesaro, fano):
    now = timezone.now()
    taxes, _ = Category.objects.get_or_create(code="taxes-management", defaults={"label_it": "Tributi"})
    old = SolutionFactory(owner=pesaro, name="Tributi Pesaro", status=Solution.Status.PUBLISHED,
                          published_at=now - dt.timedelta(days=3))
    old.categories.add(taxes)
    new = SolutionFactory(owner=fano, name="Mensa Fano", status=Solution.Status.PUBLISHED, published_at=now)
    SolutionFactory(owner=pesaro, name="Bozza nascosta", status=Solution.Status.DRAFT)
    ReleaseFactory(solution=old, version="2.0", date=dt.date(2026, 10, 1))
    ReleaseFactory(solution=new, version="1.1", date=dt.date(2026, 11, 1))
    return old, new


def test_new_solutions_newest_first_published_only(client, catalogue):
    feed = _atom(client, "/catalogo/feed/soluzioni.atom")
    assert _titles(feed) == ["Mensa Fano", "Tributi Pesaro"]


def test_per_category_and_per_body(client, catalogue, fano):
    assert _titles(_atom(client, "/catalogo/feed/categorie/taxes-management/soluzioni.atom")) == ["Tributi Pesaro"]
    assert _titles(_atom(client, f"/catalogo/feed/enti/{fano.key}/soluzioni.atom")) == ["Mensa Fano"]
    assert _titles(_atom(client, f"/catalogo/feed/enti/{fano.key}/rilasci.atom")) == ["Mensa Fano 1.1"]
    assert _titles(_atom(client, "/catalogo/feed/categorie/taxes-management/rilasci.atom")) == ["Tributi Pesaro 2.0"]
    assert client.get("/catalogo/feed/enti/atlantide/soluzioni.atom").status_code == 404


def test_new_releases_newest_first(client, catalogue):
    assert _titles(_atom(client, "/catalogo/feed/rilasci.atom")) == ["Mensa Fano 1.1", "Tributi Pesaro 2.0"]


def test_every_page_links_the_feeds(client, catalogue):
    page = client.get("/catalogo/").content.decode()
    assert 'type="application/atom+xml"' in page and "/catalogo/feed/soluzioni.atom" in page


def test_a_feed_costs_two_queries_whatever_its_length(client, catalogue, pesaro, django_assert_max_num_queries):
    for n in range(10):
        SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED, published_at=timezone.now())
    with django_assert_max_num_queries(2):
        client.get("/catalogo/feed/soluzioni.atom")
