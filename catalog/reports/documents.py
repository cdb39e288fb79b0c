"""Report contents (key figures, tables and charts, built from catalog.dashboards.stats) and their CSV, XLSX, PDF and
HTML renderings.

The dashboards render the same `Table` and `Chart` objects as HTML and CSV, so a figure reads the same on screen, in
an export and in a report. The PDF draws each chart itself (catalog.reports.drawing) with its summary sentence and its
table; since fpdf2 cannot tag a whole document for assistive technology, every report also has an HTML version
(headings, tables with captions and scoped headers, charts as inline SVG with their text alternative). Text cells that a spreadsheet would take for a formula (starting with =, +, -, @, tab or carriage
return) are neutralised with a leading apostrophe in CSV and XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.dashboards import stats
from catalog.models import Solution
from catalog.reports import drawing
from catalog.vocabulary import category_label
from catalog.workflow import AdoptionStatus
from municipalities.models import Body, SizeClass

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Progress = Callable[[int], None]


def _no_progress(_: int) -> None:
    return None


# --- content --------------------------------------------------------------------------------------------------


class Month(dt.date):
    """The first day of a month, standing for the whole month: shown as 03/2026, a date cell in a spreadsheet."""

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month, 1)


# Excel refuses a sheet name longer than this: each table names its sheet within it, in every language.
SHEET_NAME_MAX = 31


@dataclass
class Table:
    name: str  # stable identifier: ?table=<name> on the dashboards
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    sheet: str = ""  # the XLSX sheet's name, at most SHEET_NAME_MAX characters; the title when empty


@dataclass
class Chart:
    """A dashboard chart: the table it draws, how, and the sentence that tells its figures (its text alternative)."""

    table: Table
    type: str  # bar, line, doughnut
    labels: list[str]
    series: list[tuple[str, list[Any]]]
    summary: str
    horizontal: bool = False

    @property
    def dom_id(self) -> str:
        return f"chart-{self.table.name}"

    @property
    def data_id(self) -> str:
        return f"{self.dom_id}-data"

    @property
    def aria_label(self) -> str:
        return f"{self.table.title}. {self.summary}"

    @property
    def config(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "horizontal": self.horizontal,
            "labels": self.labels,
            "datasets": [{"label": label, "data": [float(v) for v in data]} for label, data in self.series],
        }

    def svg(self) -> str:
        """The chart as inline SVG for the HTML report ("" when there is nothing to draw)."""
        shapes = drawing.layout(self)
        if shapes is None:
            return ""
        return drawing.svg(shapes, dom_id=self.dom_id, title=self.table.title, description=self.summary)


@dataclass
class ReportContent:
    title: str
    subtitle: str
    generated_at: dt.datetime
    figures: list[tuple[str, Any]]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)

    def chart_for(self, table: Table) -> Chart | None:
        return next((c for c in self.charts if c.table is table), None)


def status_label(code: str) -> str:
    return str(AdoptionStatus(code).label)


def kind_label(code: str) -> str:
    return str(Solution.Kind(code).label)


def size_class_label(code: str) -> str:
    return str(SizeClass(code).label)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value and timezone.is_aware(value) else value


def _day(value: dt.datetime | None) -> dt.date | None:
    value = _local(value)
    return value.date() if value else None


def period_text(date_from: dt.date | None, date_to: dt.date | None, kind: str | None) -> str:
    parts = []
    if date_from and date_to:
        parts.append(_("richieste dal %(a)s al %(b)s") % {"a": formats.date_format(date_from, "SHORT_DATE_FORMAT"),
                                                          "b": formats.date_format(date_to, "SHORT_DATE_FORMAT")})
    elif date_from:
        parts.append(_("richieste dal %(a)s") % {"a": formats.date_format(date_from, "SHORT_DATE_FORMAT")})
    elif date_to:
        parts.append(_("richieste fino al %(b)s") % {"b": formats.date_format(date_to, "SHORT_DATE_FORMAT")})
    else:
        parts.append(_("tutto il periodo"))
    parts.append(kind_label(kind) if kind else _("software e servizi"))
    return " · ".join(parts)


def province_figures(data: dict[str, Any]) -> list[tuple[str, Any]]:
    reached = data["bodies_reached"]
    return [
        (_("Soluzioni pubblicate"), data["solutions_published"]),
        (_("Adozioni registrate"), data["adoptions_total"]),
        (_("Adozioni in produzione"), _status_count(data["adoptions_by_status"], AdoptionStatus.IN_PRODUCTION)),
        (_("Comuni raggiunti"), f"{reached['reached']} / {reached['comuni']}"),
        (_("Quota dei comuni raggiunti (%)"), reached["share"]),
        (_("Quota della popolazione raggiunta (%)"), reached["population_share"]),
        (_("Giorni mediani dalla richiesta alla produzione"),
         data["median_days"] if data["median_days"] is not None else _("n.d.")),
        (_("Risparmi dichiarati (€)"), data["savings"]["total"]),
        (_("Adozioni con risparmi dichiarati"), data["savings"]["adoptions"]),
        (_("Richieste in attesa da oltre %(n)s giorni lavorativi") % {"n": data["waiting"]["threshold_days"]},
         data["waiting"]["count"]),
    ]


def _status_count(rows: list[dict[str, Any]], status: str) -> int:
    return next((r["count"] for r in rows if r["status"] == status), 0)


def province_tables(data: dict[str, Any]) -> list[Table]:
    """The tables of the provincial dashboard and report, in display order."""
    reached = data["bodies_reached"]
    return [
        Table("kind", _("Soluzioni pubblicate per tipo"), [_("Tipo"), _("Soluzioni")],
              [[kind_label(r["kind"]), r["count"]] for r in data["solutions_by_kind"]],
              sheet=_("Soluzioni per tipo")),
        Table("category", _("Soluzioni pubblicate per categoria"), [_("Categoria"), _("Soluzioni")],
              [[category_label(r["category"]), r["count"]] for r in data["solutions_by_category"]],
              sheet=_("Soluzioni per categoria")),
        Table("status", _("Adozioni per stato"), [_("Stato"), _("Adozioni")],
              [[status_label(r["status"]), r["count"]] for r in data["adoptions_by_status"]],
              sheet=_("Adozioni per stato")),
        Table("reach", _("Comuni raggiunti"), [_("Indicatore"), _("Raggiunti"), _("Totale"), _("Quota (%)")], [
            [_("Comuni con almeno un'adozione in produzione"), reached["reached"], reached["comuni"], reached["share"]],
            [_("Popolazione di quei comuni"), reached["population_reached"], reached["population_total"],
             reached["population_share"]],
        ], sheet=_("Comuni raggiunti")),
        Table("size", _("Riuso per classe demografica"),
              [_("Classe demografica"), _("Comuni"), _("Comuni raggiunti"), _("Adozioni in produzione")],
              [[size_class_label(r["size_class"]), r["comuni"], r["reached"], r["adoptions"]]
               for r in data["size_classes"]], sheet=_("Riuso per classe demografica")),
        Table("most_reused", _("Soluzioni più riusate"),
              [_("Soluzione"), _("Tipo"), _("Ente titolare"), _("Enti che la usano in produzione")],
              [[r["name"], kind_label(r["kind"]), r["owner"], r["count"]] for r in data["most_reused"]],
              sheet=_("Soluzioni più riusate")),
        Table("month", _("Richieste di adozione per mese"), [_("Mese"), _("Richieste")],
              [[Month.of(r["month"]), r["count"]] for r in data["per_month"]], sheet=_("Richieste per mese")),
        Table("waiting", _("Richieste in attesa oltre la soglia"),
              [_("Soluzione"), _("Ente richiedente"), _("Ente titolare"), _("In attesa dal")],
              [[r["solution"], r["body"], r["owner"], _day(r["since"])] for r in data["waiting"]["oldest"]],
              sheet=_("Richieste in attesa")),
    ]


def _adoption_table(
    name: str, title: str, rows: Iterable[dict[str, Any]], *, sheet: str, by_owner: bool, waiting: bool = False
) -> Table:
    """Adoptions, one a row. The tables of what waits also tell since when it waits, as the dashboard shows."""
    since = [_("In questo stato dal")] if waiting else []
    return Table(
        name, title,
        [_("Soluzione"), _("Ente titolare") if by_owner else _("Ente adottante"), _("Stato"), *since,
         _("Richiesta il"), _("In produzione dal"), _("Versione"), _("Costo stimato (€)"), _("Costo effettivo (€)")],
        [[r["solution"], r["owner"] if by_owner else r["body"], status_label(r["status"]),
          *([_day(r["status_changed_at"])] if waiting else []), _day(r["requested_at"]), _day(r["in_production_at"]),
          r["version"], r["estimated_cost"], r["actual_cost"]] for r in rows],
        sheet=sheet,
    )


def body_tables(data: dict[str, Any]) -> list[Table]:
    return [
        Table("status", _("Adozioni dell'ente per stato"), [_("Stato"), _("Adozioni")],
              [[status_label(r["status"]), r["count"]] for r in data["adoptions_by_status"]],
              sheet=_("Adozioni per stato")),
        _adoption_table("adoptions", _("Soluzioni adottate dall'ente"), data["adoptions"], by_owner=True,
                        sheet=_("Soluzioni adottate")),
        Table("solutions", _("Soluzioni pubblicate dall'ente"),
              [_("Soluzione"), _("Tipo"), _("Enti che la usano in produzione"), _("Adozioni in corso")],
              [[r["name"], kind_label(r["kind"]), r["in_production"], r["in_progress"]] for r in data["solutions"]],
              sheet=_("Soluzioni pubblicate")),
        _adoption_table("users", _("Enti che usano le soluzioni dell'ente"), data["users"], by_owner=False,
                        sheet=_("Enti che le usano")),
        _adoption_table("to_review", _("Richieste da esaminare"), data["to_review"], by_owner=False, waiting=True,
                        sheet=_("Richieste da esaminare")),
        _adoption_table("to_act", _("Adozioni che attendono l'ente"), data["to_act"], by_owner=True, waiting=True,
                        sheet=_("In attesa dell'ente")),
    ]


# --- charts ---------------------------------------------------------------------------------------------------


def _column(table: Table, index: int) -> list[Any]:
    return [row[index] for row in table.rows]


def _labels(table: Table) -> list[str]:
    return [value if isinstance(value, str) else display(value) for value in _column(table, 0)]


def _no_data() -> str:
    return _("Nessun dato per i filtri scelti.")


def _parts(table: Table) -> str:
    return "; ".join(f"{row[0]}: {display(row[1])}" for row in table.rows)


def province_charts(data: dict[str, Any], tables: dict[str, Table]) -> list[Chart]:
    """The provincial dashboard's charts, each with the sentence that tells its figures."""
    charts = []

    t = tables["kind"]
    charts.append(Chart(t, "doughnut", _labels(t), [(_("Soluzioni"), _column(t, 1))],
                        _("%(n)s soluzioni pubblicate (%(parts)s).") % {
                            "n": display(data["solutions_published"]), "parts": _parts(t)}
                        if data["solutions_published"] else _no_data()))

    t = tables["category"]
    top = "; ".join(f"{row[0]} ({display(row[1])})" for row in t.rows[:3])
    charts.append(Chart(t, "bar", _labels(t), [(_("Soluzioni"), _column(t, 1))],
                        _("Le categorie con più soluzioni: %(top)s.") % {"top": top} if t.rows else _no_data(),
                        horizontal=True))

    t = tables["status"]
    by_status = {r["status"]: r["count"] for r in data["adoptions_by_status"]}
    pending = sum(by_status.get(s, 0) for s in (AdoptionStatus.REQUESTED, AdoptionStatus.INFO_NEEDED))
    charts.append(Chart(t, "bar", _labels(t), [(_("Adozioni"), _column(t, 1))],
                        _("%(n)s adozioni registrate: %(prod)s in produzione, %(pending)s in attesa di decisione, "
                          "%(running)s approvate o in corso.") % {
                            "n": display(data["adoptions_total"]),
                            "prod": display(by_status.get(AdoptionStatus.IN_PRODUCTION, 0)),
                            "pending": display(pending),
                            "running": display(by_status.get(AdoptionStatus.APPROVED, 0)
                                               + by_status.get(AdoptionStatus.IN_PROGRESS, 0)),
                        } if data["adoptions_total"] else _no_data()))

    t = tables["size"]
    charts.append(Chart(t, "bar", _labels(t),
                        [(_("Comuni"), _column(t, 1)), (_("Comuni raggiunti"), _column(t, 2))],
                        "; ".join(_("%(cls)s: %(r)s comuni raggiunti su %(n)s") % {
                            "cls": row[0], "r": display(row[2]), "n": display(row[1])} for row in t.rows) + "."))

    t = tables["most_reused"]
    if data["most_reused"]:
        first = data["most_reused"][0]
        summary = ngettext(
            "La soluzione più riusata è %(name)s, in produzione presso %(n)s ente.",
            "La soluzione più riusata è %(name)s, in produzione presso %(n)s enti.",
            first["count"],
        ) % {"name": first["name"], "n": display(first["count"])}
    else:
        summary = _("Nessuna soluzione è ancora in produzione presso altri enti.")
    charts.append(Chart(t, "bar", _labels(t), [(_("Enti"), _column(t, 3))], summary, horizontal=True))

    t = tables["month"]
    if data["per_month"]:
        peak = max(data["per_month"], key=lambda r: r["count"])  # a few dozen months, not rows
        summary = _("Da %(first)s a %(last)s: %(n)s richieste; il mese con più richieste è %(peak)s (%(p)s).") % {
            "first": display(t.rows[0][0]), "last": display(t.rows[-1][0]), "n": display(sum(_column(t, 1))),
            "peak": display(Month.of(peak["month"])), "p": display(peak["count"]),
        }
    else:
        summary = _no_data()
    charts.append(Chart(t, "line", _labels(t), [(_("Richieste"), _column(t, 1))], summary))
    return charts


def status_chart(table: Table, by_status: list[dict[str, Any]], total: int, text: str, empty: str) -> Chart:
    """Adoptions by status as bars; `text` tells the total (%(n)s) and those in production (%(prod)s)."""
    summary = text % {"n": display(total), "prod": display(_status_count(by_status, AdoptionStatus.IN_PRODUCTION))}
    return Chart(table, "bar", _labels(table), [(_("Adozioni"), _column(table, 1))], summary if total else empty)


def body_status_chart(data: dict[str, Any], table: Table) -> Chart:
    """A body's dashboard chart: its adoptions by status."""
    return status_chart(table, data["adoptions_by_status"], data["adoptions_total"],
                        _("%(n)s adozioni richieste dall'ente, %(prod)s in produzione."),
                        _("L'ente non ha ancora richiesto l'adozione di soluzioni."))


# --- building a report ----------------------------------------------------------------------------------------


def build_province_content(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None, kind: str | None = None,
    title: str | None = None, progress: Progress = _no_progress,
) -> ReportContent:
    # A report is read as the state of things when it was asked for: never a stale copy of the figures.
    data = stats.province_stats(date_from=date_from, date_to=date_to, kind=kind or None, fresh=True)
    progress(40)
    tables = province_tables(data)
    return ReportContent(
        title=title or _("Rapporto provinciale sul riuso"),
        subtitle=period_text(date_from, date_to, kind),
        generated_at=timezone.localtime(),
        figures=province_figures(data),
        tables=tables,
        charts=province_charts(data, {t.name: t for t in tables}),
    )


def build_body_content(body: Body, *, progress: Progress = _no_progress) -> ReportContent:
    data = stats.body_stats(body, fresh=True)
    progress(40)
    in_production = _status_count(data["adoptions_by_status"], AdoptionStatus.IN_PRODUCTION)
    tables = body_tables(data)
    return ReportContent(
        title=_("Rapporto dell'ente %(name)s") % {"name": body.name},
        subtitle=_("Adozioni e soluzioni pubblicate"),
        generated_at=timezone.localtime(),
        figures=[
            (_("Adozioni registrate"), data["adoptions_total"]),
            (_("Adozioni in produzione"), in_production),
            (_("Soluzioni pubblicate"), len(data["solutions"])),
            (_("Enti che usano le soluzioni dell'ente"), len({r["body"] for r in data["users"]})),
            (_("Richieste da esaminare"), len(data["to_review"])),
            (_("Adozioni che attendono l'ente"), len(data["to_act"])),
        ],
        tables=tables,
        charts=[body_status_chart(data, tables[0])],
    )


def build_solution_content(solution: Solution, *, progress: Progress = _no_progress) -> ReportContent:
    data = stats.solution_stats(solution, fresh=True)
    progress(40)
    status = Table("status", _("Adozioni per stato"), [_("Stato"), _("Adozioni")],
                   [[status_label(r["status"]), r["count"]] for r in data["adoptions_by_status"]],
                   sheet=_("Adozioni per stato"))
    return ReportContent(
        title=_("Rapporto della soluzione %(name)s") % {"name": solution.name},
        subtitle=_("Titolare: %(owner)s") % {"owner": solution.owner.name},
        generated_at=timezone.localtime(),
        figures=[
            (_("Adozioni registrate"), data["adoptions_total"]),
            (_("Enti che la usano in produzione"),
             _status_count(data["adoptions_by_status"], AdoptionStatus.IN_PRODUCTION)),
            (_("Risparmi dichiarati (€)"), data["savings"]),
            (_("Rilasci"), len(data["releases"])),
        ],
        tables=[
            status,
            _adoption_table("adoptions", _("Adozioni della soluzione"), data["adoptions"], by_owner=False,
                            sheet=_("Adozioni")),
            Table("releases", _("Rilasci"), [_("Versione"), _("Data")],
                  [[r["version"], r["date"]] for r in data["releases"]], sheet=_("Rilasci")),
        ],
        charts=[status_chart(status, data["adoptions_by_status"], data["adoptions_total"],
                             _("%(n)s adozioni della soluzione, %(prod)s in produzione."),
                             _("Nessun ente ha ancora chiesto di adottare la soluzione."))],
    )


# --- cells ----------------------------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; other values are kept."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """Value for CSV/XLSX: numbers stay numbers, dates stay dates, everything else becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("sì") if value else _("no")
    if isinstance(value, dt.datetime):
        return _local(value).replace(tzinfo=None)
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return str(value)


def display(value: Any) -> str:
    """Value for the PDF (and any other human reading): localised numbers and dates."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return formats.date_format(_local(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, Month):
        return value.strftime("%m/%Y")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _csv_cell(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Month):
        return value.strftime("%m/%Y")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(value)


# --- CSV ------------------------------------------------------------------------------------------------------


def table_csv(table: Table) -> str:
    """One table as CSV (UTF-8 with BOM so that spreadsheets read the accents)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in table.headers])
    writer.writerows([[_csv_cell(c) for c in row] for row in table.rows])
    return out.getvalue()


def render_csv(content: ReportContent, *, progress: Progress = _no_progress) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralise(content.title)])
    writer.writerow([neutralise(content.subtitle)])
    writer.writerow([_("Generato il"), content.generated_at.strftime("%Y-%m-%d %H:%M")])
    writer.writerow([])
    writer.writerow([_("Dati principali")])
    writer.writerows([[neutralise(label), _csv_cell(value)] for label, value in content.figures])
    for i, table in enumerate(content.tables, start=1):
        writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(h) for h in table.headers])
        writer.writerows([[_csv_cell(c) for c in row] for row in table.rows])
        progress(50 + 40 * i // max(len(content.tables), 1))
    return out.getvalue().encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    """The sheet's name as written: Excel's forbidden characters become spaces, nothing is cut. A name too long is
    a mistake in the table's definition (its `sheet`), caught by the tests in every language."""
    name = "".join(" " if ch in '[]:*?/\\' else ch for ch in title).strip() or "Foglio"
    if len(name) > SHEET_NAME_MAX or name in used:
        raise ValueError(f"sheet name {name!r}: longer than {SHEET_NAME_MAX} characters or used twice")
    used.add(name)
    return name


def _xlsx_row(sheet, values: list[Any], *, bold: bool = False) -> None:
    from openpyxl.styles import Font

    sheet.append([None] * len(values))
    row = sheet.max_row
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=col)
        value = _plain(value)
        if isinstance(value, str):
            cell.value = neutralise(value)
            cell.data_type = "s"  # never a formula, whatever the text
        else:
            cell.value = value
            if isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, Month):
                cell.number_format = "mmm yyyy"
            elif isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
        if bold:
            cell.font = Font(bold=True)


def render_xlsx(content: ReportContent, *, progress: Progress = _no_progress) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    used: set[str] = set()
    summary = workbook.active
    summary.title = _sheet_title(_("Sintesi"), used)
    _xlsx_row(summary, [content.title], bold=True)
    _xlsx_row(summary, [content.subtitle])
    _xlsx_row(summary, [_("Generato il"), content.generated_at])
    summary.append([])
    _xlsx_row(summary, [_("Dato"), _("Valore")], bold=True)
    for label, value in content.figures:
        _xlsx_row(summary, [label, value])
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 20
    for i, table in enumerate(content.tables, start=1):
        sheet = workbook.create_sheet(_sheet_title(table.sheet or table.title, used))
        _xlsx_row(sheet, table.headers, bold=True)
        for row in table.rows:
            _xlsx_row(sheet, row)
        sheet.freeze_panes = "A2"
        for col in range(1, len(table.headers) + 1):
            sheet.column_dimensions[sheet.cell(row=1, column=col).column_letter].width = 24 if col > 1 else 40
        progress(50 + 40 * i // max(len(content.tables), 1))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------------------------

PDF_FONT = "TitilliumWeb"
# After a paragraph, go back to the left margin on the next line (fpdf2 stays on the right by default).
_NEXT_LINE = {"new_x": "LMARGIN", "new_y": "NEXT"}


def _pdf_class():
    from fpdf import FPDF

    class ReportPDF(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(PDF_FONT, size=8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 8, f"{self.footer_text} — {_('pagina')} {self.page_no()}/{{nb}}", align="C")

    return ReportPDF


def render_pdf(content: ReportContent, *, progress: Progress = _no_progress, compress: bool = True) -> bytes:
    """A4 PDF: a title page, the key figures, then each table. Titillium Web (shipped in catalog/reports/fonts, OFL) is
    embedded so that every Italian letter prints."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting logs every glyph at INFO
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.footer_text = "CST Pesaro e Urbino · " + content.title
    pdf.add_font(PDF_FONT, "", str(FONTS_DIR / "TitilliumWeb-Regular.ttf"))
    pdf.add_font(PDF_FONT, "B", str(FONTS_DIR / "TitilliumWeb-Bold.ttf"))
    pdf.set_title(content.title)
    pdf.set_author("Centro Servizi Territoriali della Provincia di Pesaro e Urbino")
    pdf.set_creator("Catalogo del riuso — CST Pesaro e Urbino")
    pdf.set_lang("it")
    pdf.set_auto_page_break(auto=True, margin=18)

    # Title page.
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_text_color(0, 102, 204)
    pdf.set_font(PDF_FONT, "B", 26)
    pdf.multi_cell(0, 12, content.title, align="C", **_NEXT_LINE)
    pdf.ln(6)
    pdf.set_text_color(30, 30, 30)
    pdf.set_font(PDF_FONT, "", 14)
    pdf.multi_cell(0, 8, content.subtitle, align="C", **_NEXT_LINE)
    pdf.ln(20)
    pdf.set_font(PDF_FONT, "", 12)
    pdf.multi_cell(0, 7, _("Centro Servizi Territoriali della Provincia di Pesaro e Urbino"), align="C", **_NEXT_LINE)
    pdf.multi_cell(0, 7, _("Catalogo del riuso"), align="C", **_NEXT_LINE)
    pdf.ln(10)
    pdf.multi_cell(0, 7, _("Generato il %(when)s") % {"when": display(content.generated_at)}, align="C", **_NEXT_LINE)

    # Key figures.
    pdf.add_page()
    _pdf_heading(pdf, _("Dati principali"), keep=_TABLE_START)
    pdf.set_font(PDF_FONT, "", 11)
    with pdf.table(col_widths=(130, 50), text_align=("LEFT", "RIGHT"), first_row_as_headings=True) as table:
        head = table.row()
        head.cell(_("Dato"))
        head.cell(_("Valore"))
        for label, value in content.figures:
            row = table.row()
            row.cell(str(label))
            row.cell(display(value))
    progress(60)

    figure = 0
    for i, table_data in enumerate(content.tables, start=1):
        pdf.ln(6)
        chart = content.chart_for(table_data)
        shapes = drawing.layout(chart) if chart else None
        caption = ""
        if chart and shapes:
            figure += 1
            caption = _("Figura %(n)s. %(title)s: %(summary)s") % {
                "n": figure, "title": table_data.title, "summary": chart.summary}
        elif chart:
            caption = chart.summary
        # The heading stays with what follows it: the chart and its caption, or the table's first rows.
        follows = (shapes.height + 3 if shapes else 0) + _pdf_text_height(pdf, caption, 9) + _TABLE_START
        _pdf_heading(pdf, table_data.title, keep=follows)
        if shapes:
            drawing.draw_pdf(pdf, shapes, x=pdf.l_margin, y=pdf.get_y(), font=PDF_FONT)
            pdf.set_y(pdf.get_y() + shapes.height + 2)
        if caption:
            pdf.set_font(PDF_FONT, "", 9)
            pdf.multi_cell(0, 4.5, caption, **_NEXT_LINE)
            pdf.ln(2)
        if not table_data.rows:
            pdf.set_font(PDF_FONT, "", 11)
            pdf.multi_cell(0, 7, _("Nessun dato."), **_NEXT_LINE)
        else:
            pdf.set_font(PDF_FONT, "", 9)
            with pdf.table(first_row_as_headings=True, repeat_headings=1, text_align="LEFT") as table:
                head = table.row()
                for h in table_data.headers:
                    head.cell(str(h))
                for values in table_data.rows:
                    row = table.row()
                    for value in values:
                        row.cell(display(value))
        progress(60 + 30 * i // max(len(content.tables), 1))
    return bytes(pdf.output())


# Room for a table's heading row and first row (or the "no data" line) below a heading.
_TABLE_START = 18.0
_HEADING_SIZE, _HEADING_LINE = 14, 8.0


def _pdf_text_height(pdf, text: str, size: float, *, line: float = 4.5) -> float:
    if not text:
        return 0.0
    pdf.set_font(PDF_FONT, "", size)
    return len(pdf.multi_cell(0, line, text, dry_run=True, output="LINES")) * line + 2


def _pdf_heading(pdf, text: str, *, keep: float) -> None:
    """A heading, on a new page when the heading and the next `keep` mm would not fit on this one: a heading is
    never left alone at the bottom of a page. `keep` is capped at a page, so a very tall block still starts under
    its heading."""
    pdf.set_font(PDF_FONT, "B", _HEADING_SIZE)
    lines = len(pdf.multi_cell(0, _HEADING_LINE, text, dry_run=True, output="LINES"))
    room = pdf.h - pdf.t_margin - pdf.b_margin
    needed = min(lines * _HEADING_LINE + 2 + keep, room)
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.start_section(text, level=0)
    pdf.set_font(PDF_FONT, "B", _HEADING_SIZE)
    pdf.set_text_color(0, 102, 204)
    pdf.multi_cell(0, _HEADING_LINE, text, **_NEXT_LINE)
    pdf.set_text_color(30, 30, 30)
    pdf.ln(2)


# --- HTML -----------------------------------------------------------------------------------------------------


def render_html(content: ReportContent, *, progress: Progress = _no_progress) -> bytes:
    """The report as one self-contained, accessible HTML page: headings, tables with a caption and scoped header
    cells, each chart as inline SVG named by its title and described by its summary sentence."""
    sections = [
        {"table": table, "chart": chart, "svg": chart.svg() if chart else ""}
        for table in content.tables
        for chart in [content.chart_for(table)]
    ]
    html = render_to_string("catalog/reports/document.html", {
        "content": content, "sections": sections, "language": translation.get_language() or "it",
    })
    progress(95)
    return html.encode("utf-8")


RENDERERS: dict[str, Callable[..., bytes]] = {"csv": render_csv, "xlsx": render_xlsx, "pdf": render_pdf}
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
