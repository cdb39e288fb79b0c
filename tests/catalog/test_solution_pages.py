"""The solution page: who sees which solution, what it shows, which actions it offers, sanitised Markdown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Solution
from catalog.solutions import services
from catalog.templatetags.catalog_tags import render_markdown
from tests.factories import ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def _url(solution: Solution) -> str:
    return reverse("catalog:solution-detail", kwargs={"slug": solution.slug})


# --- hidden unless published ------------------------------------------------------------------------------------

HIDDEN = ["draft", "in_review", "retired"]


@pytest.mark.parametrize("status", HIDDEN)
def test_unpublished_solution_is_404_for_anonymous(client, pesaro, status):
    assert client.get(_url(SolutionFactory(owner=pesaro, status=status))).status_code == 404


@pytest.mark.parametrize("status", HIDDEN)
@pytest.mark.parametrize("persona", ["referent_fano", "member_fano", "referent_urbino", "outsider", "analyst"])
def test_unpublished_solution_is_404_for_other_bodies_people(request, client, pesaro, status, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(SolutionFactory(owner=pesaro, status=status))).status_code == 404


@pytest.mark.parametrize("status", HIDDEN)
def test_publisher_of_another_body_gets_404(client, fano, publisher_pesaro, status):
    client.force_login(publisher_pesaro)
    assert client.get(_url(SolutionFactory(owner=fano, status=status))).status_code == 404


@pytest.mark.parametrize("status", HIDDEN)
@pytest.mark.parametrize("persona", ["publisher_pesaro", "cst_admin"])
def test_unpublished_solution_is_visible_to_its_publishers_and_cst(request, client, pesaro, status, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(SolutionFactory(owner=pesaro, status=status)))
    assert response.status_code == 200
    assert f'data-status="{status}"' in response.content.decode()


def test_published_solution_is_public(client, pesaro):
    assert client.get(_url(SolutionFactory(owner=pesaro))).status_code == 200


def test_unknown_slug_is_404(client):
    assert client.get(reverse("catalog:solution-detail", kwargs={"slug": "non-esiste"})).status_code == 404


# --- content --------------------------------------------------------------------------------------------------


@pytest.fixture
def full_solution(pesaro):
    solution = SolutionFactory(
        owner=pesaro,
        name="Anagrafe del catasto",
        long_description_it="## Che cosa fa\nGestisce **soggetti** e oggetti.",
        features_it=["Import delle forniture", "Storico delle quote"],
        licence="EUPL-1.2",
        repository_url="https://git.example/catasto",
        documentation_url="https://docs.example/catasto",
        landing_url="https://catasto.example/",
        maintenance_type="contract",
        maintenance_contractor="Marche Digitale S.r.l.",
        platforms=["web", "linux"],
        dependencies=[{"name": "PostgreSQL", "kind": "open"}, {"name": "Oracle", "kind": "proprietary"}],
        contacts=[{"name": "Mario Rossi", "email": "mario.rossi@comune-pesaro.example"}],
        supports_spid=True,
        supports_pagopa=True,
    )
    ReleaseFactory(solution=solution, version="1.0.0", date="2025-01-10")
    ReleaseFactory(solution=solution, version="1.2.0", date="2025-09-01")
    return solution


def test_page_shows_what_the_design_lists(client, full_solution):
    html = client.get(_url(full_solution)).content.decode()
    for text in ["Anagrafe del catasto", "<h3>Che cosa fa</h3>", "<strong>soggetti</strong>", "Import delle forniture",
                 "EUPL-1.2", "https://git.example/catasto", "https://docs.example/catasto", "Marche Digitale S.r.l.",
                 "SPID", "pagoPA", "web, linux", "PostgreSQL", "Oracle", "proprietaria",
                 full_solution.owner.get_absolute_url(), "Usata da"]:
        assert text in html, text
    # The newest release is the current one.
    assert "Versione attuale" in html and "1.2.0 (1 settembre 2025)" in html


def test_contacts_are_for_logged_in_people_of_member_bodies(client, full_solution, member_fano, outsider):
    assert "mario.rossi@comune-pesaro.example" not in client.get(_url(full_solution)).content.decode()
    client.force_login(outsider)
    assert "mario.rossi@comune-pesaro.example" not in client.get(_url(full_solution)).content.decode()
    client.force_login(member_fano)
    assert "mario.rossi@comune-pesaro.example" in client.get(_url(full_solution)).content.decode()


def test_publication_history_is_for_its_publishers_and_cst(client, pesaro, publisher_pesaro, cst_admin, member_fano):
    solution = services.create_solution(by=publisher_pesaro, owner=pesaro, name="Prova", licence="MIT",
                                        short_description_it="Breve.", long_description_it="Lunga.")
    services.submit_solution(solution, by=publisher_pesaro)
    services.publish_solution(solution, by=cst_admin)
    client.force_login(publisher_pesaro)
    assert "Storia della pubblicazione" in client.get(_url(solution)).content.decode()
    client.force_login(member_fano)
    assert "Storia della pubblicazione" not in client.get(_url(solution)).content.decode()


def test_changes_requested_reason_is_shown_to_the_publisher(client, pesaro, publisher_pesaro, cst_admin):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    services.request_changes(solution, by=cst_admin, reason="Manca la documentazione.")
    client.force_login(publisher_pesaro)
    html = client.get(_url(solution)).content.decode()
    assert "Il CST ha chiesto delle modifiche" in html and "Manca la documentazione." in html


# --- actions offered ------------------------------------------------------------------------------------------


def _actions(client, solution) -> set[str]:
    html = client.get(_url(solution)).content.decode()
    names = {
        "edit": reverse("catalog:solution-edit", args=[solution.slug]),
        "release": reverse("catalog:release-create", args=[solution.slug]),
        "submit": reverse("catalog:solution-submit", args=[solution.slug]),
        "publish": reverse("catalog:solution-publish", args=[solution.slug]),
        "request_changes": reverse("catalog:solution-request-changes", args=[solution.slug]),
        "retire": reverse("catalog:solution-retire", args=[solution.slug]),
    }
    return {name for name, url in names.items() if url in html}


@pytest.mark.parametrize(
    "status,persona,expected",
    [
        ("draft", "publisher_pesaro", {"edit", "release", "submit"}),
        ("in_review", "publisher_pesaro", {"edit", "release"}),
        ("in_review", "cst_admin", {"edit", "release", "publish", "request_changes"}),
        ("published", "publisher_pesaro", {"edit", "release", "retire"}),
        ("published", "referent_fano", set()),
        ("published", None, set()),
        ("retired", "publisher_pesaro", set()),
        ("retired", "cst_admin", {"edit", "release"}),
    ],
)
def test_buttons_match_what_the_viewer_may_do(request, client, pesaro, status, persona, expected):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert _actions(client, SolutionFactory(owner=pesaro, status=status)) == expected


def test_publish_button_asks_for_confirmation(client, pesaro, cst_admin):
    client.force_login(cst_admin)
    html = client.get(_url(SolutionFactory(owner=pesaro, status="in_review"))).content.decode()
    assert "data-confirm=" in html


# --- Markdown -------------------------------------------------------------------------------------------------


def test_markdown_drops_scripts():
    html = render_markdown("Testo <script>alert('x')</script> e <img src=x onerror=alert(1)>")
    assert "<script" not in html
    assert "onerror" not in html.replace("onerror=alert(1)&gt;", "")  # only escaped text may remain
    assert "<img" not in html


def test_markdown_drops_javascript_links():
    html = render_markdown("[clic](javascript:alert(1)) e [dati](data:text/html;base64,PHNjcmlwdD4=)")
    assert "javascript:" not in html.replace("[clic](javascript:alert(1))", "")
    assert 'href="javascript' not in html and 'href="data' not in html


def test_markdown_keeps_safe_links_and_marks_them():
    html = render_markdown("[docs](https://docs.example/) e <https://x.example>")
    assert '<a href="https://docs.example/" rel="noopener noreferrer nofollow">docs</a>' in html


def test_markdown_headings_sit_below_the_page_sections():
    assert render_markdown("# Titolo\n## Sezione\n### Sotto").strip() == "<h3>Titolo</h3>\n<h3>Sezione</h3>\n<h4>Sotto</h4>"


def test_script_in_a_description_never_reaches_the_page(client, pesaro):
    solution = SolutionFactory(owner=pesaro, long_description_it="<script>alert('x')</script>\n\n[x](javascript:alert(1))")
    html = client.get(_url(solution)).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html


def test_published_solution_links_its_publiccode_file(client, pesaro, publisher_pesaro):
    published = SolutionFactory(owner=pesaro)
    draft = SolutionFactory(owner=pesaro, status="draft")
    assert reverse("catalog:solution-publiccode", args=[published.slug]) in client.get(_url(published)).content.decode()
    client.force_login(publisher_pesaro)
    assert "publiccode.yml" not in client.get(_url(draft)).content.decode()


# --- vitality -------------------------------------------------------------------------------------------------


def _vitality_days(solution: Solution, values: list[int]) -> None:
    import datetime as dt

    from catalog.models import VitalityDay

    for n, value in enumerate(values):
        VitalityDay.objects.create(
            solution=solution, day=dt.date(2026, 6, 1) + dt.timedelta(days=n), value=value, user_community=8,
            code_activity=2.2, release_history=20.3, longevity=35, authors=3, commits=5, merges=1, releases=2,
            age_days=805, scores=",".join([str(value)] * 60), computed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        )
    Solution.objects.filter(pk=solution.pk).update(vitality=values[-1])


def test_a_harvested_solution_shows_its_vitality_with_a_chart_and_its_table(client, pesaro):
    solution = SolutionFactory(owner=pesaro)
    _vitality_days(solution, [58, 60, 62])

    response = client.get(_url(solution))

    html = response.content.decode()
    assert '<span class="display-6 fw-semibold" id="vitality-value">62</span>' in html
    assert 'id="vitality-chart" role="img"' in html and 'id="vitality-chart-data"' in html
    assert "chart.umd.js" in html
    assert response.context["vitality_chart"]["datasets"][0]["data"] == [58, 60, 62]
    assert "Indice di vitalità dal 01/06/2026 al 03/06/2026: da 58 a 62 su 100." in html
    table = html.split('id="vitality-table"')[1]
    assert table.count("<tr>") == 4  # the header and one row a day
    assert "5 commit negli ultimi 60 giorni, di cui 1 merge" in html and "805 giorni dal primo commit" in html


def test_a_solution_typed_by_hand_shows_no_vitality(client, pesaro):
    solution = SolutionFactory(owner=pesaro)
    response = client.get(_url(solution))
    assert 'id="vitality-title"' not in response.content.decode() and "chart.umd.js" not in response.content.decode()
    assert "vitality" not in response.context


def test_vitality_reads_in_english(client, pesaro, settings):
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # the English catalogue read afresh
    solution = SolutionFactory(owner=pesaro)
    _vitality_days(solution, [61])
    client.get("/lingua/en/", {"next": "/"})
    response = client.get(_url(solution))
    html = response.content.decode()
    assert "Repository vitality" in html and "3 authors" in html
