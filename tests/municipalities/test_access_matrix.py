"""Every role × every page of bodies, people and roles → the expected status, and a body's private
data (its people and their roles) never shown to anybody outside that body, CST staff and analysts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from municipalities.models import Body, Membership, Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Roles: who is logged in (None = anonymous). "member", "referent" and "publisher" act in their own body
# (Fano, Fano, Pesaro); "other_body" is the referent of Urbino.
ROLES = {
    "anonymous": None,
    "member": "member_fano",
    "referent": "referent_fano",
    "publisher": "publisher_pesaro",
    "cst_admin": "cst_admin",
    "analyst": "analyst",
    "other_body": "referent_urbino",
}

FANO_SECRET = "collega.riservata@fano.test"
PESARO_SECRET = "collega.riservata@pesaro.test"

OK, LOGIN, ADMIN_LOGIN = 200, "login", "admin-login"

# page → {role: expected}; "login" means a redirect to the portal's login page, "admin-login" to the admin's.
PAGES: dict[str, tuple[str, dict[str, object]]] = {
    "body list": ("/enti/", dict.fromkeys(ROLES, OK)),
    "body detail (Fano)": ("/enti/041013/", dict.fromkeys(ROLES, OK)),
    "body detail (Provincia)": ("/enti/p_pu/", dict.fromkeys(ROLES, OK)),
    "unknown body": ("/enti/atlantide/", dict.fromkeys(ROLES, 404)),
    "profile": ("/account/profilo/", {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}),
    "password change": ("/account/password/", {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}),
    "password change done": ("/account/password/fatto/", {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}),
    "password reset": ("/account/password/reimposta/", dict.fromkeys(ROLES, OK)),
    "password reset sent": ("/account/password/reimposta/inviata/", dict.fromkeys(ROLES, OK)),
    "login": ("/account/accedi/", {**dict.fromkeys(ROLES, 302), "anonymous": OK}),
    "admin index": ("/admin/", {**dict.fromkeys(ROLES, ADMIN_LOGIN), "cst_admin": OK}),
    "admin bodies": ("/admin/municipalities/body/", {**dict.fromkeys(ROLES, ADMIN_LOGIN), "cst_admin": OK}),
    "admin body change": ("BODY_CHANGE", {**dict.fromkeys(ROLES, ADMIN_LOGIN), "cst_admin": OK}),
    "admin people": ("/admin/municipalities/user/", {**dict.fromkeys(ROLES, ADMIN_LOGIN), "cst_admin": OK}),
    "admin person add": ("/admin/municipalities/user/add/", {**dict.fromkeys(ROLES, ADMIN_LOGIN), "cst_admin": OK}),
    "admin memberships": ("/admin/municipalities/membership/",
                          {**dict.fromkeys(ROLES, ADMIN_LOGIN), "cst_admin": OK}),
}

# Whose private section each role sees on the body page.
PRIVATE_SEEN = {
    "anonymous": set(),
    "member": {"fano"},
    "referent": {"fano"},
    "publisher": {"pesaro"},
    "cst_admin": {"fano", "pesaro"},
    "analyst": {"fano", "pesaro"},
    "other_body": set(),
}


@pytest.fixture
def secrets(fano, pesaro):
    """A colleague in Fano and one in Pesaro: their e-mail addresses are the private data to look for."""
    for email, body in [(FANO_SECRET, fano), (PESARO_SECRET, pesaro)]:
        person = User.objects.create_user(email=email, password=PASSWORD, first_name="Riservata")
        Membership.objects.create(user=person, body=body, role=Role.MEMBER)


def _client_for(client, request, role: str):
    fixture = ROLES[role]
    if fixture is not None:
        client.force_login(request.getfixturevalue(fixture))
    return client


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("page", list(PAGES))
def test_role_page_status(client, request, secrets, role, page):
    path, expected_by_role = PAGES[page]
    if path == "BODY_CHANGE":
        path = reverse("admin:municipalities_body_change", args=[Body.objects.get(istat_code="041013").pk])
    expected = expected_by_role[role]
    response = _client_for(client, request, role).get(path)
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next="), response
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), response
    else:
        assert response.status_code == expected
    body = response.content.decode()
    # Whatever the page, nobody outside a body (and CST staff / analysts) ever reads its people.
    if "fano" not in PRIVATE_SEEN[role]:
        assert FANO_SECRET not in body
    if "pesaro" not in PRIVATE_SEEN[role]:
        assert PESARO_SECRET not in body


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("body_slug", ["fano", "pesaro"])
def test_role_sees_private_section_only_of_own_body(client, request, secrets, role, body_slug):
    response = _client_for(client, request, role).get(f"/enti/{body_slug}/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    secret = FANO_SECRET if body_slug == "fano" else PESARO_SECRET
    other_secret = PESARO_SECRET if body_slug == "fano" else FANO_SECRET
    allowed = body_slug in PRIVATE_SEEN[role]
    assert ('id="body-private"' in text) is allowed
    assert (secret in text) is allowed
    assert other_secret not in text
    # The public facts are there for everybody.
    assert "Codice ISTAT" in text and "Classe demografica" in text


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_profile_shows_only_the_persons_own_roles(client, request, secrets, role):
    text = _client_for(client, request, role).get("/account/profilo/").content.decode()
    assert FANO_SECRET not in text and PESARO_SECRET not in text
    person = request.getfixturevalue(ROLES[role])
    for membership in person.memberships.select_related("body"):
        assert membership.body.name in text
