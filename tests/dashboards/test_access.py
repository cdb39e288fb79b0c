"""Who sees which dashboard; and the pages render every figure with its table and CSV export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROVINCE = reverse("catalog:dashboard-province")


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body_url(body) -> str:
    return reverse("catalog:dashboard-body", kwargs={"key": body.key})


@pytest.mark.parametrize("persona", ["analyst", "cst_admin"])
def test_analyst_and_cst_see_the_provincial_dashboard(request, known, persona):
    response = client_for(request.getfixturevalue(persona)).get(PROVINCE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cruscotto provinciale" in html
    assert "Tributi locali" in html


@pytest.mark.parametrize("persona", ["referent_fano", "member_fano", "publisher_pesaro", "outsider"])
def test_people_of_a_body_do_not_see_the_provincial_dashboard(request, persona):
    assert client_for(request.getfixturevalue(persona)).get(PROVINCE).status_code == 403


def test_anonymous_is_sent_to_login_from_every_dashboard(fano):
    client = client_for()
    for url in (PROVINCE, body_url(fano), reverse("catalog:dashboard-index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_anonymous_sees_the_public_summary_on_the_home_page(known):
    html = client_for().get("/").content.decode()
    assert 'data-figure="solutions_published">3<' in html
    assert 'data-figure="bodies_reusing">4<' in html
    assert 'data-figure="adoptions_in_production">5<' in html


def test_referent_sees_their_own_body_dashboard(known, referent_fano, fano):
    response = client_for(referent_fano).get(body_url(fano))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cruscotto di Fano" in html
    assert "Catasto ELICAT" in html  # its published solution
    assert "Virtualizzazione dei server" in html  # its approved adoption, waiting for it


def test_referent_of_another_body_gets_404(known, referent_fano, referent_urbino, pesaro, urbino):
    assert client_for(referent_fano).get(body_url(pesaro)).status_code == 404
    assert client_for(referent_fano).get(body_url(urbino)).status_code == 404
    assert client_for(referent_urbino).get(body_url(urbino)).status_code == 200


def test_outsider_gets_404_on_a_body_dashboard(outsider, fano):
    assert client_for(outsider).get(body_url(fano)).status_code == 404


def test_unknown_body_is_404(analyst):
    assert client_for(analyst).get(reverse("catalog:dashboard-body", kwargs={"key": "nessuno"})).status_code == 404


@pytest.mark.parametrize("persona", ["analyst", "cst_admin"])
def test_analyst_and_cst_see_any_body_dashboard(request, known, persona, urbino):
    assert client_for(request.getfixturevalue(persona)).get(body_url(urbino)).status_code == 200


def test_dashboard_index_leads_each_person_to_their_dashboard(referent_fano, analyst, outsider, fano):
    assert client_for(referent_fano).get(reverse("catalog:dashboard-index"))["Location"] == body_url(fano)
    assert client_for(analyst).get(reverse("catalog:dashboard-index"))["Location"] == PROVINCE
    response = client_for(outsider).get(reverse("catalog:dashboard-index"))
    assert response.status_code == 200
    assert "non è collegato ad alcun ente" in response.content.decode()


def test_every_chart_has_a_text_alternative_a_table_and_a_csv_link(known, analyst):
    html = client_for(analyst).get(PROVINCE).content.decode()
    for name in ("kind", "category", "status", "size", "most_reused", "month"):
        assert f'<canvas id="chart-{name}" role="img" aria-label="' in html
        assert f'id="chart-{name}-data" type="application/json"' in html
        assert f'id="table-{name}"' in html
        assert f"table={name}" in html
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "<script>" not in html  # data only in json_script elements (CSP)


def test_provincial_page_shows_hand_computed_summaries(known, analyst):
    html = client_for(analyst).get(PROVINCE).content.decode()
    assert "3 dei 50 comuni attivi" in html
    assert "La soluzione più riusata è Tributi locali, in produzione presso 3 enti." in html
    assert "1 richiesta attende la decisione del titolare da più di 5 giorni lavorativi." in html


def test_filters_are_applied_from_the_query_string(known, analyst):
    html = client_for(analyst).get(PROVINCE, {"kind": "service"}).content.decode()
    assert "1 soluzioni pubblicate" in html or "1 soluzione" in html
    assert "Tributi locali" not in html


def test_invalid_period_is_reported_and_ignored(known, analyst):
    response = client_for(analyst).get(PROVINCE, {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "La data iniziale deve precedere quella finale." in response.content.decode()


def test_table_exports_as_csv(known, analyst):
    response = client_for(analyst).get(PROVINCE, {"format": "csv", "table": "most_reused"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Soluzione", "Tipo", "Ente titolare", "Enti che la usano in produzione"]
    assert rows[1] == ["Tributi locali", "Software a riuso", "Pesaro", "3"]


def test_csv_links_keep_every_filter_of_the_page(known, analyst):
    """The links are the page's own query string plus the table: the CSV holds what the screen shows."""
    html = client_for(analyst).get(PROVINCE, {"kind": "service", "date_from": "2026-01-01"}).content.decode()
    links = re.findall(r'<a href="([^"]*format=csv[^"]*)" download>', html)
    assert len(links) == 8
    for link in links:
        assert link.startswith("?kind=service&amp;date_from=2026-01-01&amp;format=csv&amp;table="), link


def test_csv_link_without_filters_downloads_the_csv(known, analyst):
    html = client_for(analyst).get(PROVINCE).content.decode()
    link = re.search(r'<a href="([^"]*table=most_reused[^"]*)" download>', html).group(1).replace("&amp;", "&")
    response = client_for(analyst).get(PROVINCE + link)
    assert response["Content-Type"].startswith("text/csv")


def test_body_csv_of_what_waits_says_since_when_as_the_page(known, referent_fano, fano):
    client = client_for(referent_fano)
    rows = list(csv.reader(io.StringIO(
        client.get(body_url(fano), {"format": "csv", "table": "to_review"}).content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Soluzione", "Ente adottante", "Stato", "In questo stato dal", "Richiesta il"]
    assert [r[3] for r in rows[1:]] == ["2026-02-10", "2026-03-01"]
    html = client.get(body_url(fano)).content.decode()
    assert "<td>10/02/2026</td>" in html and "<td>01/03/2026</td>" in html


def test_unknown_table_export_is_404(analyst):
    assert client_for(analyst).get(PROVINCE, {"format": "csv", "table": "nope"}).status_code == 404


def test_csv_export_neutralises_formula_text(known, analyst):
    known.s1.name = "=HYPERLINK(\"http://x\")"
    known.s1.save()
    response = client_for(analyst).get(PROVINCE, {"format": "csv", "table": "most_reused"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"


def test_body_dashboard_table_exports_as_csv(known, referent_fano, fano):
    response = client_for(referent_fano).get(body_url(fano), {"format": "csv", "table": "to_review"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["Pesaro", "Frontino"]


def test_body_csv_export_of_another_body_is_404(known, referent_fano, pesaro):
    response = client_for(referent_fano).get(body_url(pesaro), {"format": "csv", "table": "users"})
    assert response.status_code == 404
