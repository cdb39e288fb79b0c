"""The provincial dashboard, a body's dashboard, and the CSV export of their tables.

Figures come from catalog.dashboards.stats (one aggregate each, cached; the page says when they were computed and
whether a newer computation is on its way); the tables and charts are catalog.reports.documents' so that the page,
its CSV exports and the reports agree. Each chart is drawn here by static/js/charts.js from data in a json_script
element (and in the reports by catalog.reports.drawing), and is always paired with a text summary and the same data
as a table.
"""

from __future__ import annotations

from html import escape

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from catalog import permissions
from catalog.dashboards import stats
from catalog.reports import documents as reports
from catalog.reports.documents import Table
from catalog.reports.forms import PeriodKindForm
from municipalities.models import Body


def _csv(table: Table | None, filename: str) -> HttpResponse:
    if table is None:
        raise Http404("table")
    response = HttpResponse(reports.table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{table.name}.csv"'
    return response


def _body_options() -> SafeString:
    """The options of the "dashboard of a body" menu, one per member body (8,000 at national scale), escaped and
    joined here: a template loop over them took most of the page's time (≈ 200 ms of 250 at that scale)."""
    bodies = Body.objects.members().order_by("name").values_list("key", "name")
    options = "".join(f'<option value="{escape(key)}">{escape(name)}</option>' for key, name in bodies)
    return mark_safe(options)  # noqa: S308  # nosec B308 B703 - every value escaped just above


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
    # Queries on a cold cache: session, user, then the ten aggregates of stats.province_stats; none on a warm one, nor
    # right after a change, when the last figures are served (marked stale) while a task recomputes them.
    if not permissions.can_view_province_dashboard(request.user):
        raise PermissionDenied
    form = PeriodKindForm(request.GET or None)
    data = stats.province_stats(**form.filters())
    tables = {t.name: t for t in reports.province_tables(data)}
    if request.GET.get("format") == "csv":
        return _csv(tables.get(request.GET.get("table", "")), "cruscotto-provinciale")
    charts = reports.province_charts(data, tables)
    return render(request, "catalog/dashboards/province.html", {
        "form": form,
        "data": data,
        "figures": reports.province_figures(data),
        "charts": charts,
        "reach_table": tables["reach"],
        "waiting_table": tables["waiting"],
        "period": reports.period_text(data["filters"]["date_from"], data["filters"]["date_to"],
                                      data["filters"]["kind"]),
        "body_options": _body_options(),
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
    status_chart = reports.body_status_chart(data, tables["status"])
    return render(request, "catalog/dashboards/body.html", {
        "body": body,
        "data": data,
        "chart": status_chart,
        "tables": tables,
        "sees_province": permissions.can_view_province_dashboard(request.user),
    })
