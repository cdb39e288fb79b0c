"""The webhook pages of the profile: register (errors field by field, nothing stored on a refusal), the delivery
log, enabling a disabled webhook again, removal after a confirmation, another person's webhook a 404, and a person
without a role in a body sees no form. The secret is never shown again."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Webhook, WebhookDelivery
from catalog.webhooks import services
from tests.conftest import _person

pytestmark = pytest.mark.django_db

SECRET = "un-segreto-lungo-abbastanza"
LIST = reverse("catalog:webhook-list")


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]


def hook(owner, url="http://127.0.0.1:9/eventi", events=("adoption.status_changed",)) -> Webhook:
    return services.register_webhook(owner=owner, url=url, secret=SECRET, events=list(events))


def test_the_profile_links_the_webhook_page(client, referent_fano):
    client.force_login(referent_fano)
    assert LIST in client.get(reverse("profile")).content.decode()


def test_an_empty_list_says_so_and_offers_the_form(client, referent_fano):
    client.force_login(referent_fano)
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Non hai ancora registrato nessun webhook." in html
    assert 'name="secret"' in html and 'type="password"' in html
    assert page.headers["Cache-Control"].startswith("max-age=0")


def test_registering_leads_to_the_webhook_page_and_never_shows_the_secret(client, referent_fano):
    client.force_login(referent_fano)
    answer = client.post(LIST, {"url": "http://127.0.0.1:9/eventi", "secret": SECRET,
                                "events": ["adoption.status_changed", "release.added"], "description": "Protocollo"})
    webhook = Webhook.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("catalog:webhook-detail", args=[webhook.pk])
    assert (webhook.owner, webhook.events) == (referent_fano, ["release.added", "adoption.status_changed"])
    page = client.get(answer.url, follow=True).content.decode()
    assert "Webhook registrato" in page
    assert "Nuovo rilascio, Cambio di stato di un&#x27;adozione" in page
    assert "Nessuna consegna finora" in page
    assert SECRET not in page and SECRET not in client.get(LIST).content.decode()


def test_wrong_data_answers_field_by_field_and_stores_nothing(client, referent_fano, settings):
    settings.FETCH_ALLOWED_HOSTS = []
    client.force_login(referent_fano)
    answer = client.post(LIST, {"url": "http://127.0.0.1:9/eventi", "secret": "corto", "events": []})
    assert answer.status_code == 400
    form = answer.context["form"]
    assert set(form.errors) == {"secret", "events"}
    answer = client.post(LIST, {"url": "http://127.0.0.1:9/eventi", "secret": SECRET, "events": ["release.added"]})
    assert answer.status_code == 400
    assert "rete privata o locale" in " ".join(answer.context["form"].errors["url"])
    assert not Webhook.objects.exists()


def test_a_person_without_a_role_in_a_body_sees_no_form_and_may_not_post(client, db):
    person = _person("cittadino@cstpu.test")
    client.force_login(person)
    page = client.get(LIST).content.decode()
    assert 'name="secret"' not in page and "Registrano webhook le persone di un ente" in page
    assert client.post(LIST, {"url": "http://127.0.0.1:9/x", "secret": SECRET, "events": ["release.added"]}).status_code == 403
    assert not Webhook.objects.exists()


def test_at_the_limit_the_form_gives_way_to_a_message(client, referent_fano, settings):
    settings.WEBHOOKS_PER_PERSON = 1
    hook(referent_fano)
    client.force_login(referent_fano)
    page = client.get(LIST).content.decode()
    assert 'name="secret"' not in page and "il massimo" in page


def test_another_persons_webhook_is_not_found(client, referent_fano, publisher_pesaro):
    webhook = hook(publisher_pesaro)
    client.force_login(referent_fano)
    for name in ("catalog:webhook-detail", "catalog:webhook-delete", "catalog:webhook-enable"):
        assert client.get(reverse(name, args=[webhook.pk])).status_code == 404
        assert client.post(reverse(name, args=[webhook.pk])).status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk, is_active=True).exists()
    assert str(webhook.url) not in client.get(LIST).content.decode()


def test_removal_asks_first_and_removes_only_on_confirmation(client, referent_fano):
    webhook = hook(referent_fano)
    client.force_login(referent_fano)
    url = reverse("catalog:webhook-delete", args=[webhook.pk])
    question = client.get(url)
    assert question.status_code == 200 and "La rimozione non si può annullare" in question.content.decode()
    assert Webhook.objects.filter(pk=webhook.pk).exists()
    answer = client.post(url, follow=True)
    assert answer.redirect_chain[-1][0] == LIST
    assert "rimosso" in answer.content.decode()
    assert not Webhook.objects.exists()


def test_a_disabled_webhook_is_enabled_again_from_its_page_and_its_held_deliveries_leave(client, referent_fano):
    webhook = hook(referent_fano)
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False, disabled_at=now, consecutive_failures=10)
    WebhookDelivery.objects.create(webhook=webhook, event_key="e1", event="adoption.status_changed", body="{}",
                                   status=WebhookDelivery.Status.HELD, available_at=now, last_status_code=503,
                                   last_error="Il server ha risposto con lo stato HTTP 503.")
    client.force_login(referent_fano)
    detail = reverse("catalog:webhook-detail", args=[webhook.pk])
    page = client.get(detail).content.decode()
    assert "Disattivato il" in page and "Riattiva il webhook" in page and "HTTP 503" in page
    enable = reverse("catalog:webhook-enable", args=[webhook.pk])
    assert client.get(enable).status_code == 302  # a GET changes nothing
    assert not Webhook.objects.get(pk=webhook.pk).is_active
    answer = client.post(enable, follow=True)
    assert "Webhook riattivato" in answer.content.decode()
    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.consecutive_failures) == (True, 0)
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING


def test_the_delivery_log_is_paginated_and_its_queries_do_not_grow(client, referent_fano, django_assert_num_queries):
    webhook = hook(referent_fano)
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=webhook, event_key=f"e{n}", event="release.added", body="{}", available_at=now)
        for n in range(30)
    )
    client.force_login(referent_fano)
    detail = reverse("catalog:webhook-detail", args=[webhook.pk])
    first = client.get(detail)
    assert len(first.context["deliveries"]) == 25
    assert len(client.get(detail, {"page": 2}).context["deliveries"]) == 5
    # Session and person, the webhook, the count and the page of deliveries, and the page frame's two (unread
    # notifications, the person's roles for the menu): the same however many deliveries.
    with django_assert_num_queries(7):
        client.get(detail)


def test_the_list_reads_the_last_delivery_of_each_webhook_in_one_query(client, referent_fano, django_assert_num_queries):
    for n in range(3):
        webhook = hook(referent_fano, url=f"http://127.0.0.1:9/eventi-{n}")
        WebhookDelivery.objects.create(webhook=webhook, event_key="e", event="adoption.status_changed", body="{}",
                                       available_at=timezone.now(), status=WebhookDelivery.Status.SENT)
    client.force_login(referent_fano)
    page = client.get(LIST)
    assert page.content.decode().count("Consegnata") == 3
    # Session and person, the permission check's roles, the webhooks with their last delivery, the page frame's
    # unread notifications: the same however many webhooks.
    with django_assert_num_queries(5):
        client.get(LIST)
