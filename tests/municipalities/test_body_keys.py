"""Every body has one public key in URLs and the API: the ISTAT code for a comune, else its IPA code in lower case,
else its slug. Other codes of a body (an old address by slug, an IPA code in capitals) redirect to it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from municipalities.models import Body
from tests.factories import BodyFactory

pytestmark = pytest.mark.django_db


def test_the_key_is_istat_else_ipa_else_slug(fano):
    province = Body.objects.get(kind=Body.Kind.PROVINCIA)
    union = BodyFactory(slug="unione-del-montefeltro", ipa_code="")

    union.refresh_from_db()
    assert fano.key == "041013"
    assert province.key == province.ipa_code.lower() != ""
    assert union.key == "unione-del-montefeltro"
    assert {b.key for b in (fano, province, union)} == {b.public_key for b in (fano, province, union)}


def test_keys_are_unique(db):
    BodyFactory(slug="ente-a", ipa_code="X_ABC")
    with pytest.raises(IntegrityError), transaction.atomic():
        BodyFactory(slug="x_abc", ipa_code="")


def test_the_body_page_lives_at_its_key_and_old_addresses_redirect(client, fano):
    assert client.get("/enti/041013/").status_code == 200
    for old in ("/enti/fano/", "/enti/C_D488/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/enti/041013/"), old
    assert client.get("/enti/atlantide/").status_code == 404


def test_the_province_is_addressable(client):
    province = Body.objects.get(kind=Body.Kind.PROVINCIA)
    response = client.get(province.get_absolute_url())
    assert response.status_code == 200
    assert province.name in response.content.decode()


def test_the_api_reads_a_body_by_any_of_its_codes(client, fano):
    for code in ("041013", "c_d488", "C_D488", "fano"):
        response = client.get(f"/api/v1/municipalities/{code}/")
        assert response.status_code == 200, code
        assert response.json()["key"] == "041013"


def test_a_union_lists_its_member_comuni(client, pesaro, fano):
    union = BodyFactory(name="Unione Pian del Bruscolo", slug="unione-pian-del-bruscolo")
    union.member_bodies.set([pesaro, fano])

    page = client.get(union.get_absolute_url()).content.decode()
    assert "Comuni aderenti" in page and "Pesaro" in page and "Fano" in page
    assert client.get(fano.get_absolute_url()).content.decode().count("Unione Pian del Bruscolo") >= 1
    data = client.get(f"/api/v1/municipalities/{union.key}/").json()
    assert sorted(data["member_bodies"]) == sorted([pesaro.key, fano.key])


def test_cst_staff_create_a_union_with_its_comuni_in_the_admin(client, cst_admin, pesaro, fano):
    client.force_login(cst_admin)
    response = client.post("/admin/municipalities/body/add/", {
        "name": "Unione Roveresca", "slug": "unione-roveresca", "kind": "unione", "is_member": "on",
        "is_active": "on", "member_bodies": [pesaro.pk, fano.pk],
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })

    assert response.status_code == 302, response.content.decode()[:2000]
    union = Body.objects.get(slug="unione-roveresca")
    assert set(union.member_bodies.all()) == {pesaro, fano}
    assert union.key == "unione-roveresca"


def test_external_bodies_are_listed_apart(client, db):
    Body.objects.create(name="Gemeente Amsterdam", slug="gemeente-amsterdam", kind=Body.Kind.ESTERO,
                        is_member=False, uri="https://www.amsterdam.nl")

    listed = client.get("/enti/", {"membership": "external"}).content.decode()
    members = client.get("/enti/", {"membership": "member"}).content.decode()
    assert "Gemeente Amsterdam" in listed and "Fano" not in listed
    assert "Gemeente Amsterdam" not in members
    page = client.get("/enti/gemeente-amsterdam/").content.decode()
    assert "Ente esterno" in page and "Persone e ruoli" not in page


def test_a_member_is_a_comune_the_province_or_a_union(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Body.objects.create(name="Ente X", slug="ente-x", kind=Body.Kind.ENTE, is_member=True)
