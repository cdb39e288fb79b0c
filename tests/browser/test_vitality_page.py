"""A harvested solution's vitality in a real browser: the figure, the chart drawn by Chart.js with its text
alternative and its table, no WCAG 2.1 AA violation, in Italian and English, on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from catalog.models import Solution, VitalityDay
from tests.factories import SolutionFactory

from .conftest import check_axe, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def harvested(pesaro):
    call_command("compile_translations", verbosity=0)
    solution = SolutionFactory(owner=pesaro, name="Protocollo informatico", slug="protocollo")
    for n in range(30):
        value = 55 + n % 9
        VitalityDay.objects.create(
            solution=solution,
            day=dt.date(2026, 5, 1) + dt.timedelta(days=n),
            value=value,
            user_community=8,
            code_activity=2.2,
            release_history=20.3,
            longevity=35,
            authors=3,
            commits=5,
            merges=1,
            releases=2,
            age_days=805,
            scores=",".join([str(value)] * 60),
            computed_at=dt.datetime(2026, 5, 30, tzinfo=dt.UTC),
        )
    Solution.objects.filter(pk=solution.pk).update(vitality=value)
    return solution


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("width", [1280, 375])
def test_the_vitality_figure_chart_and_table_are_accessible(page, harvested, language, width):
    page.set_viewport_size({"width": width, "height": 900})
    path = harvested.get_absolute_url()
    if language == "en":
        visit(page, f"/lingua/en/?next={path}")
    visit(page, path)
    section = page.locator("section#vitalita")
    assert section.locator("#vitality-value").inner_text() == "57"  # the last day: 55 + 29 % 9
    canvas = section.locator("canvas[data-chart-source]")
    assert canvas.get_attribute("role") == "img" and canvas.get_attribute("aria-label")
    assert section.locator("p.chart-summary").inner_text().strip()
    assert page.evaluate("(el) => !!window.Chart && !!window.Chart.getChart(el)", canvas.element_handle())
    heading = "Repository vitality" if language == "en" else "Vitalità del repository"
    assert section.locator("h2").inner_text() == heading
    check_axe(page, context=f"vitality, {language}, {width}px")
    section.locator("details summary").click()
    table = section.locator("table#vitality-table")
    assert table.is_visible() and table.locator("tbody tr").count() == 30
    check_axe(page, context=f"vitality table open, {language}, {width}px")
    page.guard.assert_clean()
