"""API tokens: stored hashed, shown once, revocable, optionally expiring; the profile pages and the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cstportal.apitokens.models import ApiToken
from cstportal.apitokens.services import create_api_token, revoke_api_token

pytestmark = pytest.mark.django_db

ADOPTIONS = "/api/v1/adoptions/"


def _get(key: str, path: str = ADOPTIONS):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(path)


def test_raw_token_is_nowhere_in_the_database(referent_fano):
    issued = create_api_token(user=referent_fano, name="Gestionale del protocollo", days=30)
    assert _get(issued.key).status_code == 200  # also records last_used_at
    text_columns = [f.column for f in ApiToken._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
    assert {"name", "prefix", "key_digest"} <= set(text_columns)
    for row in ApiToken.objects.values_list(*text_columns):
        for value in row:
            assert issued.key not in value
            assert issued.key.split("_", 2)[2] not in value  # not even the secret part
    token = ApiToken.objects.get()
    assert len(token.key_digest) == 64 and token.prefix == issued.key[: len(token.prefix)]


def test_valid_token_authenticates_as_its_person(referent_fano):
    key = create_api_token(user=referent_fano, name="script").key
    response = _get(key)
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_token_gets_401(referent_fano):
    issued = create_api_token(user=referent_fano, name="script")
    revoke_api_token(issued.token)
    response = _get(issued.key)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Token")


def test_revoked_token_gets_401_even_on_public_data(referent_fano):
    issued = create_api_token(user=referent_fano, name="script")
    revoke_api_token(issued.token)
    assert _get(issued.key, "/api/v1/solutions/").status_code == 401


def test_expired_token_gets_401(referent_fano):
    key = create_api_token(user=referent_fano, name="script", days=1).key
    assert _get(key).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert _get(key).status_code == 401


@pytest.mark.parametrize("header", [
    "Token cstpu_00000000_sconosciuto",
    "Token non-un-token",
    "Token",
    "Token a b",
])
def test_unknown_or_malformed_token_gets_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/solutions/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_token_with_right_prefix_but_wrong_secret_gets_401(referent_fano):
    key = create_api_token(user=referent_fano, name="script").key
    assert _get(key[:-4] + "AAAA").status_code == 401


def test_token_of_deactivated_person_gets_401(referent_fano):
    key = create_api_token(user=referent_fano, name="script").key
    referent_fano.is_active = False
    referent_fano.save()
    assert _get(key).status_code == 401


def test_no_credentials_on_a_private_list_gets_401(db):
    response = APIClient().get(ADOPTIONS)
    assert response.status_code == 401


# --- profile pages --------------------------------------------------------------------------------------------


def test_profile_page_creates_a_token_and_shows_the_key_once(client, referent_fano):
    client.force_login(referent_fano)
    response = client.post(reverse("apitokens:token-list"), {"name": "Gestionale", "days": "30"})
    assert response.status_code == 200
    key = response.context["issued"].key
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.user == referent_fano and token.name == "Gestionale"
    assert token.expires_at - timezone.now() > dt.timedelta(days=29)
    again = client.get(reverse("apitokens:token-list"))
    assert key not in again.content.decode()
    assert token.prefix in again.content.decode()
    assert _get(key).status_code == 200


def test_profile_page_token_without_expiry(client, referent_fano):
    client.force_login(referent_fano)
    client.post(reverse("apitokens:token-list"), {"name": "Senza scadenza", "days": ""})
    assert ApiToken.objects.get().expires_at is None


def test_profile_page_refuses_a_token_without_name(client, referent_fano):
    client.force_login(referent_fano)
    response = client.post(reverse("apitokens:token-list"), {"name": "", "days": "30"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revocation_asks_for_confirmation_then_revokes(client, referent_fano):
    issued = create_api_token(user=referent_fano, name="script")
    client.force_login(referent_fano)
    url = reverse("apitokens:token-revoke", args=[issued.token.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Sì, revoca il token" in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None
    response = client.post(url)
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert _get(issued.key).status_code == 401


def test_another_persons_token_cannot_be_revoked(client, referent_fano, referent_urbino):
    issued = create_api_token(user=referent_urbino, name="di Urbino")
    client.force_login(referent_fano)
    url = reverse("apitokens:token-revoke", args=[issued.token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_token_pages_need_login(client):
    response = client.get(reverse("apitokens:token-list"))
    assert response.status_code == 302 and "/account/accedi/" in response["Location"]


def test_token_list_shows_only_own_tokens(client, referent_fano, referent_urbino):
    create_api_token(user=referent_urbino, name="Token di Urbino")
    create_api_token(user=referent_fano, name="Token di Fano")
    client.force_login(referent_fano)
    page = client.get(reverse("apitokens:token-list")).content.decode()
    assert "Token di Fano" in page and "Token di Urbino" not in page


# --- management command ---------------------------------------------------------------------------------------


def test_create_api_token_command_prints_only_the_key(referent_fano):
    out = StringIO()
    call_command("create_api_token", referent_fano.email, "--name", "Integrazione", "--days", "10", stdout=out)
    key = out.getvalue().strip()
    assert "\n" not in key and key.startswith("cstpu_")
    token = ApiToken.objects.get()
    assert token.name == "Integrazione" and token.expires_at is not None
    assert _get(key).status_code == 200


def test_create_api_token_command_refuses_unknown_person(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nessuno@cstpu.test", stdout=StringIO())


def test_profile_page_links_to_the_tokens(client, referent_fano):
    client.force_login(referent_fano)
    page = client.get(reverse("profile")).content.decode()
    assert reverse("apitokens:token-list") in page
