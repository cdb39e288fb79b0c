"""Every address of the portal a person can land on answers GET with a page.

A form sent back with errors is shown at the address it was posted to, which then sits in the address bar: a reload,
a language switch or the login after an expired session asks for it with GET. Buttons that only post answer GET by
going to the page they belong to. Nothing changes on a GET.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from catalog.models import Adoption, AdoptionEvent, HarvestRun, Report, Solution, Source, Webhook
from catalog.reports import services as report_services
from catalog.workflow import ADOPTION_ACTIONS
from cstportal import images
from cstportal.apitokens.services import create_api_token
from cstportal.notifications.models import Delivery, Notification
from municipalities.models import Membership
from tests.factories import ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db

# Not pages of the portal: the REST API answers JSON (405 is its documented answer), the admin is Django's own.
NOT_PAGES = ("api/", "admin/")


@dataclass
class World:
    solution: Solution
    draft: Solution
    in_review: Solution
    adoption: Adoption
    produced: Adoption
    notification: Notification
    delivery: Delivery
    report: Report
    token_pk: int
    source: Source | None = None
    run: HarvestRun | None = None
    webhook: Webhook | None = None


@pytest.fixture
def world(settings, tmp_path, pesaro, fano, urbino, cst_admin, referent_fano, publisher_pesaro) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    solution = SolutionFactory(owner=pesaro, name="Anagrafe soggetti", slug="anagrafe-soggetti")
    ReleaseFactory(solution=solution, version="3.2.0")
    draft = SolutionFactory(owner=pesaro, slug="bozza", status=Solution.Status.DRAFT, published_at=None)
    in_review = SolutionFactory(owner=pesaro, slug="in-revisione", status=Solution.Status.IN_REVIEW, published_at=None)
    start = timezone.now() - dt.timedelta(days=30)
    adoption = Adoption.objects.create(solution=solution, body=fano, owner_body=pesaro, status="requested",
                                       requested_by=referent_fano, requested_at=start, status_changed_at=start)
    AdoptionEvent.objects.create(adoption=adoption, sequence=1, action="request", to_status="requested",
                                 actor=referent_fano)
    produced = Adoption.objects.create(solution=solution, body=urbino, owner_body=pesaro, status="in_production",
                                       requested_at=start, status_changed_at=start, in_production_at=start)
    AdoptionEvent.objects.create(adoption=produced, sequence=1, action="request", to_status="requested")
    notification = Notification.objects.create(recipient=cst_admin, kind="adoption", event_key="e:1",
                                               message="Nuova richiesta", url=adoption.get_absolute_url())
    delivery = Delivery.objects.create(notification=notification, key="e:1:email", status=Delivery.Status.FAILED,
                                       available_at=timezone.now())
    report = report_services.request_report(by=cst_admin, kind="body", format="csv", body=fano)
    report = report_services.run_report(report_id=report.pk) or report
    token = create_api_token(user=cst_admin, name="script", days=30)
    source = Source.objects.create(url="https://code.cstpu.example/pesaro/anagrafe.git", body=pesaro)
    run = HarvestRun.objects.create(source=source)
    # Disabled: a GET on its "enable" address must leave it so.
    webhook = Webhook.objects.create(owner=cst_admin, url="https://hooks.cstpu.example/eventi", secret="s" * 20,
                                     events=["release.added"], is_active=False, disabled_at=timezone.now())
    return World(solution=solution, draft=draft, in_review=in_review, adoption=adoption, produced=produced,
                 notification=notification, delivery=delivery, report=report, token_pk=token.token.pk,
                 source=source, run=run, webhook=webhook)


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(route, name with namespace) of every URL pattern of the project."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else ""))
    return found


def _urls(name: str, route: str, w: World) -> list[str]:
    """The addresses of one pattern, with real objects where it takes arguments."""
    slug, pk = w.solution.slug, w.adoption.pk
    by_name: dict[str, Any] = {
        "catalog:solution-detail": [{"slug": slug}],
        "catalog:solution-edit": [{"slug": slug}],
        "catalog:release-create": [{"slug": slug}],
        "catalog:solution-submit": [{"slug": w.draft.slug}],
        "catalog:solution-publish": [{"slug": w.in_review.slug}],
        "catalog:solution-request-changes": [{"slug": w.in_review.slug}],
        "catalog:solution-retire": [{"slug": slug}],
        "catalog:solution-publiccode": [{"slug": slug}],
        "catalog:adoption-request": [{"slug": slug}],
        "catalog:adoption-detail": [{"pk": pk}],
        "catalog:adoption-comment": [{"pk": pk}],
        "catalog:adoption-story": [{"pk": w.produced.pk}],
        "catalog:adoption-action": [{"pk": pk, "action": str(a)} for a in ADOPTION_ACTIONS],
        "catalog:dashboard-body": [{"key": w.adoption.body.key}],
        "catalog:feed-solutions-category": [{"category": "taxes-management"}],
        "catalog:feed-solutions-body": [{"body": w.adoption.body.key}],
        "catalog:feed-releases-category": [{"category": "taxes-management"}],
        "catalog:feed-releases-body": [{"body": w.adoption.body.key}],
        "catalog:report-detail": [{"pk": w.report.pk}],
        "catalog:report-progress": [{"pk": w.report.pk}],
        "catalog:report-download": [{"pk": w.report.pk}],
        "catalog:report-html": [{"pk": w.report.pk}],
        "municipalities:body-detail": [{"key": w.adoption.body.key}],
        "notifications:open": [{"pk": w.notification.pk}],
        "notifications:mark-read": [{"pk": w.notification.pk}],
        "notifications:delivery-retry": [{"pk": w.delivery.pk}],
        "apitokens:token-revoke": [{"pk": w.token_pk}],
        "password_reset_confirm": [{"uidb64": "MQ", "token": "scaduto"}],
        "switch-language": [{"language": "it"}],  # a display preference, the one cookie a GET may set
        "media-image": [_stored_image()],
        "catalog:source-detail": [{"pk": w.source.pk}],
        "catalog:source-harvest": [{"pk": w.source.pk}],
        "catalog:source-run-progress": [{"pk": w.source.pk, "run_pk": w.run.pk}],
        "catalog:source-pause": [{"pk": w.source.pk}],
        "catalog:source-resume": [{"pk": w.source.pk}],
        "catalog:source-remove": [{"pk": w.source.pk}],
        "catalog:webhook-detail": [{"pk": w.webhook.pk}],
        "catalog:webhook-enable": [{"pk": w.webhook.pk}],
        "catalog:webhook-delete": [{"pk": w.webhook.pk}],
    }
    if "<" not in route:
        return [reverse(name)]
    assert name in by_name, f"a new address with arguments, {route!r}: give it objects here"
    return [reverse(name, kwargs=kwargs) for kwargs in by_name[name]]


def _stored_image() -> dict[str, str]:
    """The URL arguments of a logo stored in the world's MEDIA_ROOT."""
    name = images.store_image(images.check_image(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'))
    _prefix, shard, filename = name.split("/")
    digest, extension = filename.split(".")
    return {"shard": shard, "digest": digest, "extension": extension}


def assert_answers_get_with_a_page(client: Client, url: str) -> None:
    """200, or redirects that end on a page of the portal answering 200 (never the login: the person may go there)."""
    response = client.get(url, follow=True)
    chain = [location for location, _status in response.redirect_chain]
    assert response.status_code == 200, f"GET {url} -> {chain} -> {response.status_code}"
    assert all(location.startswith("/") for location in chain), (url, chain)
    assert not any(location.startswith(reverse("login")) for location in chain), (url, chain)


def test_every_address_of_the_portal_answers_get_with_a_page(client, world, cst_admin, pesaro):
    """Walks every URL pattern, so a new POST-only address fails here. The person may open every page: CST staff
    who also edit Pesaro's solutions ("Le mie soluzioni" is for publishers)."""
    Membership.objects.create(user=cst_admin, body=pesaro, role="publisher")
    client.force_login(cst_admin)
    events = AdoptionEvent.objects.count()
    walked = []
    for route, name in _patterns(get_resolver()):
        if route.startswith(NOT_PAGES) or name == "logout":
            continue  # logout is walked last: it is the one that ends the session
        for url in _urls(name, route, world):
            assert_answers_get_with_a_page(client, url)
            walked.append(url)
    assert_answers_get_with_a_page(client, reverse("logout"))
    assert len(walked) > 40
    # GET changed nothing.
    assert AdoptionEvent.objects.count() == events
    assert Solution.objects.get(pk=world.draft.pk).status == Solution.Status.DRAFT
    assert Solution.objects.get(pk=world.in_review.pk).status == Solution.Status.IN_REVIEW
    assert Delivery.objects.get(pk=world.delivery.pk).status == Delivery.Status.FAILED
    assert Source.objects.get(pk=world.source.pk).status == Source.Status.ACTIVE
    assert Webhook.objects.get(pk=world.webhook.pk).is_active is False


# --- the addresses that answered only POST, each by the person who uses it ---------------------------------------

POST_ONLY_BEFORE = [
    # (persona, URL name, how to build its arguments, where GET leads: None = the page itself, with the form)
    ("referent_fano", "catalog:adoption-action", lambda w: {"pk": w.adoption.pk, "action": "withdraw"}, None),
    ("publisher_pesaro", "catalog:adoption-action", lambda w: {"pk": w.adoption.pk, "action": "reject"}, None),
    ("publisher_pesaro", "catalog:adoption-action", lambda w: {"pk": w.adoption.pk, "action": "go_live"},
     lambda w: w.adoption.get_absolute_url()),  # not offered in this status: the adoption page
    ("referent_fano", "catalog:adoption-comment", lambda w: {"pk": w.adoption.pk}, None),
    ("cst_admin", "catalog:adoption-story", lambda w: {"pk": w.produced.pk}, None),
    ("referent_fano", "catalog:adoption-request", lambda w: {"slug": w.solution.slug},
     lambda w: w.solution.get_absolute_url()),
    ("publisher_pesaro", "catalog:solution-submit", lambda w: {"slug": w.draft.slug},
     lambda w: w.draft.get_absolute_url()),
    ("cst_admin", "catalog:solution-publish", lambda w: {"slug": w.in_review.slug},
     lambda w: w.in_review.get_absolute_url()),
    ("analyst", "catalog:report-request", lambda w: {}, lambda w: reverse("catalog:report-list")),
    ("cst_admin", "notifications:mark-read", lambda w: {"pk": w.notification.pk},
     lambda w: reverse("notifications:list")),
    ("cst_admin", "notifications:mark-all-read", lambda w: {}, lambda w: reverse("notifications:list")),
    ("cst_admin", "notifications:delivery-retry", lambda w: {"pk": w.delivery.pk},
     lambda w: reverse("notifications:deliveries")),
    ("referent_fano", "logout", lambda w: {}, None),
]


@pytest.mark.parametrize(("persona", "name", "kwargs", "target"), POST_ONLY_BEFORE,
                         ids=[f"{p}-{n}-{i}" for i, (p, n, _k, _t) in enumerate(POST_ONLY_BEFORE)])
def test_address_that_answered_only_post_answers_get(request, client, world, persona, name, kwargs, target):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, kwargs=kwargs(world))
    response = client.get(url)
    if target is None:
        assert response.status_code == 200
        assert b'method="post"' in response.content
    else:
        assert response.status_code == 302 and response["Location"].split("#")[0] == target(world)
        assert client.get(response["Location"]).status_code == 200
    assert AdoptionEvent.objects.filter(adoption=world.adoption).count() == 1
    assert Notification.objects.get(pk=world.notification.pk).read_at is None


def test_get_on_an_action_opens_that_form_on_the_adoption_page(client, world, publisher_pesaro):
    client.force_login(publisher_pesaro)
    html = client.get(reverse("catalog:adoption-action", args=[world.adoption.pk, "reject"])).content.decode()
    assert '<div id="azione-reject" class="accordion-collapse collapse show"' in html
    assert '<div id="azione-approve" class="accordion-collapse collapse"' in html


def test_get_on_an_action_of_another_body_is_still_404(client, world, referent_urbino):
    client.force_login(referent_urbino)
    assert client.get(reverse("catalog:adoption-action", args=[world.adoption.pk, "reject"])).status_code == 404
    assert client.get(reverse("catalog:adoption-comment", args=[world.adoption.pk])).status_code == 404


def test_anonymous_get_on_a_former_post_only_address_goes_to_login(client, world):
    for url in (reverse("catalog:adoption-action", args=[world.adoption.pk, "approve"]),
                reverse("notifications:mark-all-read"), reverse("catalog:report-request")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_logout_page_asks_to_confirm_and_its_button_logs_out(client, referent_fano):
    client.force_login(referent_fano)
    html = client.get(reverse("logout")).content.decode()
    assert re.search(r'<form method="post" action="/account/esci/">', html)
    assert client.get(reverse("profile")).status_code == 200  # the GET did not log out
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("profile")).status_code == 302  # logged out


def test_logout_address_when_logged_out_goes_home(client):
    response = client.get(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


# --- each form sent back with errors: its address answers GET ------------------------------------------------------

FORM_ERRORS = [
    # (persona, URL name, arguments, invalid data, a field of the form that the GET page must show)
    ("publisher_pesaro", "catalog:adoption-action", lambda w: {"pk": w.adoption.pk, "action": "reject"},
     {"reject-seen_status": "requested", "reject-note": ""}, "reject-note"),
    ("publisher_pesaro", "catalog:adoption-action", lambda w: {"pk": w.adoption.pk, "action": "ask_info"},
     {"ask_info-seen_status": "requested", "ask_info-note": ""}, "ask_info-note"),
    ("referent_fano", "catalog:adoption-action", lambda w: {"pk": w.going_live.pk, "action": "go_live"},
     {"go_live-seen_status": "in_progress", "go_live-adopted_version": "3.2.0", "go_live-go_live_date": "2099-01-01",
      "go_live-environment": "production"}, "go_live-go_live_date"),
    ("referent_fano", "catalog:adoption-comment", lambda w: {"pk": w.adoption.pk}, {"comment-note": ""},
     "comment-note"),
    ("cst_admin", "catalog:adoption-story", lambda w: {"pk": w.produced.pk}, {"story-outcome": ""}, "story-outcome"),
    ("cst_admin", "catalog:solution-request-changes", lambda w: {"slug": w.in_review.slug}, {"reason": ""},
     "reason"),
    ("publisher_pesaro", "catalog:solution-retire", lambda w: {"slug": w.solution.slug}, {"reason": ""}, "reason"),
    ("publisher_pesaro", "catalog:release-create", lambda w: {"slug": w.solution.slug}, {"version": ""}, "version"),
    ("publisher_pesaro", "catalog:solution-edit", lambda w: {"slug": w.solution.slug}, {"name": ""}, "name"),
    ("publisher_pesaro", "catalog:solution-create", lambda w: {}, {"name": ""}, "name"),
    ("publisher_pesaro", "catalog:publiccode-import", lambda w: {}, {"dry_run": "on"}, "file"),
    ("analyst", "catalog:report-list", lambda w: {}, {"kind": "body", "format": "pdf"}, "kind"),
    ("analyst", "catalog:report-request", lambda w: {}, {"kind": "body", "format": "pdf"}, "kind"),
    ("cst_admin", "apitokens:token-list", lambda w: {}, {"name": ""}, "name"),
    ("referent_fano", "password_change", lambda w: {}, {"old_password": "sbagliata"}, "old_password"),
]


@pytest.fixture
def going_live(world, referent_fano):
    """An adoption of Fano in progress: the go-live form is offered to its referent."""
    other = SolutionFactory(owner=world.solution.owner, slug="tributi")
    adoption = Adoption.objects.create(solution=other, body=world.adoption.body, owner_body=other.owner,
                                       status="in_progress", requested_by=referent_fano,
                                       requested_at=world.adoption.requested_at,
                                       status_changed_at=world.adoption.requested_at)
    AdoptionEvent.objects.create(adoption=adoption, sequence=1, action="request", to_status="requested")
    world.going_live = adoption
    return adoption


@pytest.mark.parametrize(("persona", "name", "kwargs", "data", "field"), FORM_ERRORS,
                         ids=[f"{n}-{f}" for _p, n, _k, _d, f in FORM_ERRORS])
def test_address_of_a_form_shown_with_errors_answers_get(request, client, world, going_live, persona, name, kwargs,
                                                         data, field):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, kwargs=kwargs(world))
    posted = client.post(url, data)
    assert posted.status_code in (200, 400), posted.get("Location")
    html = posted.content.decode()
    assert "is-invalid" in html or "invalid-feedback" in html or "alert-danger" in html
    shown_at = posted.wsgi_request.path  # what the address bar holds
    response = client.get(shown_at, follow=True)
    assert response.status_code == 200, response.redirect_chain
    assert f'name="{field}"' in response.content.decode()
