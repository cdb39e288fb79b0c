"""The public list of bodies (search, filters, ordering, pages) and the body page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities import views
from municipalities.models import Body, Membership, Role
from tests.factories import BodyFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("municipalities:body-list")


def _names(response) -> list[str]:
    return [body.name for body in response.context["page_obj"].object_list]


def test_list_shows_the_first_page_in_alphabetical_order_with_the_count(client):
    response = client.get(LIST)
    assert response.status_code == 200
    names = _names(response)
    assert len(names) == views.BODIES_PER_PAGE
    assert names == sorted(names, key=str.lower)
    assert names[0] == "Acqualagna"
    text = response.content.decode()
    assert "51 enti trovati" in text
    assert "pagina 1 di 3" in text


def test_search_by_part_of_the_name_ignores_case(client):
    response = client.get(LIST, {"q": "MONTE"})
    names = _names(response)
    assert names and all("monte" in name.lower() for name in names)


@pytest.mark.parametrize("code,expected", [("041044", ["Pesaro"]), ("c_d488", ["Fano"]), ("C_D488", ["Fano"]),
                                           ("p_PU", ["Provincia di Pesaro e Urbino"]), ("cdcoame", ["Colli al Metauro"])])
def test_search_by_istat_or_ipa_code(client, code, expected):
    assert _names(client.get(LIST, {"q": code})) == expected


def test_filter_by_kind(client):
    assert _names(client.get(LIST, {"kind": "provincia"})) == ["Provincia di Pesaro e Urbino"]
    union = BodyFactory(name="Unione Montana del Catria e Nerone")
    assert _names(client.get(LIST, {"kind": "unione"})) == [union.name]


def test_filter_by_size_class(client):
    response = client.get(LIST, {"size_class": "l"})
    assert set(_names(response)) == set(Body.objects.filter(population__gte=15000).values_list("name", flat=True))
    assert {"Pesaro", "Fano"} <= set(_names(response))
    small = _names(client.get(LIST, {"size_class": "xs"}))
    assert "Frontino" in small and "Pesaro" not in small


def test_filters_combine_with_search(client):
    response = client.get(LIST, {"q": "san", "kind": "comune", "size_class": "s"})
    for body in response.context["page_obj"]:
        assert "san" in body.name.lower() and body.kind == "comune" and 1000 <= body.population < 5000


@pytest.mark.parametrize("sort", ["name", "-name", "population", "-population"])
def test_every_whitelisted_ordering(client, sort):
    response = client.get(LIST, {"sort": sort, "kind": "comune", "page": 1})
    bodies = list(response.context["page_obj"])
    key = sort.lstrip("-")
    values = [getattr(b, key) for b in bodies]
    if key == "name":
        values = [v.lower() for v in values]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_largest_first_puts_pesaro_first_and_the_province_without_population_last(client):
    first = client.get(LIST, {"sort": "-population"})
    assert _names(first)[:2] == ["Pesaro", "Fano"]
    last = client.get(LIST, {"sort": "-population", "page": 3})
    assert _names(last)[-1] == "Provincia di Pesaro e Urbino"
    smallest = client.get(LIST, {"sort": "population"})
    assert _names(smallest)[0] == "Frontino"


def test_unknown_sort_and_filter_values_are_ignored_not_errors(client):
    response = client.get(LIST, {"sort": "password", "kind": "segreto", "size_class": "zz", "page": "abc"})
    assert response.status_code == 200
    assert response.context["filters"]["sort"] == "name"
    assert response.context["page_obj"].paginator.count == Body.objects.count()


def test_sql_like_input_is_just_text(client):
    response = client.get(LIST, {"q": "' OR 1=1 --"})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0


def test_pagination_keeps_filters_and_ordering_in_the_links(client):
    response = client.get(LIST, {"sort": "-population", "kind": "comune"})
    text = response.content.decode()
    assert 'class="pagination-wrapper' in text
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', text)
    assert links and all("sort=-population" in link and "kind=comune" in link for link in links)
    page2 = client.get(LIST, {"sort": "-population", "kind": "comune", "page": 2})
    assert 'aria-current="page"' in page2.content.decode()
    assert set(_names(response)).isdisjoint(_names(page2))


def test_page_past_the_end_shows_the_last_page(client):
    response = client.get(LIST, {"page": 99})
    assert response.context["page_obj"].number == 3


def test_empty_result_has_a_helpful_message(client):
    response = client.get(LIST, {"q": "Atlantide"})
    text = response.content.decode()
    assert "0 enti trovati" in text
    assert "Nessun ente corrisponde alla ricerca" in text
    assert "Mostra tutti gli enti" in text
    assert "<table" not in text


def test_table_is_accessible(client):
    text = client.get(LIST).content.decode()
    assert "<caption" in text
    assert '<th scope="col"' in text and '<th scope="row"' in text
    assert 'aria-sort="ascending"' in text  # the current ordering is announced


def test_ordering_header_toggles_the_direction(client):
    text = client.get(LIST, {"sort": "name"}).content.decode()
    assert "?sort=-name" in text
    text = client.get(LIST, {"sort": "-population"}).content.decode()
    assert 'aria-sort="descending"' in text
    assert "?sort=population" in text


@pytest.mark.parametrize("per_page", [5, 25, 60])
def test_list_query_count_does_not_grow_with_page_size(client, django_assert_num_queries, monkeypatch, per_page):
    monkeypatch.setattr(views, "BODIES_PER_PAGE", per_page)
    # Anonymous visitor, no session: 1) COUNT(*) of the filtered bodies, 2) the page of bodies.
    with django_assert_num_queries(2):
        response = client.get(LIST, {"sort": "-population", "size_class": ""})
    assert len(response.context["page_obj"].object_list) == min(per_page, 51)


def _registry_queries(captured) -> list[str]:
    """The queries on bodies and memberships (the layout's own, e.g. session, user, notifications, are not ours)."""
    return [q["sql"] for q in captured.captured_queries if "municipalities_body" in q["sql"]
            or "municipalities_membership" in q["sql"]]


@pytest.mark.parametrize("per_page", [5, 60])
def test_list_queries_for_a_logged_in_person(client, referent_fano, monkeypatch, per_page):
    monkeypatch.setattr(views, "BODIES_PER_PAGE", per_page)
    client.force_login(referent_fano)
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST, {"q": "a"})
    # 1) COUNT(*) of the bodies, 2) the page of bodies, and at most 3) the person's roles, read once per request
    # (the navigation asks for them).
    assert len(_registry_queries(captured)) <= 3


# --- body page ------------------------------------------------------------------------------------------------
# The registry's page on its own: the catalogue's sections (tests/catalog/test_body_page.py) left out.
registry_page_only = override_settings(BODY_DETAIL_TEMPLATE="municipalities/body_detail.html")


def test_body_page_shows_the_public_facts(client, pesaro):
    pesaro.member_since = dt.date(2004, 5, 1)
    pesaro.website = "https://www.comune.pesaro.pu.it/"
    pesaro.pec = "comune.pesaro@emarche.it"
    pesaro.save()
    response = client.get(pesaro.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    for fact in ["<h1 class=\"mb-0\">Pesaro</h1>", "041044", "c_g479", "96.238", "15.000 abitanti e oltre",
                 "01/05/2004", "https://www.comune.pesaro.pu.it/", "comune.pesaro@emarche.it", "Ente attivo"]:
        assert fact in text, fact


def test_ceased_body_shows_its_date(client, frontino):
    frontino.is_active = False
    frontino.ceased_on = dt.date(2025, 12, 31)
    frontino.save()
    text = client.get(frontino.get_absolute_url()).content.decode()
    assert "Cessato il 31/12/2025" in text
    assert "Questo ente è cessato" in text


def test_province_page_without_istat_code(client):
    province = Body.objects.get(ipa_code="p_PU")
    text = client.get(province.get_absolute_url()).content.decode()
    assert "p_PU" in text and "non applicabile" in text


def test_unknown_body_is_404(client):
    assert client.get(reverse("municipalities:body-detail", kwargs={"key": "atlantide"})).status_code == 404


def test_private_section_lists_each_person_once_with_all_roles(client, referent_fano, fano):
    Membership.objects.create(user=referent_fano, body=fano, role=Role.PUBLISHER)
    client.force_login(referent_fano)
    text = client.get(fano.get_absolute_url()).content.decode()
    assert text.count(f"mailto:{referent_fano.email}") == 1
    assert "Redazione (pubblicatore), Referente ICT" in text


@registry_page_only
def test_body_page_queries_do_not_grow_with_its_people(client, referent_fano, fano, django_assert_num_queries):
    client.force_login(referent_fano)
    for n in range(12):
        Membership.objects.create(user=UserFactory(), body=fano, role=Role.MEMBER)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(fano.get_absolute_url())
    assert response.content.decode().count("mailto:") == 13
    # 1) the body, 2) the unions it belongs to, 3) the person's roles (once per request), 4) the body's people with
    # their accounts.
    assert len(_registry_queries(captured)) == 4


@registry_page_only
def test_body_page_query_count_for_an_anonymous_visitor(client, fano, django_assert_num_queries):
    # 1) the body, 2) the unions it belongs to; nothing private is read for a visitor who may not see it.
    with django_assert_num_queries(2):
        client.get(fano.get_absolute_url())


def test_people_of_other_member_bodies_see_who_to_contact(client, referent_fano, member_fano, referent_urbino, fano):
    publisher = UserFactory(first_name="Paola", last_name="Redattrice")
    Membership.objects.create(user=publisher, body=fano, role=Role.PUBLISHER)
    client.force_login(referent_urbino)
    text = client.get(fano.get_absolute_url()).content.decode()
    contacts = text[text.index('id="body-contacts"'):]
    assert "Chi contattare" in contacts
    assert f"mailto:{referent_fano.email}" in contacts and "Referente ICT" in contacts
    assert f"mailto:{publisher.email}" in contacts and "Redazione (pubblicatore)" in contacts
    assert member_fano.email not in text  # a plain employee is not a contact
    assert 'id="body-private"' not in text


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_who_to_contact_is_hidden_from_visitors_and_people_of_no_body(client, referent_fano, fano, outsider, who):
    if who == "outsider":
        client.force_login(outsider)
    text = client.get(fano.get_absolute_url()).content.decode()
    assert "Chi contattare" in text
    assert referent_fano.email not in text
    assert "visibili alle persone degli enti del CST che hanno effettuato l'accesso" in text


def test_external_body_has_no_contacts_section(client, referent_urbino):
    external = BodyFactory(name="Comune di Altrove", is_member=False, kind=Body.Kind.ENTE, ipa_code="c_x999")
    client.force_login(referent_urbino)
    assert "Chi contattare" not in client.get(external.get_absolute_url()).content.decode()


@registry_page_only
def test_who_to_contact_costs_one_query(client, referent_urbino, fano, django_assert_num_queries):
    for _n in range(5):
        Membership.objects.create(user=UserFactory(), body=fano, role=Role.REFERENT)
    client.force_login(referent_urbino)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(fano.get_absolute_url())
    text = response.content.decode()
    assert text[text.index('id="body-contacts"'):].count("mailto:") == 5
    # 1) the body, 2) the unions it belongs to, 3) the person's roles (once per request), 4) the referents and
    # publishers with their accounts.
    assert len(_registry_queries(captured)) == 4


def test_profile_lists_bodies_and_roles_and_the_global_role(client, referent_fano, urbino, cst_admin):
    Membership.objects.create(user=referent_fano, body=urbino, role=Role.MEMBER)
    client.force_login(referent_fano)
    text = client.get(reverse("profile")).content.decode()
    assert "Fano" in text and "Referente ICT" in text
    assert "Urbino" in text and "Dipendente" in text
    assert reverse("password_change") in text
    assert reverse("admin:index") not in text
    client.force_login(cst_admin)
    text = client.get(reverse("profile")).content.decode()
    assert "Amministratore CST" in text
    assert "Non hai ruoli in nessun ente" in text
    assert reverse("admin:index") in text
