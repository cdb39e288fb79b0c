"""The webhooks of the API: a person registers, reads, enables again and removes their own webhooks and reads
their delivery log; another person's webhook is a 404, an anonymous caller a 401, a bad address a 400 on `url`."""

from __future__ import annotations

import pytest

from catalog.adoptions import services as workflow
from catalog.models import Webhook, WebhookDelivery
from catalog.webhooks import services
from tests.api.conftest import client_for
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

SECRET = "un-segreto-lungo-abbastanza"


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]


def payload(**changes) -> dict:
    return {"url": "http://127.0.0.1:9/hook", "secret": SECRET, "events": ["adoption.status_changed"], **changes}


def test_a_referent_registers_a_webhook_and_never_sees_its_secret_again(referent_fano):
    client = client_for(referent_fano)
    response = client.post("/api/v1/webhooks/", payload(description="Intranet di Fano"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/webhooks/{body['id']}/")
    assert "secret" not in body
    assert body["events"] == ["adoption.status_changed"] and body["is_active"] is True
    assert Webhook.objects.get().secret == SECRET
    assert client.get(f"/api/v1/webhooks/{body['id']}/").json() == body
    assert [item["id"] for item in client.get("/api/v1/webhooks/").json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "http://10.0.0.1/hook"}, "url"),
        ({"url": "http://127.0.0.1:9/hook", "secret": "corto"}, "secret"),
        ({"events": []}, "events"),
        ({"events": ["solution.eaten"]}, "events"),
        ({"events": "adoption.status_changed"}, "events"),
        ({"url": 12}, "url"),
    ],
)
def test_a_bad_registration_is_a_400_naming_the_field(referent_fano, changes, field):
    response = client_for(referent_fano).post("/api/v1/webhooks/", payload(**changes), format="json")
    assert response.status_code == 400
    assert field in [error["attr"] for error in response.json()["errors"]]
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_when_it_is_not_allowed(settings, referent_fano):
    settings.FETCH_ALLOWED_HOSTS = []
    response = client_for(referent_fano).post("/api/v1/webhooks/", payload(), format="json")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["url"]


def test_anonymous_and_outsiders_may_not_register(api, outsider):
    assert api.post("/api/v1/webhooks/", payload(), format="json").status_code == 401
    assert client_for(outsider).post("/api/v1/webhooks/", payload(), format="json").status_code == 403


def test_too_many_webhooks_is_a_409(settings, referent_fano):
    settings.WEBHOOKS_PER_PERSON = 1
    client = client_for(referent_fano)
    assert client.post("/api/v1/webhooks/", payload(), format="json").status_code == 201
    assert client.post("/api/v1/webhooks/", payload(), format="json").status_code == 409


@pytest.fixture
def fanos_webhook(referent_fano) -> Webhook:
    return services.register_webhook(
        owner=referent_fano, url="http://127.0.0.1:9/hook", secret=SECRET, events=["adoption.status_changed"]
    )


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("delete", ""), ("post", "enable/"), ("get", "deliveries/")]
)
def test_another_persons_webhook_is_a_404_and_anonymous_a_401(api, fanos_webhook, referent_urbino, method, suffix):
    path = f"/api/v1/webhooks/{fanos_webhook.pk}/{suffix}"
    assert getattr(client_for(referent_urbino), method)(path).status_code == 404
    assert getattr(api, method)(path).status_code == 401
    assert Webhook.objects.filter(pk=fanos_webhook.pk, is_active=True).exists()


def test_the_owner_reads_the_delivery_log_enables_and_removes(fanos_webhook, referent_fano, pesaro, fano):
    workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)
    client = client_for(referent_fano)
    log = client.get(f"/api/v1/webhooks/{fanos_webhook.pk}/deliveries/").json()["results"]
    delivery = WebhookDelivery.objects.get()
    assert log == [
        {
            "delivery_id": str(delivery.delivery_id),
            "event": "adoption.status_changed",
            "status": "pending",
            "attempts": 0,
            "created_at": log[0]["created_at"],
            "sent_at": None,
            "last_status_code": None,
            "last_response": "",
            "last_error": "",
        }
    ]

    Webhook.objects.filter(pk=fanos_webhook.pk).update(
        is_active=False, disabled_at=delivery.created_at, consecutive_failures=10
    )
    enabled = client.post(f"/api/v1/webhooks/{fanos_webhook.pk}/enable/")
    assert enabled.status_code == 200
    assert (enabled.json()["is_active"], enabled.json()["consecutive_failures"]) == (True, 0)

    assert client.delete(f"/api/v1/webhooks/{fanos_webhook.pk}/").status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


# 1 the token and its person, 2 the page of the person's webhooks.
# 1 the token, 2 the webhook (its owner's), 3 the page of its deliveries.
@pytest.mark.parametrize(("suffix", "expected"), [("", 2), ("{pk}/deliveries/", 3)])
def test_webhook_lists_pin_their_queries(
    settings, referent_fano, pesaro, fano, django_assert_num_queries, suffix, expected
):
    settings.WEBHOOKS_PER_PERSON = 20
    hooks = [
        services.register_webhook(
            owner=referent_fano, url="http://127.0.0.1:9/hook", secret=SECRET, events=["adoption.status_changed"]
        )
        for _n in range(12)
    ]
    for _n in range(12):
        workflow.request_adoption(solution=SolutionFactory(owner=pesaro), body=fano, by=referent_fano)
    client = client_for(referent_fano)
    path = "/api/v1/webhooks/" + suffix.format(pk=hooks[0].pk)
    client.get(path)
    for page_size in (3, 10):
        with django_assert_num_queries(expected):
            response = client.get(path, {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size
