"""One body's people never reach another body's private data through the API, and clients cannot write the
fields the server owns (status, owner, ids, timestamps)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Adoption
from cstportal.notifications.models import Notification
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(catalogue, referent_fano):
    """Objects that only Pesaro's or Fano's people may reach."""
    notification = Notification.objects.create(
        recipient=referent_fano, kind="adoption", event_key="prova:1", message="Una notifica per Fano"
    )
    return {**catalogue, "notification": notification}


OBJECT_ENDPOINTS = [
    ("get", "/api/v1/solutions/bozza-pesaro/"),
    ("get", "/api/v1/solutions/bozza-pesaro/releases/"),
    ("get", "/api/v1/solutions/bozza-pesaro/publiccode.yml"),
    ("get", "/api/v1/adoptions/{requested}/"),
    ("get", "/api/v1/adoptions/{requested}/events/"),
    ("post", "/api/v1/adoptions/{requested}/transition/"),
    ("get", "/api/v1/adoptions/{in_production}/"),
    ("post", "/api/v1/notifications/{notification}/read/"),
]


@pytest.mark.parametrize(("method", "template"), OBJECT_ENDPOINTS)
def test_token_of_another_body_gets_404_on_every_object_endpoint(private, referent_frontino, method, template):
    path = template.format(**{k: getattr(v, "pk", v) for k, v in private.items()})
    client = client_for(referent_frontino)
    body = {"action": "withdraw"} if path.endswith("transition/") else {}
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code == 404, (path, response.content)
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(("method", "template"), OBJECT_ENDPOINTS)
def test_the_same_endpoints_answer_their_own_people(private, publisher_pesaro, referent_fano, method, template):
    """The 404s above come from the policy, not from broken URLs."""
    path = template.format(**{k: getattr(v, "pk", v) for k, v in private.items()})
    owner = publisher_pesaro if "bozza" in path or "in_production" in template else referent_fano
    body = {"action": "withdraw"} if path.endswith("transition/") else {}
    response = getattr(client_for(owner), method)(path, body, format="json")
    assert response.status_code == 200, (path, response.content)


def test_lists_never_contain_another_bodys_non_public_data(private, referent_frontino, referent_urbino):
    for user in (referent_frontino, referent_urbino):
        client = client_for(user)
        for status in ("", "draft", "in_review", "retired"):
            params = {"status": status} if status else {}
            solutions = client.get("/api/v1/solutions/", params).json()["results"]
            assert all(s["status"] == "published" for s in solutions)
            assert "bozza-pesaro" not in {s["slug"] for s in solutions}
        assert client.get("/api/v1/notifications/").json()["results"] == []
    frontino_adoptions = client_for(referent_frontino).get("/api/v1/adoptions/").json()["results"]
    assert frontino_adoptions == []
    urbino_adoptions = client_for(referent_urbino).get("/api/v1/adoptions/").json()["results"]
    assert {a["id"] for a in urbino_adoptions} == {private["requested"].pk}  # its own solution's request only


def test_creating_an_adoption_for_another_body_is_refused(private, referent_frontino):
    response = client_for(referent_frontino).post(
        "/api/v1/adoptions/", {"solution": "catasto", "municipality": "041013"}, format="json"
    )
    assert response.status_code == 403
    assert not Adoption.objects.filter(solution__slug="catasto").exists()


def test_status_owner_ids_and_timestamps_in_a_request_change_nothing(private, referent_fano):
    long_ago = "2001-01-01T00:00:00Z"
    response = client_for(referent_fano).post("/api/v1/adoptions/", {
        "solution": "catasto", "municipality": "041013",
        "id": 999999, "status": "in_production", "owner": "041067", "owner_body": 7, "body": 7,
        "requested_at": long_ago, "status_changed_at": long_ago, "created_at": long_ago, "updated_at": long_ago,
        "in_production_at": long_ago, "allowed_actions": ["approve"], "savings": "1000000.00",
    }, format="json")
    assert response.status_code == 201
    adoption = Adoption.objects.get(solution__slug="catasto")
    assert adoption.pk != 999999
    assert adoption.status == "requested"
    assert adoption.owner_body.istat_code == "041044" and adoption.body.istat_code == "041013"
    assert adoption.requested_at > timezone.now() - dt.timedelta(minutes=5)
    assert adoption.in_production_at is None


def test_status_and_timestamps_in_a_transition_change_nothing_but_the_step(private, referent_fano):
    adoption = private["requested"]
    response = client_for(referent_fano).post(f"/api/v1/adoptions/{adoption.pk}/transition/", {
        "action": "withdraw", "status": "in_production", "id": 12345, "municipality": "041067",
        "requested_at": "2001-01-01T00:00:00Z", "in_production_at": "2001-01-01T00:00:00Z",
    }, format="json")
    assert response.status_code == 200
    adoption.refresh_from_db()
    assert adoption.status == "withdrawn"
    assert adoption.body.istat_code == "041013" and adoption.in_production_at is None
    assert adoption.requested_at.year != 2001


def test_timestamps_in_a_notification_read_change_nothing(private, referent_fano):
    notification = private["notification"]
    response = client_for(referent_fano).post(
        f"/api/v1/notifications/{notification.pk}/read/", {"read_at": "2001-01-01T00:00:00Z", "id": 1}, format="json"
    )
    assert response.status_code == 200
    notification.refresh_from_db()
    assert notification.read_at.year != 2001
