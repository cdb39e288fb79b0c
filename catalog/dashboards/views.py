"""The provincial dashboard, a body's dashboard, and the CSV export of their tables.

Figures come from catalog.dashboards.stats (one aggregate each, cached); the tables are catalog.reports.documents' so that the page, its
CSV exports and the reports agree. Each chart is drawn by static/js/charts.js from data in a json_script element,
and is always paired with a text summary and the same data as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import permissions
from catalog.dashboards import stats
from catalog.reports import documents as reports
from catalog.reports.documents import Table, display
from catalog.reports.forms import PeriodKindForm
from catalog.workflow import AdoptionStatus
from municipalities.models import Body


@dataclass
class Chart:
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


def _column(table: Table, index: int) -> list[Any]:
    return [row[index] for row in table.rows]


def _no_data() -> str:
    return _("Nessun dato per i filtri scelti.")


def _parts(table: Table) -> str:
    return "; ".join(f"{row[0]}: {display(row[1])}" for row in table.rows)


def province_charts(data: dict[str, Any], tables: dict[str, Table]) -> list[Chart]:
    charts = []

    t = tables["kind"]
    charts.append(Chart(t, "doughnut", _column(t, 0), [(_("Soluzioni"), _column(t, 1))],
                        _("%(n)s soluzioni pubblicate (%(parts)s).") % {
                            "n": display(data["solutions_published"]), "parts": _parts(t)}
                        if data["solutions_published"] else _no_data()))

    t = tables["category"]
    top = "; ".join(f"{row[0]} ({display(row[1])})" for row in t.rows[:3])
    charts.append(Chart(t, "bar", _column(t, 0), [(_("Soluzioni"), _column(t, 1))],
                        _("Le categorie con più soluzioni: %(top)s.") % {"top": top} if t.rows else _no_data(),
                        horizontal=True))

    t = tables["status"]
    by_status = {r["status"]: r["count"] for r in data["adoptions_by_status"]}
    pending = sum(by_status.get(s, 0) for s in (AdoptionStatus.REQUESTED, AdoptionStatus.INFO_NEEDED))
    charts.append(Chart(t, "bar", _column(t, 0), [(_("Adozioni"), _column(t, 1))],
                        _("%(n)s adozioni registrate: %(prod)s in produzione, %(pending)s in attesa di decisione, "
                          "%(running)s approvate o in corso.") % {
                            "n": display(data["adoptions_total"]),
                            "prod": display(by_status.get(AdoptionStatus.IN_PRODUCTION, 0)),
                            "pending": display(pending),
                            "running": display(by_status.get(AdoptionStatus.APPROVED, 0)
                                               + by_status.get(AdoptionStatus.IN_PROGRESS, 0)),
                        } if data["adoptions_total"] else _no_data()))

    t = tables["size"]
    charts.append(Chart(t, "bar", _column(t, 0),
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
    charts.append(Chart(t, "bar", _column(t, 0), [(_("Enti"), _column(t, 3))], summary, horizontal=True))

    t = tables["month"]
    if data["per_month"]:
        peak = max(data["per_month"], key=lambda r: r["count"])  # a few dozen months, not rows
        summary = _("Da %(first)s a %(last)s: %(n)s richieste; il mese con più richieste è %(peak)s (%(p)s).") % {
            "first": t.rows[0][0], "last": t.rows[-1][0], "n": display(sum(_column(t, 1))),
            "peak": peak["month"].strftime("%m/%Y"), "p": display(peak["count"]),
        }
    else:
        summary = _no_data()
    charts.append(Chart(t, "line", _column(t, 0), [(_("Richieste"), _column(t, 1))], summary))
    return charts


def _csv(table: Table | None, filename: str) -> HttpResponse:
    if table is None:
        raise Http404("table")
    response = HttpResponse(reports.table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{table.name}.csv"'
    return response


@login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    """Where the 'Cruscotto' link leads: the provincial dashboard, the person's only body, or a choice."""
    key = request.GET.get("ente")
    if key:
        return redirect("catalog:dashboard-body", key=key)
    if permissions.can_view_province_dashboard(request.user):
        return redirect("catalog:dashboard-province")
    bodies = list(permissions.bodies_for_reports(request.user).order_by("name"))
    if len(bodies) == 1:
        return redirect("catalog:dashboard-body", key=bodies[0].key)
    return render(request, "catalog/dashboards/index.html", {"bodies": bodies})


@login_required
def province_dashboard(request: HttpRequest) -> HttpResponse:
    # Queries on a cold cache: session, user, then the ten aggregates of stats.province_stats; none on a warm one.
    if not permissions.can_view_province_dashboard(request.user):
        raise PermissionDenied
    form = PeriodKindForm(request.GET or None)
    data = stats.province_stats(**form.filters())
    tables = {t.name: t for t in reports.province_tables(data)}
    if request.GET.get("format") == "csv":
        return _csv(tables.get(request.GET.get("table", "")), "cruscotto-provinciale")
    charts = province_charts(data, tables)
    return render(request, "catalog/dashboards/province.html", {
        "form": form,
        "data": data,
        "figures": reports.province_figures(data),
        "charts": charts,
        "reach_table": tables["reach"],
        "waiting_table": tables["waiting"],
        "period": reports.period_text(data["filters"]["date_from"], data["filters"]["date_to"],
                                      data["filters"]["kind"]),
        "bodies": Body.objects.members().order_by("name").only("key", "name"),
        "query": request.GET.urlencode(),
    })


@login_required
def body_dashboard(request: HttpRequest, key: str) -> HttpResponse:
    body = Body.objects.by_code(key).first()
    if body is None or not permissions.can_view_body_dashboard(request.user, body):
        raise Http404("body")
    if key != body.key:  # an old address (by slug) or another of the body's codes
        return HttpResponsePermanentRedirect(reverse("catalog:dashboard-body", kwargs={"key": body.key}))
    data = stats.body_stats(body)
    tables = {t.name: t for t in reports.body_tables(data)}
    if request.GET.get("format") == "csv":
        return _csv(tables.get(request.GET.get("table", "")), f"cruscotto-{body.slug}")
    t = tables["status"]
    by_status = {r["status"]: r["count"] for r in data["adoptions_by_status"]}
    status_chart = Chart(
        t, "bar", _column(t, 0), [(_("Adozioni"), _column(t, 1))],
        _("%(n)s adozioni richieste dall'ente, %(prod)s in produzione.") % {
            "n": display(data["adoptions_total"]), "prod": display(by_status.get(AdoptionStatus.IN_PRODUCTION, 0))}
        if data["adoptions_total"] else _("L'ente non ha ancora richiesto l'adozione di soluzioni."),
    )
    return render(request, "catalog/dashboards/body.html", {
        "body": body,
        "data": data,
        "chart": status_chart,
        "tables": tables,
        "sees_province": permissions.can_view_province_dashboard(request.user),
    })
