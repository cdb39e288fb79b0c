"""Django admin for CST staff: bodies, people and memberships with search and filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from municipalities.models import Body, GlobalRole, Membership, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cst_admin):
    client.force_login(cst_admin)
    return client


def _results(response) -> list:
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize("term,expected", [("Pesaro", "Pesaro"), ("041017", "Frontino"), ("cdcoame", "Colli al Metauro")])
def test_bodies_can_be_searched_by_name_istat_and_ipa(staff_client, term, expected):
    response = staff_client.get(reverse("admin:municipalities_body_changelist"), {"q": term})
    assert response.status_code == 200
    assert expected in [b.name for b in _results(response)]


def test_bodies_can_be_filtered_by_kind_size_class_and_state(staff_client):
    url = reverse("admin:municipalities_body_changelist")
    assert [b.name for b in _results(staff_client.get(url, {"kind__exact": "provincia"}))] == [
        "Provincia di Pesaro e Urbino"
    ]
    small = _results(staff_client.get(url, {"size_class": "xs"}))
    assert small and all(b.population < 1000 for b in small)
    assert len(_results(staff_client.get(url, {"is_active__exact": "1"}))) == Body.objects.count()
    text = staff_client.get(url).content.decode()
    assert "classe demografica" in text.lower() and "meno di 1.000 abitanti" in text


def test_body_change_page_shows_size_class_and_memberships(staff_client, fano, referent_fano):
    response = staff_client.get(reverse("admin:municipalities_body_change", args=[fano.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "15.000 abitanti e oltre" in text
    assert "Ruoli negli enti" in text or "ruoli negli enti" in text


def test_people_can_be_searched_and_filtered_by_global_role(staff_client, analyst, referent_fano):
    url = reverse("admin:municipalities_user_changelist")
    assert [u.email for u in _results(staff_client.get(url, {"q": "referente.fano"}))] == [referent_fano.email]
    assert [u.email for u in _results(staff_client.get(url, {"q": "Fano"}))] == [referent_fano.email]
    assert [u.email for u in _results(staff_client.get(url, {"global_role__exact": "analyst"}))] == [analyst.email]


def test_staff_adds_a_person_by_email_with_a_role_in_a_body(staff_client, fano):
    url = reverse("admin:municipalities_user_add")
    form = staff_client.get(url).content.decode()
    assert 'name="email"' in form and 'name="username"' not in form
    response = staff_client.post(
        url,
        {
            "email": "Nuova.Persona@Fano.test",
            "first_name": "Nuova",
            "last_name": "Persona",
            "global_role": "",
            "usable_password": "true",
            "password1": "Una-Password-Lunga-2026",
            "password2": "Una-Password-Lunga-2026",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-body": str(fano.pk),
            "memberships-0-role": Role.REFERENT,
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    person = User.objects.get(email="nuova.persona@fano.test")
    assert person.check_password("Una-Password-Lunga-2026")
    assert list(person.memberships.values_list("body__istat_code", "role")) == [("041013", "referent")]


def test_an_email_differing_only_in_case_is_refused(staff_client, referent_fano):
    response = staff_client.post(
        reverse("admin:municipalities_user_add"),
        {"email": referent_fano.email.upper(), "usable_password": "false", "memberships-TOTAL_FORMS": "0",
         "memberships-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "Esiste già una persona con questo indirizzo e-mail" in response.content.decode()


def test_staff_changes_a_global_role(staff_client, outsider):
    url = reverse("admin:municipalities_user_change", args=[outsider.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    data = {
        "email": outsider.email, "first_name": "Esterno", "last_name": "", "language": "it",
        "global_role": GlobalRole.ANALYST, "is_active": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    outsider.refresh_from_db()
    assert outsider.global_role == GlobalRole.ANALYST


def test_cst_admin_cannot_make_a_superuser_nor_change_one(staff_client, outsider, django_user_model):
    page = staff_client.get(reverse("admin:municipalities_user_change", args=[outsider.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    root = django_user_model.objects.create_superuser(email="root@cstpu.test", password="x" * 12)
    response = staff_client.post(
        reverse("admin:municipalities_user_change", args=[root.pk]), {"email": "preso@cstpu.test"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.email == "root@cstpu.test"


def test_cst_admin_cannot_delete_bodies_or_people_only_deactivate(staff_client, fano, outsider):
    assert staff_client.get(reverse("admin:municipalities_body_delete", args=[fano.pk])).status_code == 403
    assert staff_client.get(reverse("admin:municipalities_user_delete", args=[outsider.pk])).status_code == 403


def test_memberships_can_be_searched_and_filtered(staff_client, referent_fano, member_fano, publisher_pesaro):
    url = reverse("admin:municipalities_membership_changelist")
    by_body = _results(staff_client.get(url, {"q": "Fano"}))
    assert {m.user.email for m in by_body} == {referent_fano.email, member_fano.email}
    by_role = _results(staff_client.get(url, {"role__exact": "publisher"}))
    assert [m.user.email for m in by_role] == [publisher_pesaro.email]
    by_istat = _results(staff_client.get(url, {"q": "041044"}))
    assert [m.user.email for m in by_istat] == [publisher_pesaro.email]


def test_membership_delete_is_allowed_for_staff(staff_client, member_fano):
    membership = Membership.objects.get(user=member_fano)
    response = staff_client.post(
        reverse("admin:municipalities_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_admin_is_in_italian(staff_client):
    text = staff_client.get(reverse("admin:index")).content.decode()
    assert "Enti e persone" in text
    assert "Enti" in text and "Persone" in text and "Ruoli negli enti" in text


def test_a_staff_flag_without_the_cst_role_gives_access_to_nothing(client, referent_fano):
    referent_fano.is_staff = True
    referent_fano.save(update_fields=["is_staff"])
    client.force_login(referent_fano)
    assert client.get(reverse("admin:municipalities_body_changelist")).status_code == 403
    assert "Enti e persone" not in client.get(reverse("admin:index")).content.decode()


def _body_form_data(body: Body, **changes) -> dict:
    data = {
        "name": body.name, "slug": body.slug, "kind": body.kind, "istat_code": body.istat_code or "",
        "ipa_code": body.ipa_code, "belfiore_code": body.belfiore_code, "population": body.population or "",
        "member_since": "", "ceased_on": "", "website": "", "email": "", "pec": "",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }
    if body.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_marking_a_body_ceased_needs_its_date(staff_client, frontino):
    url = reverse("admin:municipalities_body_change", args=[frontino.pk])
    response = staff_client.post(url, _body_form_data(frontino, is_active=None))
    assert response.status_code == 200
    assert "Indica la data in cui l&#x27;ente è cessato" in response.content.decode()
    response = staff_client.post(url, _body_form_data(frontino, is_active=None, ceased_on="2026-01-01"))
    assert response.status_code == 302
    frontino.refresh_from_db()
    assert not frontino.is_active and str(frontino.ceased_on) == "2026-01-01"


def test_an_ipa_code_of_another_body_is_refused_with_its_name(staff_client, frontino):
    url = reverse("admin:municipalities_body_change", args=[frontino.pk])
    response = staff_client.post(url, _body_form_data(frontino, ipa_code="C_G479"))
    assert response.status_code == 200
    assert "Il codice IPA C_G479 appartiene già a Pesaro" in response.content.decode()
