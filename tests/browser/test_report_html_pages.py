"""In a real browser: a report's HTML version, reached from the link beside the download, is axe-clean on a desktop
and on a phone, in Italian and in English, with every chart an image described by its summary."""

from __future__ import annotations

import pytest

from catalog.reports import services as report_services

from .conftest import check_axe, login, visit
from .test_dashboard_pages import some_reuse  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _built(by, **kwargs):
    report = report_services.request_report(by=by, **kwargs)
    return report_services.run_report(report_id=report.pk)


def _assert_html_version_is_accessible(page) -> None:
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        title_id, desc_id = chart.get_attribute("aria-labelledby").split()
        assert page.locator(f"[id='{title_id}']").text_content().strip()
        assert len(page.locator(f"[id='{desc_id}']").text_content()) > 20
        assert chart.locator("xpath=ancestor::figure[1]/figcaption").inner_text().strip()
    tables = page.locator("table")
    assert tables.count() >= 5
    for i in range(tables.count()):
        assert tables.nth(i).locator("caption").inner_text().strip()
        assert tables.nth(i).locator("th:not([scope])").count() == 0
    check_axe(page)


def test_provincial_report_html_version_from_the_report_page(page, analyst, some_reuse):  # noqa: F811
    report = _built(analyst, kind="provincial", format="pdf")
    login(page, analyst.email)
    visit(page, report.get_absolute_url())
    check_axe(page)
    page.click("a:has-text('Leggi la versione HTML accessibile')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/rapporti/{report.pk}/html/")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.inner_text("h1") == "Rapporto provinciale sul riuso"
    _assert_html_version_is_accessible(page)
    page.set_viewport_size({"width": 375, "height": 740})
    check_axe(page, context="phone width")
    page.guard.assert_clean()


def test_english_report_html_version_is_accessible(page, analyst, some_reuse):  # noqa: F811
    analyst.language = "en"
    analyst.save(update_fields=["language"])
    report = _built(analyst, kind="provincial", format="xlsx")
    login(page, analyst.email)
    visit(page, f"/catalogo/rapporti/{report.pk}/html/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.inner_text("h1") == "Provincial report on reuse"
    _assert_html_version_is_accessible(page)
    page.guard.assert_clean()


def test_report_list_links_the_html_version_beside_the_download(page, referent_fano, fano, some_reuse):  # noqa: F811
    report = _built(referent_fano, kind="body", format="pdf", body=fano)
    login(page, referent_fano.email)
    visit(page, "/catalogo/rapporti/")
    row = page.locator("tr", has_text=report.title)
    assert row.locator("a[download]").count() == 1
    row.locator("a", has_text="versione HTML").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("svg[role=img]").count() == 1  # the body's adoptions by status
    check_axe(page)
