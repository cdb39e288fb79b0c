"""The language switch: links in the header that set the language cookie and go back to the page, needing no token."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_switch_sets_the_language_and_goes_back_to_the_page():
    client = Client(enforce_csrf_checks=True)  # a plain link: no CSRF token is needed
    response = client.get("/lingua/en/", {"next": "/catalogo/?q=tributi&page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/catalogo/?q=tributi&page=2"
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/catalogo/").content.decode()

    client.get("/lingua/it/", {"next": "/"})
    assert '<html lang="it">' in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_page_offers_both_languages_as_links_back_to_itself(client, language):
    client.cookies["django_language"] = language
    html = client.get("/catalogo/?q=a&page=1").content.decode()
    assert 'action="/i18n/setlang/"' not in html
    assert 'href="/lingua/it/?next=/catalogo/%3Fq%3Da%26page%3D1" lang="it" hreflang="it"' in html
    assert 'href="/lingua/en/?next=/catalogo/%3Fq%3Da%26page%3D1" lang="en" hreflang="en"' in html
    # The language in use is marked for screen readers too.
    assert html.count('aria-current="true"><span>') == 1
    current = "Italiano" if language == "it" else "English"
    assert f'aria-current="true"><span>{current} <span class="visually-hidden">' in html


def test_a_missing_next_goes_home():
    response = Client().get("/lingua/en/")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_language_is_a_404_and_a_post_is_refused():
    assert Client().get("/lingua/fr/", {"next": "/"}).status_code == 404
    assert Client().post("/lingua/en/", {"next": "/"}).status_code == 405
