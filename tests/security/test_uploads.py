"""The one upload the product accepts (publiccode.yml, from the web form and the API) is limited in size, type and
name; whatever the portal serves back from stored data is a download the browser will not render or sniff."""

from __future__ import annotations

import os

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Solution
from tests.catalog.publiccode_helpers import VALID

pytestmark = pytest.mark.django_db

FORM = "/catalogo/importa-publiccode/"
API = "/api/v1/publiccode/import/"
ALIAS_BOMB = b'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b]\n'
PYTHON_TAG = b"publiccodeYmlVersion: !!python/object/apply:os.system ['echo hacked']\n"


def _valid_yaml(**changes) -> bytes:
    return yaml.safe_dump({**VALID, **changes}, allow_unicode=True).encode()


def _file(content: bytes, name: str = "publiccode.yml", content_type: str = "application/x-yaml"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def publisher(client, publisher_pesaro):
    client.force_login(publisher_pesaro)
    client.raise_request_exception = True
    return client


@pytest.fixture
def api_publisher(publisher_pesaro):
    from rest_framework.test import APIClient

    from cstportal.apitokens.services import create_api_token

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token(user=publisher_pesaro, name='t').key}")
    return api


# Each case builds its upload afresh: an uploaded file is consumed by the request that sends it.
REFUSED = [
    pytest.param(lambda: _file(b"name: x\n" + b"#" * (1024 * 1024 + 10)), "dimensione massima", id="over-1-MB"),
    pytest.param(lambda: _file(_valid_yaml(), name="publiccode.exe"), "estensione", id="wrong-extension"),
    pytest.param(lambda: _file(_valid_yaml(), name="publiccode.yml.html"), "estensione", id="double-extension"),
    pytest.param(lambda: _file(_valid_yaml(), name="publiccode"), "estensione", id="no-extension"),
    pytest.param(lambda: _file(os.urandom(4096)), None, id="binary-content"),
    pytest.param(lambda: _file(b"\xff\xfe\x00\x00garbage"), None, id="bad-encoding"),
    pytest.param(lambda: _file(ALIAS_BOMB), None, id="alias-bomb"),
    pytest.param(lambda: _file(PYTHON_TAG), None, id="python-tag"),
    pytest.param(lambda: _file(b"<html><script>alert(1)</script></html>"), None, id="html-document"),
]


@pytest.mark.parametrize(("upload", "message"), REFUSED)
def test_the_import_form_refuses_bad_uploads_with_a_message(publisher, upload, message):
    response = publisher.post(FORM, {"file": upload()})
    assert response.status_code in (200, 400)  # the form again, with its errors
    body = response.content.decode()
    assert 'class="invalid-feedback' in body or "alert-danger" in body or "is-invalid" in body
    if message:
        assert message in body
    assert not Solution.objects.exists()


@pytest.mark.parametrize(("upload", "message"), REFUSED)
def test_the_import_api_refuses_bad_uploads_with_json_errors(api_publisher, upload, message):
    response = api_publisher.post(API, {"file": upload()}, format="multipart")
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")
    if message:
        assert message in response.content.decode()
    assert not Solution.objects.exists()


def test_a_file_named_like_a_path_is_only_read_never_stored_under_its_name(publisher, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    response = publisher.post(FORM, {"file": _file(_valid_yaml(), name="../../../../tmp/evil.yml")})
    assert response.status_code in (200, 302)
    assert not any(tmp_path.rglob("*evil*"))
    assert not os.path.exists("/tmp/evil.yml") or os.path.getmtime("/tmp/evil.yml") < 0


def test_the_api_accepts_only_multipart_uploads(api_publisher):
    response = api_publisher.post(API, {"file": "publiccodeYmlVersion: '0.4'"}, format="json")
    assert response.status_code == 415


def test_people_who_may_not_publish_cannot_upload(client, referent_fano):
    client.force_login(referent_fano)
    assert client.post(FORM, {"file": _file(_valid_yaml())}).status_code == 403


def test_an_oversized_request_is_refused_before_it_is_read(publisher, settings):
    settings.MAX_REQUEST_BYTES = 2 * 1024 * 1024
    response = publisher.post(FORM, {"file": _file(b"#" * (3 * 1024 * 1024))})
    assert response.status_code == 413


# --- what is served back --------------------------------------------------------------------------------------


@pytest.fixture
def hostile_solution(pesaro):
    from tests.factories import SolutionFactory

    return SolutionFactory(
        owner=pesaro, slug="ostile", name="<script>alert('x')</script>",
        short_description_it="<img src=x onerror=alert(1)>", long_description_it="<script>alert(2)</script>",
    )


@pytest.mark.parametrize("path", ["/catalogo/soluzioni/ostile/publiccode.yml",
                                  "/api/v1/solutions/ostile/publiccode.yml"])
def test_a_publiccode_yml_is_served_as_a_download_that_is_never_sniffed(client, hostile_solution, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith(("text/yaml", "application/yaml"))
    assert "<script>" in response.content.decode()  # the data is there, as text, never as a page


def test_a_dashboard_table_is_served_as_a_csv_download(client, analyst, hostile_solution):
    client.force_login(analyst)
    response = client.get("/catalogo/cruscotto/provincia/", {"format": "csv", "table": "most_reused"})
    if response.status_code == 404:
        pytest.skip("the table name of the most reused solutions differs")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_report_file_is_served_as_a_download(client, cst_admin, tmp_path, settings):
    from django.core.files.base import ContentFile

    from catalog.models import Report

    settings.MEDIA_ROOT = tmp_path
    fields = {f.name for f in Report._meta.get_fields()}
    report = Report(requested_by=cst_admin, status=Report.Status.DONE) if "requested_by" in fields else None
    if report is None:
        pytest.skip("reports are requested differently")
    for name, value in {"kind": Report._meta.get_field("kind").choices[0][0] if "kind" in fields else None,
                        "format": "csv" if "format" in fields else None}.items():
        if value is not None:
            setattr(report, name, value)
    report.save()
    report.file.save("rapporto.csv", ContentFile(b"a,b\n<script>,x\n"))
    client.force_login(cst_admin)
    response = client.get(f"/catalogo/rapporti/{report.pk}/scarica/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
