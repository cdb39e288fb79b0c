"""Every "Scarica … in CSV" link of the dashboards, clicked in a real browser: the file downloaded holds the rows and
figures of the table shown above it, with the page's filters and without."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Category
from tests.factories import AdoptionFactory, SolutionFactory

from .conftest import login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITALIAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d+)?$")
ITALIAN_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@pytest.fixture
def reuse(pesaro, fano, urbino, frontino):
    """Software and services of Pesaro and Fano, adopted in every status over the last four months, so that each table
    of both dashboards has rows, and a filter by kind and date keeps some of them only."""
    cache.clear()
    now = timezone.now()
    accounting, cloud = Category.objects.get(code="accounting"), Category.objects.get(code="cloud-management")
    tributi = SolutionFactory(name="Tributi locali", owner=pesaro, kind="software")
    tributi.categories.set([accounting])
    server = SolutionFactory(name="Virtualizzazione dei server", owner=pesaro, kind="service")
    server.categories.set([cloud])
    catasto = SolutionFactory(name="Catasto ELICAT", owner=fano, kind="software")
    catasto.categories.set([accounting])
    for solution, body, status, days, est, act in (
        (tributi, fano, "in_production", 120, "10000", "2500.50"),
        (tributi, urbino, "in_production", 100, "8000", None),
        (server, frontino, "in_production", 30, "1500", "1200"),
        (server, urbino, "requested", 25, None, None),
        (server, fano, "approved", 20, None, None),
        (catasto, pesaro, "in_progress", 15, "3000", None),
        (catasto, frontino, "requested", 2, None, None),
    ):
        AdoptionFactory(
            solution=solution, body=body, status=status, requested_at=now - dt.timedelta(days=days),
            status_changed_at=now - dt.timedelta(days=days - 1),
            in_production_at=now - dt.timedelta(days=days - 10) if status == "in_production" else None,
            adopted_version="2.1.0" if status == "in_production" else "",
            estimated_cost=Decimal(est) if est else None, actual_cost=Decimal(act) if act else None,
        )
    yield
    cache.clear()


def _page_value(text: str) -> str:
    """A cell as the page shows it, in the CSV's spelling: 1.234,50 -> 1234.50, 05/01/2026 -> 2026-01-05."""
    text = " ".join(text.split())
    if text == "—":
        return ""
    if m := ITALIAN_DATE.match(text):
        return f"{m[3]}-{m[2]}-{m[1]}"
    if ITALIAN_NUMBER.match(text):
        return text.replace(".", "").replace(",", ".")
    return text


def _same(page: str, csv_value: str) -> bool:
    if PLAIN_NUMBER.match(page) and PLAIN_NUMBER.match(csv_value):
        # The page rounds to the decimals it shows: compare at those.
        decimals = len(page.split(".")[1]) if "." in page else 0
        return Decimal(csv_value).quantize(Decimal(1).scaleb(-decimals)) == Decimal(page)
    return page == csv_value


def _table_above(link) -> tuple[list[str], list[list[str]]]:
    table = link.locator("xpath=preceding::table[1]")
    headers = [" ".join(h.split()) for h in table.locator("thead th").all_inner_texts()]
    rows = []
    for row in table.locator("tbody tr").all():
        cells = row.locator("th, td")
        if cells.count() == 1 and len(headers) > 1:  # "no data" spans the table
            continue
        rows.append([_page_value(t) for t in cells.all_inner_texts()])
    return headers, rows


def _download(page, link) -> list[list[str]]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert download.suggested_filename.endswith(".csv")
    return list(csv.reader(io.StringIO(text)))


def assert_every_csv_matches_its_table(page) -> int:
    links = page.locator("a[download]", has_text="in CSV")
    count = links.count()
    assert count > 0
    for i in range(count):
        link = links.nth(i)
        headers, rows = _table_above(link)
        data = _download(page, link)
        context = link.inner_text()
        csv_headers, csv_rows = data[0], data[1:]
        assert len(csv_rows) == len(rows), (context, csv_rows, rows)
        # Every column of the page is in the file ("Scheda" is the link to the adoption page, not data).
        shown = [(index, h) for index, h in enumerate(headers) if h != "Scheda"]
        for _index, header in shown:
            assert header in csv_headers, (context, header, csv_headers)
        for row, csv_row in zip(rows, csv_rows, strict=True):
            for index, header in shown:
                value = csv_row[csv_headers.index(header)]
                assert _same(row[index], value), (context, header, row[index], value)
    return count


def test_every_csv_of_the_provincial_dashboard_matches_its_table(page, analyst, reuse):
    login(page, analyst.email)
    visit(page, "/catalogo/cruscotto/provincia/")
    assert assert_every_csv_matches_its_table(page) == 8


def test_every_csv_of_the_filtered_provincial_dashboard_matches_its_table(page, analyst, reuse):
    since = (timezone.localdate() - dt.timedelta(days=60)).isoformat()
    login(page, analyst.email)
    visit(page, f"/catalogo/cruscotto/provincia/?kind=service&date_from={since}")
    # Filtered: services requested in the last 60 days are three of the seven requests, one of them in production.
    statuses = dict(row.split("\t") for row in page.locator("#table-status tbody tr").all_inner_texts())
    assert (statuses["Richiesta"], statuses["Approvata"], statuses["In produzione"]) == ("1", "1", "1")
    assert sum(int(n) for n in statuses.values()) == 3
    assert page.locator("#table-most_reused tbody tr").all_inner_texts() == [
        "Virtualizzazione dei server\tServizio condiviso CST\tPesaro\t1"
    ]
    assert assert_every_csv_matches_its_table(page) == 8


def test_every_csv_of_a_body_dashboard_matches_its_table(page, cst_admin, reuse):
    login(page, cst_admin.email)
    visit(page, "/catalogo/cruscotto/enti/041044/")
    # Status, what waits (to review, to act), adoptions, solutions, users: six tables, all with rows.
    assert assert_every_csv_matches_its_table(page) == 6


def test_every_csv_of_a_body_dashboard_with_a_query_matches_its_table(page, referent_fano, reuse):
    login(page, referent_fano.email)
    visit(page, "/catalogo/cruscotto/enti/041013/?da=menu")  # any query the page carries stays in the links
    assert assert_every_csv_matches_its_table(page) >= 4
