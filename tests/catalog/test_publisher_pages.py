"""Publisher and CST pages: create, edit, releases, submit, review queue, publish, request changes, retire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from catalog.models import PublicationEvent, Solution
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("catalog:solution-create")
MINE = reverse("catalog:solution-mine")
QUEUE = reverse("catalog:review-queue")


def valid_data(**extra) -> dict:
    return {
        "name": "Gestione del canone unico",
        "kind": "software",
        "short_description_it": "Canone unico patrimoniale: occupazioni, pubblicità e mercati.",
        "long_description_it": "## Funzioni\n- calcolo del canone\n- avvisi pagoPA",
        "features_it": "Calcolo del canone\n\nAvvisi pagoPA\n",
        "categories": ["taxes-management", "billing-and-invoicing"],
        "scope": ["local-authorities"],
        "tags": "tributi, canone",
        "origin": "fiscat",
        "software_type": "standalone/web",
        "development_status": "stable",
        "licence": "eupl-1.2",
        "repository_url": "https://git.example/canone",
        "platforms": "web",
        "available_languages": "it, en",
        "dependencies_open": "PostgreSQL 15",
        "dependencies_proprietary": "",
        "dependencies_hardware": "",
        "maintenance_type": "contract",
        "maintenance_contractor": "Marche Digitale S.r.l.",
        "maintenance_until": "2027-12-31",
        "contacts": "Mario Rossi <Mario.Rossi@comune-pesaro.example> +39 0721 123456\nUfficio tributi <tributi@comune-pesaro.example>",
        "supports_pagopa": "on",
        **extra,
    }


# --- access ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CREATE, MINE, QUEUE])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["referent_fano", "member_fano", "analyst", "outsider"])
def test_people_without_a_publisher_role_may_not_create(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CREATE).status_code == 403
    assert client.get(MINE).status_code == 403


@pytest.mark.parametrize("persona", ["publisher_pesaro", "referent_fano", "analyst"])
def test_review_queue_is_for_cst_only(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 403


def test_edit_of_another_bodys_solution(client, publisher_pesaro, fano):
    client.force_login(publisher_pesaro)
    published = SolutionFactory(owner=fano)
    draft = SolutionFactory(owner=fano, status="draft")
    assert client.get(reverse("catalog:solution-edit", args=[published.slug])).status_code == 403
    assert client.get(reverse("catalog:solution-edit", args=[draft.slug])).status_code == 404
    assert client.post(reverse("catalog:solution-submit", args=[draft.slug])).status_code == 404
    assert client.get(reverse("catalog:release-create", args=[draft.slug])).status_code == 404


def test_anonymous_actions_never_act(client, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    for name in ("solution-publish", "solution-submit", "solution-retire", "solution-request-changes"):
        response = client.post(reverse(f"catalog:{name}", args=[solution.slug]), {"reason": "x"})
        assert response.status_code == 302 and reverse("login") in response["Location"]
    solution.refresh_from_db()
    assert solution.status == "in_review"


# --- create, edit, release, submit ----------------------------------------------------------------------------


def test_publisher_creates_a_draft_from_the_form(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    form_page = client.get(CREATE)
    assert form_page.status_code == 200
    assert form_page.context["form"]["owner"].initial == pesaro.pk  # their only body, preselected
    response = client.post(CREATE, valid_data(owner=pesaro.pk))
    solution = Solution.objects.get(name="Gestione del canone unico")
    assert response.status_code == 302 and response["Location"] == solution.get_absolute_url()
    assert solution.status == "draft" and solution.owner == pesaro
    assert solution.licence == "EUPL-1.2"  # normalised
    assert solution.features_it == ["Calcolo del canone", "Avvisi pagoPA"]
    assert solution.available_languages == ["it", "en"]
    assert solution.dependencies == [{"name": "PostgreSQL 15", "kind": "open"}]
    assert solution.contacts == [
        {"name": "Mario Rossi", "email": "mario.rossi@comune-pesaro.example", "phone": "+39 0721 123456"},
        {"name": "Ufficio tributi", "email": "tributi@comune-pesaro.example"},
    ]
    assert solution.supports == ["pagopa"]
    assert solution.maintenance_until == dt.date(2027, 12, 31)
    assert sorted(c.code for c in solution.categories.all()) == ["billing-and-invoicing", "taxes-management"]
    assert sorted(t.name for t in solution.tags.all()) == ["canone", "tributi"]


def test_publisher_may_not_create_for_another_body(client, publisher_pesaro, fano):
    client.force_login(publisher_pesaro)
    response = client.post(CREATE, valid_data(owner=fano.pk))
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Solution.objects.exists()


def test_edit_form_shows_the_current_values_and_saves(client, publisher_pesaro, pesaro):
    client.force_login(publisher_pesaro)
    client.post(CREATE, valid_data(owner=pesaro.pk))
    solution = Solution.objects.get()
    url = reverse("catalog:solution-edit", args=[solution.slug])
    page = client.get(url)
    html = page.content.decode()
    assert "Mario Rossi &lt;mario.rossi@comune-pesaro.example&gt; +39 0721 123456" in html
    assert "PostgreSQL 15" in html and "tributi, canone" in html or "canone, tributi" in html
    response = client.post(url, valid_data(owner=pesaro.pk, name="Canone unico patrimoniale", tags="canone"))
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.name == "Canone unico patrimoniale" and solution.slug == "gestione-del-canone-unico"
    assert [t.name for t in solution.tags.all()] == ["canone"]


def test_release_form_adds_a_release(client, publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro)
    client.force_login(publisher_pesaro)
    url = reverse("catalog:release-create", args=[solution.slug])
    response = client.post(url, {"version": "2.0.0", "date": "2025-05-05", "notes": "Novità"})
    assert response.status_code == 302
    solution.refresh_from_db()
    assert solution.latest_release_date == dt.date(2025, 5, 5)
    again = client.post(url, {"version": "2.0.0", "date": "2025-05-06"})
    assert "La versione 2.0.0 è già registrata." in again.context["form"].errors["version"]


def test_submit_sends_to_review(client, publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro, status="draft")
    client.force_login(publisher_pesaro)
    response = client.post(reverse("catalog:solution-submit", args=[solution.slug]), follow=True)
    solution.refresh_from_db()
    assert solution.status == "in_review"
    assert "inviata in revisione" in response.content.decode()


def test_submitting_twice_says_what_happened(client, publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    client.force_login(publisher_pesaro)
    response = client.post(reverse("catalog:solution-submit", args=[solution.slug]), follow=True)
    assert response.status_code == 200
    assert "Solo una bozza può essere inviata in revisione." in response.content.decode()


def test_my_solutions_lists_every_status_of_my_body_only(client, publisher_pesaro, pesaro, fano):
    for status in ("draft", "in_review", "published", "retired"):
        SolutionFactory(owner=pesaro, status=status, name=f"Pesaro {status}")
    SolutionFactory(owner=fano, name="Di Fano")
    client.force_login(publisher_pesaro)
    names = [s.name for s in client.get(MINE).context["page_obj"]]
    assert names == ["Pesaro draft", "Pesaro in_review", "Pesaro published", "Pesaro retired"]


# --- CST review -----------------------------------------------------------------------------------------------


def test_review_queue_lists_solutions_waiting(client, cst_admin, publisher_pesaro, pesaro, django_assert_num_queries):
    waiting = [SolutionFactory(owner=pesaro, status="draft") for _ in range(3)]
    for solution in waiting:
        client.force_login(publisher_pesaro)
        client.post(reverse("catalog:solution-submit", args=[solution.slug]))
    SolutionFactory(owner=pesaro, status="draft")
    client.force_login(cst_admin)
    client.get(QUEUE)  # warm the session
    # session, user, the person's roles (read once), count, page with owners and submission dates, the bell's
    # unread count
    with django_assert_num_queries(6):
        response = client.get(QUEUE)
    assert [s.pk for s in response.context["page_obj"]] == [s.pk for s in waiting]


def test_cst_publishes_from_the_queue(client, cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    client.force_login(cst_admin)
    response = client.post(reverse("catalog:solution-publish", args=[solution.slug]), {"next": "queue"})
    assert response["Location"] == QUEUE
    solution.refresh_from_db()
    assert solution.status == "published" and solution.published_at


def test_double_publish_is_refused_with_a_message(client, cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    client.force_login(cst_admin)
    url = reverse("catalog:solution-publish", args=[solution.slug])
    client.post(url)
    response = client.post(url, follow=True)
    assert "Si può pubblicare solo una soluzione in revisione." in response.content.decode()
    assert PublicationEvent.objects.filter(solution=solution, to_status="published").count() == 1


def test_request_changes_needs_a_reason(client, cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    client.force_login(cst_admin)
    url = reverse("catalog:solution-request-changes", args=[solution.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Campo obbligatorio."]
    solution.refresh_from_db()
    assert solution.status == "in_review"
    client.post(url, {"reason": "Aggiungere la documentazione."})
    solution.refresh_from_db()
    assert solution.status == "draft" and solution.status_reason == "Aggiungere la documentazione."


def test_publisher_may_not_publish(client, publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    client.force_login(publisher_pesaro)
    assert client.post(reverse("catalog:solution-publish", args=[solution.slug])).status_code == 403
    assert client.get(reverse("catalog:solution-request-changes", args=[solution.slug])).status_code == 403


def test_retire_asks_a_reason_and_confirmation(client, publisher_pesaro, pesaro):
    solution = SolutionFactory(owner=pesaro)
    client.force_login(publisher_pesaro)
    url = reverse("catalog:solution-retire", args=[solution.slug])
    page = client.get(url).content.decode()
    assert "data-confirm=" in page
    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    client.post(url, {"reason": "Sostituita."})
    solution.refresh_from_db()
    assert solution.status == "retired"


# --- navigation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("publisher_pesaro", {"Le mie soluzioni", "Nuova soluzione", "Sorgenti"}),
        ("cst_admin", {"Nuova soluzione", "Revisione", "Sorgenti"}),
        ("referent_fano", set()),
        (None, set()),
    ],
)
def test_navigation_entries_follow_the_role(request, client, persona, expected):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("catalog:solution-list")).content.decode()
    found = {label for label in ("Le mie soluzioni", "Nuova soluzione", "Revisione", "Sorgenti")
             if f"<span>{label}</span>" in html}
    assert found == expected
