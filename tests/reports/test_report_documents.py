"""What a report looks like inside: the dashboard's charts drawn in the PDF with their text alternative, headings kept
with what follows them, the accessible HTML version and who may read it, months as dates and whole sheet names in
the XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from catalog.models import Report
from catalog.reports import documents, drawing, services
from tests.factories import AdoptionFactory, SolutionFactory

from .pdftext import pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def build(by, **kwargs) -> Report:
    report = services.request_report(by=by, **kwargs)
    built = services.run_report(report_id=report.pk, compress_pdf=False)
    assert built is not None and built.status == Report.Status.DONE, built and built.error
    return built


def read(field) -> bytes:
    return (Path(settings.MEDIA_ROOT) / field.name).read_bytes()


def squeeze(text: str) -> str:
    return "".join(text.split())


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def months(pesaro, fano, urbino):
    """Requests in two months apart, so that the chart of requests per month has a line to draw."""
    solution = SolutionFactory(owner=pesaro, name="Mensa scolastica", slug="mensa-scolastica-mesi")
    for day, body in ((dt.date(2026, 1, 15), fano), (dt.date(2026, 3, 2), urbino)):
        AdoptionFactory(
            solution=solution,
            body=body,
            status="requested",
            requested_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        )


# --- the PDF's charts ----------------------------------------------------------------------------------------


def test_pdf_draws_each_dashboard_chart_with_its_summary_as_caption(demo_data, months, analyst):
    content = documents.build_province_content()
    drawn = [c for c in content.charts if drawing.layout(c) is not None]
    assert [c.table.name for c in content.charts] == ["kind", "category", "status", "size", "most_reused", "month"]
    assert len(drawn) >= 5  # the demo data fills every chart but, maybe, the categories

    data = read(build(analyst, kind="provincial", format="pdf").file)
    text = squeeze(pdf_text(data))
    for n, chart in enumerate(drawn, start=1):
        caption = f"Figura {n}. {chart.table.title}: {chart.summary}"
        assert squeeze(caption) in text, caption
    # The pictures themselves: filled rectangles (bars, legend keys), a doughnut's curves and the line of months.
    assert len(re.findall(rb" re f\b", data)) >= 15
    assert re.search(rb"( [\d.]+){6} c\b", data)
    # Axis labels are drawn as text: the statuses under their bars, a month under the line.
    assert "Inproduzione" in text and "01/2026" in text


def test_a_chart_without_data_keeps_its_summary_and_draws_no_picture(analyst):
    content = documents.build_province_content()
    kinds = next(c for c in content.charts if c.table.name == "kind")
    assert drawing.layout(kinds) is None  # no solution published: no doughnut to draw
    text = squeeze(pdf_text(read(build(analyst, kind="provincial", format="pdf").file)))
    assert squeeze(f"Figura 1. {kinds.table.title}") not in text
    assert squeeze("Nessun dato per i filtri scelti.") in text


def test_body_and_solution_pdfs_draw_their_status_chart(demo_data, analyst, fano):
    text = squeeze(pdf_text(read(build(analyst, kind="body", format="pdf", body=fano).file)))
    assert squeeze("Figura 1. Adozioni dell'ente per stato:") in text
    assert squeeze("adozioni richieste dall'ente") in text
    text = squeeze(pdf_text(read(build(analyst, kind="solution", format="pdf", solution=demo_data[0]).file)))
    assert squeeze("Figura 1. Adozioni per stato:") in text


def test_svg_and_pdf_draw_the_same_layout():
    table = documents.Table("status", "Adozioni per stato", ["Stato", "Adozioni"], [["Richiesta", 3], ["Approvata", 1]])
    chart = documents.Chart(table, "bar", ["Richiesta", "Approvata"], [("Adozioni", [3, 1])], "4 adozioni.")
    shapes = drawing.layout(chart)
    svg = chart.svg()
    bars = [s for s in shapes.shapes if isinstance(s, drawing.Rect)]
    assert svg.count("<rect ") == len(bars) == 2
    assert 'role="img"' in svg and '<title id="chart-status-t">Adozioni per stato</title>' in svg
    assert '<desc id="chart-status-d">4 adozioni.</desc>' in svg


# --- a heading is never alone at the bottom of a page ---------------------------------------------------------

HEADING = "Titolo della tabella di prova"
FIRST_ROW = "Primariga"


def _content(filler: int, *, chart: bool) -> documents.ReportContent:
    table = documents.Table("t", HEADING, ["Voce", "Numero"], [["Prima riga", 1], ["Seconda riga", 2]])
    charts = (
        [
            documents.Chart(
                table, "bar", ["Prima riga", "Seconda riga"], [("Numero", [1, 2])], "Sintesi del grafico di prova."
            )
        ]
        if chart
        else []
    )
    return documents.ReportContent(
        title="Prova",
        subtitle="Prova",
        generated_at=timezone.now(),
        figures=[(f"Dato {i}", i) for i in range(filler)],
        tables=[table],
        charts=charts,
    )


def _heading_page_and_next(filler: int, *, chart: bool) -> tuple[int, int]:
    """Pages of the heading and of what must follow it (the chart's caption, or the table's first row)."""
    pages = [squeeze(p) for p in pdf_pages(documents.render_pdf(_content(filler, chart=chart), compress=False))]
    heading = next(i for i, p in enumerate(pages) if squeeze(HEADING) in p.replace(squeeze("Figura 1. " + HEADING), ""))
    after = next(i for i, p in enumerate(pages) if (squeeze("Figura 1.") if chart else FIRST_ROW) in p)
    return heading, after


@pytest.mark.parametrize("chart", [False, True], ids=["table", "chart"])
def test_a_heading_is_kept_with_what_follows_it(chart):
    # The figures' table grows one row at a time: some length puts the heading at the very bottom of the page.
    fillers = range(20, 45)
    assert all(len(set(_heading_page_and_next(n, chart=chart))) == 1 for n in fillers)
    # Without the rule, the same contents do leave a heading alone at a page bottom: the case is really built.
    with mock.patch.object(documents, "_TABLE_START", 0), mock.patch.object(drawing, "layout", return_value=None):
        assert any(len(set(_heading_page_and_next(n, chart=False))) == 2 for n in fillers)


# --- the HTML version ----------------------------------------------------------------------------------------


class Outline(HTMLParser):
    """The parts of an HTML page that make it readable with assistive technology."""

    VOID = {"meta", "br", "rect", "circle", "path", "polyline", "text"}

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.headings: list[tuple[str, str]] = []
        self.tables: list[dict] = []  # its caption, its first child, its header cells' (scope, inside thead)
        self.svgs: list[dict] = []
        self.ids: dict[str, str] = {}  # id -> text of the svg's title and desc elements
        self._open: list[tuple[str, dict, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if self._open and self._open[-1][0] == "table" and self.tables[-1]["first_child"] is None:
            self.tables[-1]["first_child"] = tag
        if tag == "table":
            self.tables.append({"caption": None, "first_child": None, "th": []})
        elif tag == "th":
            self.tables[-1]["th"].append((attrs.get("scope"), any(t == "thead" for t, _a, _x in self._open)))
        elif tag == "svg":
            self.svgs.append(attrs)
        if tag not in self.VOID:
            self._open.append((tag, attrs, []))

    def handle_data(self, data):
        for _tag, _attrs, text in self._open:
            text.append(data)

    def handle_endtag(self, tag):
        if tag in self.VOID or not any(t == tag for t, _a, _x in self._open):
            return
        while True:
            open_tag, attrs, parts = self._open.pop()
            if open_tag == tag:
                break
        text = " ".join("".join(parts).split())
        if tag in ("h1", "h2", "h3"):
            self.headings.append((tag, text))
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif tag in ("title", "desc") and attrs.get("id"):
            self.ids[attrs["id"]] = text


def outline_of(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_html_version_has_headings_captioned_tables_with_scoped_headers_and_described_charts(
    demo_data, months, analyst
):
    report = build(analyst, kind="provincial", format="pdf")
    html = read(report.html_file).decode("utf-8")
    content = documents.build_province_content()
    page = outline_of(html)
    assert page.lang == "it"
    assert page.headings[0] == ("h1", "Rapporto provinciale sul riuso")
    h2 = [text for tag, text in page.headings if tag == "h2"]
    assert h2 == ["Indice", "Dati principali", *[t.title for t in content.tables]]
    tables_with_rows = [t for t in content.tables if t.rows]
    assert len(page.tables) == 1 + len(tables_with_rows)
    for table in page.tables:
        assert table["first_child"] == "caption" and table["caption"]
        assert table["th"] and all(scope in ("col", "row") for scope, _ in table["th"])
        assert all(scope == "col" for scope, in_head in table["th"] if in_head)
        assert any(scope == "row" for scope, in_head in table["th"] if not in_head)
    assert [t["caption"] for t in page.tables[1:]] == [t.title for t in tables_with_rows]
    # Each chart with something to draw is an image named by its title and described by its summary sentence.
    drawn = [c for c in content.charts if drawing.layout(c) is not None]
    assert len(page.svgs) == len(drawn) >= 5
    for svg, chart in zip(page.svgs, drawn, strict=True):
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert page.ids[title_id] == chart.table.title
        assert page.ids[desc_id] == " ".join(chart.summary.split())
        assert f"<figcaption>{chart.summary}</figcaption>".replace("'", "&#x27;") in html


def test_html_version_is_in_the_language_of_the_person_who_asked(months, analyst):
    analyst.language = "en"
    analyst.save(update_fields=["language"])
    html = read(build(analyst, kind="provincial", format="csv").html_file).decode("utf-8")
    page = outline_of(html)
    assert page.lang == "en"
    assert page.headings[0] == ("h1", "Provincial report on reuse")
    assert ("h2", "Key figures") in page.headings


def test_every_format_has_its_html_version_linked_beside_the_download(demo_data, analyst, fano):
    for fmt in ("csv", "xlsx", "pdf"):
        report = build(analyst, kind="body", format=fmt, body=fano)
        assert report.html_file.name.endswith(".html")
        url = reverse("catalog:report-html", kwargs={"pk": report.pk})
        detail = client_for(analyst).get(report.get_absolute_url()).content.decode()
        assert url in detail and reverse("catalog:report-download", kwargs={"pk": report.pk}) in detail
        assert url in client_for(analyst).get(reverse("catalog:report-list")).content.decode()


def test_html_version_is_shown_to_those_who_may_download_the_report(
    demo_data, analyst, referent_fano, referent_urbino, fano, django_assert_num_queries
):
    report = build(analyst, kind="body", format="pdf", body=fano)
    url = reverse("catalog:report-html", kwargs={"pk": report.pk})
    client = client_for(referent_fano)
    # session, user, the report with body, solution and requester joined, the person's roles in bodies.
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert not response["Content-Disposition"].startswith("attachment")
    assert report.html_filename in response["Content-Disposition"]
    assert b"".join(response.streaming_content).decode().startswith("<!doctype html>")
    assert client_for(referent_urbino).get(url).status_code == 404
    assert client_for().get(url).status_code == 302


def test_html_version_of_a_report_not_ready_is_not_found(analyst, fano):
    report = services.request_report(by=analyst, kind="body", format="pdf", body=fano)
    assert client_for(analyst).get(reverse("catalog:report-html", kwargs={"pk": report.pk})).status_code == 404


# --- XLSX: months as dates, whole sheet names ----------------------------------------------------------------

SHEETS = {
    "it": {
        "provincial": [
            "Sintesi",
            "Soluzioni per tipo",
            "Soluzioni per categoria",
            "Adozioni per stato",
            "Comuni raggiunti",
            "Riuso per classe demografica",
            "Soluzioni più riusate",
            "Richieste per mese",
            "Richieste in attesa",
        ],
        "body": [
            "Sintesi",
            "Adozioni per stato",
            "Soluzioni adottate",
            "Soluzioni pubblicate",
            "Enti che le usano",
            "Richieste da esaminare",
            "In attesa dell'ente",
        ],
        "solution": ["Sintesi", "Adozioni per stato", "Adozioni", "Rilasci"],
    },
    "en": {
        "provincial": [
            "Summary",
            "Solutions by type",
            "Solutions by category",
            "Adoptions by status",
            "Municipalities reached",
            "Reuse by population class",
            "Most reused solutions",
            "Requests by month",
            "Waiting requests",
        ],
        "body": [
            "Summary",
            "Adoptions by status",
            "Adopted solutions",
            "Published solutions",
            "Bodies using them",
            "Requests to examine",
            "Waiting for the body",
        ],
        "solution": ["Summary", "Adoptions by status", "Adoptions", "Releases"],
    },
}


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_sheet_has_its_whole_intended_name(pesaro, fano, language):
    solution = SolutionFactory(owner=pesaro)
    for kind, build_content in (
        ("provincial", lambda: documents.build_province_content()),
        ("body", lambda: documents.build_body_content(fano)),
        ("solution", lambda: documents.build_solution_content(solution)),
    ):
        with translation.override(language):
            workbook = load_workbook(io.BytesIO(documents.render_xlsx(build_content())))
        assert workbook.sheetnames == SHEETS[language][kind]
        assert all(len(name) <= documents.SHEET_NAME_MAX for name in workbook.sheetnames)


def test_a_sheet_name_too_long_is_refused_not_cut():
    with pytest.raises(ValueError, match="longer than 31"):
        documents._sheet_title("Richieste di adozione in attesa oltre la soglia", set())


def test_months_are_date_cells_shown_as_month_and_year(months, analyst):
    workbook = load_workbook(io.BytesIO(read(build(analyst, kind="provincial", format="xlsx").file)))
    sheet = workbook["Richieste per mese"]
    assert sheet["A1"].value == "Mese"
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert cells and all(c.is_date and c.number_format == "mmm yyyy" for c in cells)
    values = [c.value.date() for c in cells]
    assert all(v.day == 1 for v in values) and values == sorted(values)
    assert dt.date(2026, 1, 1) in values and dt.date(2026, 3, 1) in values


def test_months_read_the_same_on_the_dashboard_and_in_csv(months, analyst):
    month = documents.Month(2026, 3, 1)
    assert documents.display(month) == "03/2026"
    assert documents._csv_cell(month) == "03/2026"
    csv_text = client_for(analyst).get(reverse("catalog:dashboard-province"), {"format": "csv", "table": "month"})
    assert "03/2026" in csv_text.content.decode("utf-8-sig")
