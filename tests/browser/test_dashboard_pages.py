"""In a real browser: dashboards and report pages without axe violations, every chart with
a text alternative and its table, and the report page following a build's progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Report
from catalog.reports import services as report_services
from tests.factories import AdoptionFactory, SolutionFactory

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def some_reuse(pesaro, fano, urbino, frontino):
    now = timezone.now()
    tributi = SolutionFactory(name="Tributi locali", owner=pesaro)
    server = SolutionFactory(name="Virtualizzazione dei server", owner=pesaro, kind="service")
    for solution, body, status, days in (
        (tributi, fano, "in_production", 60), (tributi, urbino, "in_production", 40), (server, frontino, "requested", 20),
        (server, fano, "approved", 10),
    ):
        AdoptionFactory(
            solution=solution, body=body, status=status, requested_at=now - dt.timedelta(days=days),
            status_changed_at=now - dt.timedelta(days=days - 5),
            in_production_at=now - dt.timedelta(days=days - 10) if status == "in_production" else None,
            estimated_cost=Decimal("10000"), actual_cost=Decimal("2500"),
        )
    return tributi


def assert_charts_are_accessible(page) -> int:
    canvases = page.locator("canvas[data-chart-source]")
    count = canvases.count()
    assert count > 0
    for i in range(count):
        canvas = canvases.nth(i)
        assert canvas.get_attribute("role") == "img"
        assert len(canvas.get_attribute("aria-label") or "") > 20
        widget = canvas.locator("xpath=ancestor::section[1]")
        assert widget.locator("p.chart-summary").inner_text().strip()
        table = widget.locator("table")
        assert table.locator("caption").inner_text().strip()
        assert table.locator("th[scope=col]").count() >= 2
        # Chart.js drew it (the script is allowed by the CSP and found its data).
        assert page.evaluate("(el) => !!window.Chart && !!window.Chart.getChart(el)", canvas.element_handle())
    return count


def test_provincial_dashboard_is_accessible_with_a_table_for_every_chart(page, analyst, some_reuse):
    login(page, analyst.email)
    visit(page, "/catalogo/cruscotto/provincia/")
    # Six charts; the one of categories has no data here, so only its summary and (empty) table are shown.
    assert assert_charts_are_accessible(page) == 5
    assert page.locator("section.dashboard-widget").count() == 6
    check_axe(page)
    page.guard.assert_clean()


def test_provincial_dashboard_with_filters_is_accessible(page, cst_admin, some_reuse):
    login(page, cst_admin.email)
    visit(page, "/catalogo/cruscotto/provincia/?kind=service&date_from=2020-01-01&date_to=2030-12-31")
    assert_charts_are_accessible(page)
    check_axe(page)


def test_body_dashboard_is_accessible(page, referent_fano, some_reuse):
    login(page, referent_fano.email)
    visit(page, "/catalogo/cruscotto/")  # the only body of the referent
    assert "Cruscotto di Fano" in page.inner_text("h1")
    assert_charts_are_accessible(page)
    check_axe(page)
    page.guard.assert_clean()


def test_another_bodys_dashboard_is_a_404_page(page, referent_fano, pesaro):
    login(page, referent_fano.email)
    visit(page, f"/catalogo/cruscotto/enti/{pesaro.slug}/", expect_status=404)


def test_home_page_public_summary_is_accessible(page, some_reuse):
    visit(page, "/")
    assert page.locator("[data-figure=adoptions_in_production]").inner_text() == "2"
    check_axe(page)


def test_reports_page_is_accessible(page, analyst, fano):
    Report.objects.create(kind="body", body=fano, format="pdf", status="done", progress=100, requested_by=analyst)
    Report.objects.create(kind="provincial", format="xlsx", status="running", progress=40, requested_by=analyst)
    login(page, analyst.email)
    visit(page, "/catalogo/rapporti/")
    check_axe(page)
    page.guard.assert_clean()


def test_report_page_shows_progress_while_running_then_the_download(page, analyst, fano, some_reuse):
    report = report_services.request_report(by=analyst, kind="body", format="csv", body=fano)
    Report.objects.filter(pk=report.pk).update(status="running", progress=40, started_at=timezone.now())
    login(page, analyst.email)
    visit(page, report.get_absolute_url())
    bar = page.locator("[role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "40"
    assert "In preparazione" in page.inner_text("#report-progress")
    check_axe(page)

    # The task moves on: the page polls every 2 seconds and follows it.
    Report.objects.filter(pk=report.pk).update(progress=75)
    page.wait_for_selector("[role=progressbar][aria-valuenow='75']", timeout=6000)
    Report.objects.filter(pk=report.pk).update(status="queued", progress=0, started_at=None)
    report_services.run_report(report_id=report.pk)
    link = page.wait_for_selector("a:has-text('Scarica il rapporto')", timeout=6000)
    assert page.locator("[role=progressbar]").count() == 0
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == Report.objects.get(pk=report.pk).filename
    check_axe(page)
    page.guard.assert_clean()


def test_request_form_creates_a_report_and_opens_its_page(page, referent_fano, fano):
    login(page, referent_fano.email)
    visit(page, "/catalogo/rapporti/")
    check_axe(page)
    page.click("label:has-text('Di un ente')")  # Bootstrap Italia draws the radio under its label
    page.select_option("select[name=body]", str(fano.pk))
    page.click("label:has-text('Excel (XLSX)')")
    assert page.is_checked("input[name=kind][value=body]") and page.is_checked("input[name=format][value=xlsx]")
    page.click("button:has-text('Richiedi il rapporto')")
    page.wait_for_load_state("networkidle")
    report = Report.objects.get()
    assert page.url.endswith(report.get_absolute_url())
    assert "In coda" in page.inner_text("#report-progress")
    check_axe(page)
