"""Fixtures of the API tests: an API client, tokens for the personas, a small catalogue."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cstportal.apitokens.services import create_api_token
from tests.factories import AdoptionFactory, ReleaseFactory, SolutionFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache: each test starts with a full quota."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def token_for(user, **kwargs) -> str:
    return create_api_token(user=user, name="prova", **kwargs).key


def client_for(user) -> APIClient:
    """An API client authenticated with a fresh token of `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def catalogue(pesaro, fano, urbino):
    """Pesaro publishes two solutions and keeps one draft; Urbino publishes one. Fano runs Pesaro's first one in
    production, and has a request open on Urbino's."""
    tributi = SolutionFactory(slug="tributi", name="Tributi locali", owner=pesaro, latest_release_date=None)
    ReleaseFactory(solution=tributi, version="2.0.0")
    catasto = SolutionFactory(slug="catasto", name="Catasto decentrato", owner=pesaro, origin="elicat")
    draft = SolutionFactory(slug="bozza-pesaro", name="Bozza di Pesaro", owner=pesaro, status="draft",
                            published_at=None)
    protocollo = SolutionFactory(slug="protocollo", name="Protocollo informatico", owner=urbino, kind="service")
    in_production = AdoptionFactory(solution=tributi, body=fano, status="in_production")
    requested = AdoptionFactory(solution=protocollo, body=fano, status="requested")
    return {
        "tributi": tributi, "catasto": catasto, "draft": draft, "protocollo": protocollo,
        "in_production": in_production, "requested": requested,
    }
