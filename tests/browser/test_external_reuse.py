"""Reusing what a body outside the CST publishes, end to end in Chromium: CST staff import a real publiccode.yml
(Azienda USL di Bologna's BABEL, read from ../shared/data/publiccode-real) by URL from a local HTTP server; Fano's
referent finds it by search and asks to adopt it — approved at once by the portal —; once in production the solution
page shows its logo and "Usata da: Fano". Every page passes axe."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image

from catalog.adoptions import services
from catalog.models import Adoption, Solution
from catalog.workflow import AdoptionStatus
from tests.security import http_servers as hs

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "publiccode-real" / "Azienda-USL-di-Bologna__babel.yml"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def test_an_external_solution_imported_by_url_is_found_adopted_and_shown_in_use(
    page, settings, tmp_path, cst_admin, referent_fano, fano
):
    if not REAL.exists():
        pytest.skip(f"real publiccode.yml files missing: {REAL.parent}")
    settings.MEDIA_ROOT = tmp_path
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    routes = {"/babel/publiccode.yml": hs.body(REAL.read_bytes(), "text/yaml"),
              "/babel/logo-babel.png": hs.body(_png(), "image/png")}
    with hs.running(routes) as server:
        login(page, cst_admin.email)
        visit(page, "/catalogo/importa-publiccode/")
        page.fill("input[name=url]", server.url("/babel/publiccode.yml"))
        page.click("form button[type=submit]:has-text('Importa')")
        page.wait_for_load_state("networkidle")
    solution = Solution.objects.get(name="BABEL")
    assert page.url.endswith(solution.get_absolute_url())
    assert solution.status == Solution.Status.PUBLISHED and not solution.owner.is_member
    assert solution.owner.ipa_code.lower() == "asl_bo"

    page.context.clear_cookies()
    login(page, referent_fano.email)
    visit(page, "/catalogo/?q=babel")
    page.click(f"a[href='{solution.get_absolute_url()}']")
    page.wait_for_load_state("networkidle")
    check_axe(page, context="external solution, referent")
    page.fill("#id_adoption-note", "Lo proviamo per il protocollo.")
    page.click("#richiedi-adozione button[type=submit]")
    page.wait_for_load_state("networkidle")
    adoption = Adoption.objects.get(solution=solution, body=fano)
    assert adoption.status == AdoptionStatus.APPROVED
    assert "Il portale" in page.content()
    check_axe(page, context="adoption approved by the portal")

    services.transition_adoption(adoption, action="start", by=referent_fano)
    services.transition_adoption(adoption, action="go_live", by=referent_fano, adopted_version="1.0",
                                 go_live_date=dt.date.today(), environment="production")
    visit(page, solution.get_absolute_url())
    assert page.locator("#solution-logo").evaluate("img => img.complete && img.naturalWidth") == 64
    assert "Fano" in page.locator("table.used-by").inner_text()
    page.screenshot(path="/tmp/external-solution.png", full_page=True)
    check_axe(page, context="external solution in use")
    page.guard.assert_clean()
