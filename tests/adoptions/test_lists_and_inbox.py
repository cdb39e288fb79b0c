"""The adoption list, the "Da fare" inbox (contents and pinned query counts) and the solution page's
"Usata da"."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.adoptions import services
from municipalities.models import Body
from tests.factories import SolutionFactory


def _layout_queries(client) -> int:
    """Queries every page of the layout makes for this person (session, user, roles, notification bell…)."""
    client.get(reverse("pages:accessibility"))  # the first visit after login also saves the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("pages:accessibility")).status_code == 200
    return len(captured)


def _bodies(*names: str) -> list[Body]:
    return [Body.objects.get(name=name) for name in names]


@pytest.fixture
def many_adoptions(adoption_in, pesaro):
    """`make(n)`: n adoptions of different Pesaro solutions by Fano, in alternating statuses."""

    def make(n: int) -> None:
        statuses = ["requested", "approved", "in_progress", "in_production", "rejected"]
        for i in range(n):
            adoption_in(statuses[i % len(statuses)], of=SolutionFactory(owner=pesaro))

    return make


# --- the list ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_pinned_and_does_not_grow_with_the_page(
    client, django_assert_num_queries, referent_fano, many_adoptions, count
):
    many_adoptions(count)
    client.force_login(referent_fano)
    base = _layout_queries(client)
    # + paginator count, the page of adoptions (solution, body and owner joined), the bodies and the solutions of
    #   the filters
    with django_assert_num_queries(base + 4):
        response = client.get(reverse("catalog:adoption-list"))
    assert len(response.context["page_obj"].object_list) == min(count, 25)


def test_list_filters_by_status_body_and_solution(client, cst_admin, adoption_in, solution, urbino, frontino):
    adoption_in("requested")
    adoption_in("in_production", body=urbino)
    other = SolutionFactory(name="Tributi locali", slug="tributi-locali")
    adoption_in("in_progress", body=frontino, of=other)
    client.force_login(cst_admin)
    url = reverse("catalog:adoption-list")

    def names(**query) -> list[tuple[str, str]]:
        page = client.get(url, query).context["page_obj"]
        return sorted((a.solution.name, a.body.name) for a in page.object_list)

    assert len(names()) == 3
    assert names(status="in_production") == [("Anagrafe soggetti e oggetti", "Urbino")]
    assert names(body=frontino.pk) == [("Tributi locali", "Frontino")]
    assert names(solution="anagrafe-soggetti-oggetti") == [("Anagrafe soggetti e oggetti", "Fano"),
                                                          ("Anagrafe soggetti e oggetti", "Urbino")]
    assert names(status="nonsense", body="x", page="99") == names()  # bad values are ignored, not errors


def test_list_shows_only_what_the_person_may_see(client, referent_urbino, adoption_in, urbino):
    adoption_in("requested")  # Fano's
    mine = adoption_in("approved", body=urbino)
    client.force_login(referent_urbino)
    page = client.get(reverse("catalog:adoption-list")).context["page_obj"]
    assert list(page.object_list) == [mine]


def test_list_paginates(client, cst_admin, many_adoptions):
    many_adoptions(30)
    client.force_login(cst_admin)
    second = client.get(reverse("catalog:adoption-list"), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5
    assert 'aria-current="page"' in second.content.decode()


def test_empty_list_explains_what_to_do(client, referent_fano):
    client.force_login(referent_fano)
    html = client.get(reverse("catalog:adoption-list")).content.decode()
    assert "Non ci sono ancora adozioni" in html


# --- the inbox ---------------------------------------------------------------------------------------------------


def _inbox(client) -> dict[str, list[tuple[str, str]]]:
    sections = client.get(reverse("catalog:inbox")).context["sections"]
    return {s["key"]: sorted((a.body.name, a.status) for a in s["items"]) for s in sections}


@pytest.fixture
def pending(adoption_in, urbino, frontino, pesaro, fano):
    """One adoption in each step that waits for someone, plus closed and running ones that wait for nobody."""
    adoption_in("requested")
    adoption_in("info_needed", body=urbino)
    adoption_in("approved", body=frontino)
    cartoceto, fratte = _bodies("Cartoceto", "Fratte Rosa")
    adoption_in("in_progress", body=cartoceto)
    adoption_in("in_production", body=fratte)
    adoption_in("rejected", body=fratte)
    # Fano's own solution, requested by Urbino: Pesaro's publisher has nothing to do with it.
    adoption_in("requested", body=urbino, of=SolutionFactory(owner=fano, name="Albo pretorio", slug="albo-fano"))


def test_inbox_of_the_owner_publisher_holds_the_requests_to_review(client, publisher_pesaro, pending):
    client.force_login(publisher_pesaro)
    assert _inbox(client) == {"review": [("Fano", "requested")], "answer": [], "start": [], "go_live": []}


def test_inbox_of_an_adopter_referent_holds_questions_and_adoptions_to_advance(
    client, pending, referent_urbino, referent_frontino
):
    client.force_login(referent_urbino)
    assert _inbox(client) == {"review": [], "answer": [("Urbino", "info_needed")], "start": [], "go_live": []}
    client.force_login(referent_frontino)
    assert _inbox(client) == {"review": [], "answer": [], "start": [("Frontino", "approved")], "go_live": []}


def test_inbox_of_cst_holds_everything_pending(client, cst_admin, pending):
    client.force_login(cst_admin)
    inbox = _inbox(client)
    assert inbox == {
        "review": [("Fano", "requested"), ("Urbino", "requested")],
        "answer": [("Urbino", "info_needed")],
        "start": [("Frontino", "approved")],
        "go_live": [("Cartoceto", "in_progress")],
    }
    html = client.get(reverse("catalog:inbox")).content.decode()
    assert re.search(r'Richieste da esaminare <span class="badge[^"]*">2</span>', html)


def test_inbox_of_a_member_is_empty_and_says_so(client, member_fano, pending):
    client.force_login(member_fano)
    response = client.get(reverse("catalog:inbox"))
    assert response.context["total"] == 0
    assert "Niente in attesa" in response.content.decode()


@pytest.mark.parametrize("persona", ["cst_admin", "publisher_pesaro"])
def test_inbox_query_count_is_pinned(request, client, django_assert_num_queries, pending, many_adoptions, persona):
    many_adoptions(12)
    client.force_login(request.getfixturevalue(persona))
    base = _layout_queries(client)
    sections = client.get(reverse("catalog:inbox")).context["sections"]
    not_empty = sum(1 for s in sections if s["count"])
    # + one aggregate for every count, one query per section that has something in it; for CST staff, the review
    # queue's count and its first items
    reviews = 2 if persona == "cst_admin" else 0
    with django_assert_num_queries(base + 1 + not_empty + reviews):
        client.get(reverse("catalog:inbox"))
    assert not_empty == (4 if persona == "cst_admin" else 1)


# --- "Usata da" is the bodies in production ---------------------------------------------------------------------


def _panel(solution, user=None) -> str:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get(solution.get_absolute_url())
    request.user = user or AnonymousUser()
    template = Template("{% load adoption_tags %}{% adoption_panel solution %}")
    return template.render(Context({"solution": solution, "request": request, "user": request.user}))


def _used_by(html: str) -> list[str]:
    table = re.search(r'<table class="table used-by">.*?</table>', html, re.S)
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', table.group(0)) if table else []


def test_used_by_lists_exactly_the_bodies_in_production_and_retire_removes_them(
    adoption_in, solution, urbino, frontino, referent_fano
):
    fano_running = adoption_in("in_production")
    adoption_in("in_progress", body=urbino)
    adoption_in("retired", body=frontino)
    cartoceto, isola = _bodies("Cartoceto", "Isola del Piano")
    adoption_in("in_production", body=cartoceto)
    adoption_in("approved", body=isola)

    html = _panel(solution)
    assert _used_by(html) == ["Cartoceto", "Fano"]
    assert "3.1.0" in html

    services.transition_adoption(fano_running, action="retire", by=referent_fano, note="Passati ad altro.")
    assert _used_by(_panel(solution)) == ["Cartoceto"]


def test_used_by_shows_published_reuse_stories(adoption_in, solution, referent_fano):
    running = adoption_in("in_production")
    services.save_reuse_story(running, by=referent_fano, outcome="Catasto allineato in un mese.",
                              savings_note="Evitata una gara da 48.000 euro.")
    html = _panel(solution)
    assert "Storie di riuso" in html and "Catasto allineato in un mese." in html


def test_request_form_only_for_referents_of_bodies_without_the_solution(
    adoption_in, solution, referent_fano, referent_urbino, member_fano, cst_admin
):
    adoption_in("in_progress")  # Fano has it already
    fano_html = _panel(solution, referent_fano)
    assert 'name="adoption-body"' not in fano_html and "Le adozioni dei tuoi enti" in fano_html
    assert 'name="adoption-body"' not in _panel(solution, member_fano)
    urbino_html = _panel(solution, referent_urbino)
    assert re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', urbino_html) == [
        (str(referent_urbino.memberships.get().body_id), "Urbino")
    ]
    cst_options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', _panel(solution, cst_admin))
    assert "Fano" not in cst_options and "Pesaro" not in cst_options and "Urbino" in cst_options
    assert "Accedi per richiederla" in _panel(solution)


def test_the_solution_page_shows_the_panel(client, adoption_in, solution):
    adoption_in("in_production")
    html = client.get(solution.get_absolute_url()).content.decode()
    assert "Usata da" in html and _used_by(html) == ["Fano"]


def test_retire_leaves_used_by_on_the_public_page_at_once(client, adoption_in, solution, referent_fano):
    running = adoption_in("in_production")
    assert _used_by(client.get(solution.get_absolute_url()).content.decode()) == ["Fano"]
    services.transition_adoption(running, action="retire", by=referent_fano)
    assert _used_by(client.get(solution.get_absolute_url()).content.decode()) == []
