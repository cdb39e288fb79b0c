"""Playwright with Debian's Chromium, an axe-core check and a guard against requests leaving 127.0.0.1."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests import services
from tests.conftest import PASSWORD

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Django's live server runs in a thread: async-unsafe checks do not apply to the test's own ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    ok, reason = services.have_browser()
    if not ok:
        if services.require_services():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=services.CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class PageGuard:
    """Records every request that would leave the machine, and every console error (CSP violations included)."""

    def __init__(self, page) -> None:
        self.page = page
        self.external: list[str] = []
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        page.route("**/*", self._route)
        page.on("console", self._console)
        page.on("requestfailed", lambda req: self.failed.append(req.url))

    def _route(self, route) -> None:
        url = route.request.url
        host = urlparse(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def assert_clean(self) -> None:
        assert self.external == [], f"requests leaving 127.0.0.1: {self.external}"
        csp = [m for m in self.console_errors if "Content Security Policy" in m or "Refused to" in m]
        assert csp == [], f"CSP violations: {csp}"


@pytest.fixture
def page(browser, live_server):
    from django.core.cache import cache

    # Each test starts from an empty cache, as a new deployment does: the dashboards' figures last computed for an
    # earlier test's data would otherwise be served (marked stale) while their refresh waits for a worker.
    cache.clear()
    context = browser.new_context(base_url=live_server.url, locale="it-IT")
    pg = context.new_page()
    pg.guard = PageGuard(pg)
    yield pg
    context.close()


def check_axe(page, *, context: str = "") -> None:
    """Fail on any WCAG 2.1 A/AA violation on the current page."""
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    assert violations == [], f"axe violations on {context or page.url}:\n{json.dumps(violations, indent=2)}"


def visit(page, path: str, *, expect_status: int | None = 200):
    response = page.goto(path, wait_until="networkidle")
    if expect_status is not None:
        assert response is not None and response.status == expect_status, f"{path}: {response and response.status}"
    return response


def login(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/account/accedi/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:has-text('Accedi')")
    page.wait_for_load_state("networkidle")
