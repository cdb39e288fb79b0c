"""A stored SVG opened directly in Chromium runs no script, even one the sanitiser would have missed: the media
view's sandboxing policy is the second layer, checked here on its own by storing a hostile file as it came.

The answers are the media view's own (status, headers, body: the view called directly, its middleware-free answer
being what a browser gets from it) handed to Chromium for an address of the portal: Django's live test server
serves MEDIA_URL from MEDIA_ROOT by itself, which would bypass the view under test. The headers the middleware adds
around the view are checked in tests/security/test_media_images.py.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.urls import resolve

from cstportal import images

pytestmark = pytest.mark.browser

ORIGIN = "http://portal.test"
HOSTILE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="document.title=\'onload ran\'">'
    b"<script>document.title = 'script ran'; fetch('/healthz')</script>"
    b'<rect width="40" height="40" fill="#0066cc"/></svg>'
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def portal_page(browser):
    """A page whose requests to ORIGIN get the answers `page.serve(path)` took from the portal's view beforehand;
    any other request is refused and recorded."""
    context = browser.new_context()
    page = context.new_page()
    answers: dict[str, dict] = {"/": {"status": 200, "headers": {"Content-Type": "text/html"}, "body": b"<p>CST</p>"}}
    page.asked = []

    def serve(path: str) -> None:
        match = resolve(path)
        response = match.func(RequestFactory().get(path), *match.args, **match.kwargs)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        answers[path] = {"status": response.status_code, "headers": dict(response.items()), "body": body}

    def answer(route):
        path = route.request.url[len(ORIGIN) :]
        page.asked.append(path)
        if path in answers:
            route.fulfill(**answers[path])
        else:
            route.abort()

    page.serve = serve
    page.route(f"{ORIGIN}/**", answer)
    yield page
    context.close()


def _store_as_received(data: bytes) -> str:
    """Stores bytes under the name the portal would give them, without sanitising (what a sanitiser bug would do)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{images.STORAGE_PREFIX}/{digest[:2]}/{digest}.svg"
    default_storage.save(name, ContentFile(data))
    return name


def test_an_unsanitised_svg_served_by_the_portal_runs_no_script(portal_page, media):
    url = images.image_url(_store_as_received(HOSTILE))
    portal_page.serve(url)
    response = portal_page.goto(ORIGIN + url, wait_until="load")
    assert response is not None and response.status == 200
    assert "sandbox" in response.headers["content-security-policy"]
    portal_page.wait_for_timeout(300)
    assert portal_page.title() == ""
    assert portal_page.asked == [url]  # the script's fetch('/healthz') never left


def test_a_sanitised_logo_is_drawn_by_an_img(portal_page, media):
    url = images.image_url(images.store_image(images.check_image(HOSTILE)))
    portal_page.serve(url)
    portal_page.goto(f"{ORIGIN}/", wait_until="load")  # a page of the portal's origin, where pages show logos
    width = portal_page.evaluate(
        """async (src) => {
            const img = new Image();
            img.src = src;
            await img.decode();
            return img.naturalWidth;
        }""",
        url,
    )
    assert width == 40
