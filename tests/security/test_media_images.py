"""Stored images served by cstportal.media: the right type, never sniffed, sandboxed, cached for ever, and nothing
else of MEDIA_ROOT reachable through the same path."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cstportal import images
from cstportal.media import IMAGE_POLICY

# The requests go through the whole middleware stack, which may look at the database (a session, a health check
# of a kept connection).
pytestmark = pytest.mark.django_db

HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b'<script>alert(2)</script><rect width="10" height="10" fill="#0066cc"/></svg>'
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _stored(data: bytes) -> tuple[str, str]:
    name = images.store_image(images.check_image(data))
    return name, images.image_url(name)


def test_a_stored_svg_is_served_sanitised_and_sandboxed(client, media):
    name, url = _stored(HOSTILE_SVG)
    assert url == f"/media/{name}" and url.endswith(".svg")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == IMAGE_POLICY  # not the pages' policy
    directives = {part.strip().split()[0]: part.strip().split()[1:] for part in IMAGE_POLICY.split(";")}
    assert directives["sandbox"] == [] and directives["default-src"] == ["'none'"]
    assert "script-src" not in directives
    body = b"".join(response.streaming_content)
    assert b"<rect" in body and b"script" not in body and b"onload" not in body


def test_a_stored_png_is_served_as_png_and_cached_for_ever(client, media):
    data = _png()
    name, url = _stored(data)
    response = client.get(url)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == data
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["ETag"].strip('"') in name
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_head_is_answered_and_other_methods_refused(client, media):
    _name, url = _stored(_png())
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Type"] == "image/png"
    head.close()  # the server closes the file after a HEAD; the test client leaves it to us
    assert client.post(url).status_code == 405


def test_storing_the_same_image_twice_keeps_one_file(media):
    first = images.store_image(images.check_image(_png()))
    second = images.store_image(images.check_image(_png()))
    assert first == second
    assert len(list((media / "images").rglob("*.png"))) == 1


def test_a_name_that_was_never_stored_is_404(client, media):
    response = client.get(f"/media/images/ab/{'ab' + '0' * 62}.png")
    assert response.status_code == 404


def test_a_name_in_the_wrong_folder_is_404(client, media):
    name, _url = _stored(_png())
    digest = name.rsplit("/", 1)[1].split(".")[0]
    wrong = "00" if digest[:2] != "00" else "11"
    (media / "images" / wrong).mkdir()
    (media / "images" / wrong / f"{digest}.png").write_bytes(_png())
    assert client.get(f"/media/images/{wrong}/{digest}.png").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/media/reports/2026/01/report.csv", "/media/images/../reports/2026/01/report.csv",
     "/media/images/ab/report.csv", "/media/images/ab/" + "ab" * 32 + ".html", "/media/images/ab/" + "ab" * 32,
     "/media/images/AB/" + "AB" * 32 + ".png", "/media/images/ab/" + "ab" * 32 + ".svg/"],
)  # fmt: skip
def test_nothing_else_of_media_root_is_reachable(client, media, path):
    report = media / "reports" / "2026" / "01" / "report.csv"
    report.parent.mkdir(parents=True)
    report.write_text("private figures")
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 404
    assert b"private figures" not in response.content
