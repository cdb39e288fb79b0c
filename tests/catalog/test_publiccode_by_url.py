"""Import by URL: the portal fetches a repository's publiccode.yml from a real HTTP server on the loopback (listed in
FETCH_ALLOWED_HOSTS, as an internal mirror would be), plus the logo and screenshots it references, checked and kept;
what cannot be fetched is refused or warned about, never half-imported."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from catalog.models import Solution
from catalog.publiccode.services import import_publiccode_from_url
from tests.catalog.publiccode_helpers import dump, valid_doc
from tests.security import http_servers as hs

pytestmark = pytest.mark.django_db

HOSTILE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" width="10" height="10">'
               b'<script>alert(2)</script><rect width="10" height="10" fill="red"/></svg>')


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "navy").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    return tmp_path


def _doc(**changes):
    changes = {"logo": "img/logo.png", **changes}
    doc = valid_doc(url="https://github.com/comune-di-bari/mensa-scolastica", name="Mensa scolastica",
                    organisation={"name": "Comune di Bari", "uri": "urn:x-italian-pa:c_a662"}, **changes)
    doc["description"]["it"]["screenshots"] = ["img/screen.png"]
    return doc


def test_cst_staff_import_a_file_by_url_with_its_logo_and_screenshots(media, cst_admin, client):
    routes = {"/repo/publiccode.yml": hs.body(dump(_doc()), "text/yaml"),
              "/repo/img/logo.png": hs.body(png(), "image/png"),
              "/repo/img/screen.png": hs.body(png(), "application/octet-stream")}
    with hs.running(routes) as server:
        result = import_publiccode_from_url(server.url("/repo/publiccode.yml"), by=cst_admin)

    assert result.ok, result.errors
    solution = Solution.objects.get(pk=result.solution.pk)
    assert solution.owner.ipa_code == "c_a662" and not solution.owner.is_member
    assert solution.logo_image.endswith(".png") and len(solution.screenshot_images) == 1
    assert (media / solution.logo_image).read_bytes() == png()
    page = client.get(solution.get_absolute_url()).content.decode()
    assert f'src="{solution.logo_url}"' in page and 'id="solution-logo"' in page
    image = client.get(solution.logo_url)
    assert image["X-Content-Type-Options"] == "nosniff" and "sandbox" in image["Content-Security-Policy"]


def test_an_svg_logo_is_kept_without_its_scripts(media, cst_admin):
    doc = _doc(logo="logo.svg")
    doc["description"]["it"].pop("screenshots")
    routes = {"/publiccode.yml": hs.body(dump(doc)), "/logo.svg": hs.body(HOSTILE_SVG, "image/svg+xml")}
    with hs.running(routes) as server:
        result = import_publiccode_from_url(server.url("/publiccode.yml"), by=cst_admin)

    assert result.ok, result.errors
    kept = (media / Solution.objects.get(pk=result.solution.pk).logo_image).read_bytes()
    assert b"<script" not in kept and b"onload" not in kept and b"<rect" in kept


def test_a_missing_logo_is_a_warning_and_the_solution_is_imported(media, cst_admin):
    routes = {"/publiccode.yml": hs.body(dump(_doc()))}
    with hs.running(routes) as server:
        result = import_publiccode_from_url(server.url("/publiccode.yml"), by=cst_admin)

    assert result.ok, result.errors
    assert {w.path for w in result.warnings} >= {"logo", "description.it.screenshots[0]"}
    assert Solution.objects.get(pk=result.solution.pk).logo_image == ""


def test_a_private_address_is_refused_unless_its_host_is_allowed(media, cst_admin, settings):
    settings.FETCH_ALLOWED_HOSTS = []
    with hs.running({"/publiccode.yml": hs.body(dump(_doc()))}) as server:
        result = import_publiccode_from_url(server.url("/publiccode.yml"), by=cst_admin)
        assert server.paths() == []

    assert [e.path for e in result.errors] == ["url"]
    assert not Solution.objects.filter(name="Mensa scolastica").exists()


def test_a_file_that_is_not_there_is_an_error_at_url(media, cst_admin):
    with hs.running({}) as server:
        result = import_publiccode_from_url(server.url("/publiccode.yml"), by=cst_admin)

    assert [e.path for e in result.errors] == ["url"]


def test_the_page_imports_by_url(media, cst_admin, client):
    routes = {"/publiccode.yml": hs.body(dump(_doc())), "/img/logo.png": hs.body(png(), "image/png"),
              "/img/screen.png": hs.body(png(), "image/png")}
    client.force_login(cst_admin)
    with hs.running(routes) as server:
        response = client.post("/catalogo/importa-publiccode/", {"url": server.url("/publiccode.yml")})

    solution = Solution.objects.get(name="Mensa scolastica")
    assert response.status_code == 302 and response["Location"] == solution.get_absolute_url()
    assert solution.status == Solution.Status.PUBLISHED and solution.logo_image


def test_the_page_wants_one_source(media, cst_admin, client):
    client.force_login(cst_admin)
    response = client.post("/catalogo/importa-publiccode/", {"dry_run": "on"})
    assert response.status_code == 200
    assert "oppure caricalo, non entrambi" in response.content.decode()
