"""The adoption pages: who may open them, the actions they offer and what a POST does, and that no
address edits or deletes the timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from catalog.models import AdoptionEvent
from catalog.workflow import ADOPTION_ACTIONS

ACTION_URL = re.compile(r'action="/catalogo/adozioni/\d+/(?!commenti/|storia/)([a-z_]+)/"')


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _every_url_of(adoption) -> list[tuple[str, str]]:
    """(method, url) of the adoption page and of every URL that acts on it."""
    urls = [("get", adoption.get_absolute_url())]
    urls += [("post", reverse("catalog:adoption-action", args=[adoption.pk, str(a)])) for a in ADOPTION_ACTIONS]
    urls += [("post", reverse("catalog:adoption-comment", args=[adoption.pk])),
             ("post", reverse("catalog:adoption-story", args=[adoption.pk]))]
    return urls


# --- another body's people get 404, anonymous visitors go to the login ------------------------------------------


@pytest.mark.parametrize("persona", ["referent_urbino", "outsider"])
@pytest.mark.parametrize("status", ["requested", "in_production"])
def test_person_of_another_body_gets_404_on_the_page_and_every_action_url(
    request, client, adoption_in, persona, status
):
    adoption = adoption_in(status)
    client.force_login(request.getfixturevalue(persona))
    for method, url in _every_url_of(adoption):
        response = getattr(client, method)(url, {"approve-note": "x", "comment-note": "x"})
        assert response.status_code == 404, (method, url)
    assert AdoptionEvent.objects.filter(adoption=adoption).count() == len(adoption.events.all())


def test_anonymous_visitor_is_sent_to_login_everywhere(client, adoption_in, solution):
    adoption = adoption_in("requested")
    urls = [*_every_url_of(adoption), ("get", reverse("catalog:adoption-list")), ("get", reverse("catalog:inbox")),
            ("post", reverse("catalog:adoption-request", args=[solution.slug]))]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert adoption.events.count() == 1


def test_unknown_action_is_404(client, adoption_in, publisher_pesaro):
    adoption = adoption_in("requested")
    client.force_login(publisher_pesaro)
    assert client.post(f"/catalogo/adozioni/{adoption.pk}/cancella-eventi/").status_code == 404
    assert client.post(f"/catalogo/adozioni/{adoption.pk}/request/").status_code == 404


@pytest.mark.parametrize("persona", ["referent_fano", "member_fano", "publisher_pesaro", "member_pesaro", "cst_admin",
                                     "analyst"])
def test_both_bodies_and_cst_and_analysts_open_the_page(request, client, adoption_in, persona):
    adoption = adoption_in("in_progress")
    client.force_login(request.getfixturevalue(persona))
    response = client.get(adoption.get_absolute_url())
    assert response.status_code == 200
    assert "Anagrafe soggetti e oggetti" in response.content.decode()


# --- the buttons are the table ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "persona", "expected"),
    [
        ("requested", "publisher_pesaro", ["approve", "reject", "ask_info"]),
        ("requested", "referent_fano", ["withdraw"]),
        ("requested", "cst_admin", ["approve", "reject", "ask_info", "withdraw"]),
        ("requested", "member_fano", []),
        ("requested", "analyst", []),
        ("info_needed", "referent_fano", ["answer", "withdraw"]),
        ("approved", "referent_fano", ["start", "withdraw"]),
        ("in_progress", "referent_fano", ["go_live", "withdraw"]),
        ("in_progress", "cst_admin", ["withdraw"]),
        ("in_production", "referent_fano", ["retire"]),
        ("in_production", "publisher_pesaro", []),
        ("retired", "referent_fano", []),
        ("rejected", "cst_admin", []),
    ],
)
def test_the_page_offers_exactly_the_actions_this_viewer_may_take(
    request, client, adoption_in, status, persona, expected
):
    adoption = adoption_in(status)
    client.force_login(request.getfixturevalue(persona))
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert ACTION_URL.findall(html) == expected


def test_destructive_actions_ask_for_confirmation(client, adoption_in, cst_admin):
    adoption = adoption_in("requested")
    client.force_login(cst_admin)
    html = client.get(adoption.get_absolute_url()).content.decode()
    for action in ("reject", "withdraw"):
        form = re.search(rf'<form[^>]*action="/catalogo/adozioni/{adoption.pk}/{action}/"[^>]*>', html).group(0)
        assert "data-confirm=" in form
    approve = re.search(rf'<form[^>]*action="/catalogo/adozioni/{adoption.pk}/approve/"[^>]*>', html).group(0)
    assert "data-confirm" not in approve


# --- what a POST does --------------------------------------------------------------------------------------------


def test_publisher_approves_from_the_page(client, adoption_in, publisher_pesaro):
    adoption = adoption_in("requested")
    client.force_login(publisher_pesaro)
    url = reverse("catalog:adoption-action", args=[adoption.pk, "approve"])
    response = client.post(url, {"approve-seen_status": "requested", "approve-note": "Benvenuti!"})
    assert response.status_code == 302 and response["Location"] == adoption.get_absolute_url()
    assert _messages(response) == ["Richiesta approvata: l'ente adottante può avviare l'adozione."]
    adoption.refresh_from_db()
    assert adoption.status == "approved"
    assert adoption.events.last().note == "Benvenuti!"


def test_member_without_the_role_is_refused_with_a_message_and_nothing_changes(client, adoption_in, member_fano):
    adoption = adoption_in("requested")
    client.force_login(member_fano)
    response = client.post(reverse("catalog:adoption-action", args=[adoption.pk, "withdraw"]),
                           {"withdraw-seen_status": "requested"})
    assert response.status_code == 302
    assert _messages(response) == ["Non hai i permessi per eseguire «Ritira la richiesta» su questa adozione."]
    adoption.refresh_from_db()
    assert adoption.status == "requested" and adoption.events.count() == 1


def test_an_out_of_date_page_is_told_it_was_already_changed(client, adoption_in, cst_admin):
    adoption = adoption_in("approved")  # the publisher approved while CST had the request open
    client.force_login(cst_admin)
    response = client.post(reverse("catalog:adoption-action", args=[adoption.pk, "reject"]),
                           {"reject-seen_status": "requested", "reject-note": "Non serve."})
    assert _messages(response) == ["La richiesta è già stata modificata da un'altra persona: ricarica la pagina."]
    adoption.refresh_from_db()
    assert adoption.status == "approved" and adoption.events.count() == 2


def test_reject_without_a_reason_shows_the_form_again(client, adoption_in, publisher_pesaro):
    adoption = adoption_in("requested")
    client.force_login(publisher_pesaro)
    response = client.post(reverse("catalog:adoption-action", args=[adoption.pk, "reject"]),
                           {"reject-seen_status": "requested", "reject-note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_reject-note_error"' in html
    adoption.refresh_from_db()
    assert adoption.status == "requested" and adoption.events.count() == 1


def test_referent_records_go_live_with_italian_numbers(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert 'value="3.2.0"' in html  # the solution's latest release is suggested
    response = client.post(reverse("catalog:adoption-action", args=[adoption.pk, "go_live"]), {
        "go_live-seen_status": "in_progress", "go_live-adopted_version": "3.2.0",
        "go_live-go_live_date": (timezone.localdate() - dt.timedelta(days=7)).isoformat(),
        "go_live-estimated_cost": "48.000,00", "go_live-actual_cost": "6500,50",
        "go_live-effort_days": "22,5", "go_live-agreement_reference": "Accordo 12/2026",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    adoption.refresh_from_db()
    assert adoption.status == "in_production"
    assert (str(adoption.estimated_cost), str(adoption.actual_cost), str(adoption.effort_days)) == (
        "48000.00", "6500.50", "22.5"
    )
    page = client.get(adoption.get_absolute_url()).content.decode()
    assert "41.499,50" in page  # savings, derived


def test_go_live_in_the_future_is_refused(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    response = client.post(reverse("catalog:adoption-action", args=[adoption.pk, "go_live"]), {
        "go_live-seen_status": "in_progress", "go_live-adopted_version": "3.2.0", "go_live-go_live_date": "2099-01-01",
    })
    assert response.status_code == 200
    assert "non può essere nel futuro" in response.content.decode()
    adoption.refresh_from_db()
    assert adoption.status == "in_progress"


def test_comment_from_the_page_appears_in_the_timeline(client, adoption_in, member_pesaro):
    adoption = adoption_in("in_progress")
    client.force_login(member_pesaro)
    response = client.post(reverse("catalog:adoption-comment", args=[adoption.pk]), {"comment-note": "Serve aiuto?"})
    assert _messages(response) == ["Commento aggiunto."]
    page = client.get(adoption.get_absolute_url()).content.decode()
    assert "Serve aiuto?" in page and "ha commentato" in page
    adoption.refresh_from_db()
    assert adoption.status == "in_progress"


def test_analyst_reads_but_cannot_comment(client, adoption_in, analyst):
    adoption = adoption_in("in_progress")
    client.force_login(analyst)
    assert 'name="comment-note"' not in client.get(adoption.get_absolute_url()).content.decode()
    response = client.post(reverse("catalog:adoption-comment", args=[adoption.pk]), {"comment-note": "Ciao"})
    assert _messages(response) == ["Non puoi commentare questa adozione."]
    assert adoption.events.count() == 3


def test_story_form_once_in_production(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    assert 'name="story-outcome"' not in client.get(adoption.get_absolute_url()).content.decode()
    adoption.status = "in_production"
    adoption.save(update_fields=["status"])
    assert 'name="story-outcome"' in client.get(adoption.get_absolute_url()).content.decode()
    response = client.post(reverse("catalog:adoption-story", args=[adoption.pk]), {
        "story-outcome": "Catasto allineato in un mese.", "story-lessons": "", "story-savings_note": "Un anno di lavoro."
    })
    assert _messages(response) == ["Storia di riuso pubblicata sulla pagina della soluzione."]
    assert adoption.story.outcome == "Catasto allineato in un mese."


def test_stepper_marks_the_current_step_and_closures_are_explained(client, adoption_in, referent_fano):
    client.force_login(referent_fano)
    html = client.get(adoption_in("approved").get_absolute_url()).content.decode()
    assert html.count('class="confirmed"') == 1 and 'aria-current="step"' in html
    rejected = client.get(adoption_in("rejected").get_absolute_url()).content.decode()
    assert "Richiesta respinta" in rejected and 'aria-current="step"' not in rejected


# --- nothing edits or deletes events ----------------------------------------------------------------------------


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def test_the_only_adoption_addresses_are_the_known_ones():
    """A new address under adozioni/ must be reviewed here: none may edit or delete the timeline."""
    routes = {r for r in _routes(get_resolver()) if "adozioni/" in r and not r.startswith("api/")}
    assert routes == {
        "catalogo/adozioni/",
        "catalogo/adozioni/richiedi/<slug:slug>/",
        "catalogo/adozioni/<int:pk>/",
        "catalogo/adozioni/<int:pk>/commenti/",
        "catalogo/adozioni/<int:pk>/storia/",
        "catalogo/adozioni/<int:pk>/<slug:action>/",
    }


def test_admin_cannot_add_change_or_delete_events(rf, cst_admin):
    from catalog.models import Adoption

    request = rf.get("/admin/")
    request.user = cst_admin
    standalone = admin.site._registry.get(AdoptionEvent)
    inlines = []
    adoption_admin = admin.site._registry.get(Adoption)
    if adoption_admin is not None:
        inlines = [i for i in adoption_admin.get_inline_instances(request) if i.model is AdoptionEvent]
    for inline in inlines:  # the timeline shown inside an adoption, read-only
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request)
        assert not inline.can_delete
    if standalone is not None:
        assert not standalone.has_add_permission(request)
        assert not standalone.has_change_permission(request)
        assert not standalone.has_delete_permission(request)

def test_adoption_page_queries_do_not_grow_with_the_timeline(client, adoption_in, referent_fano, member_pesaro):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.adoptions.services import comment_on_adoption

    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    client.get(adoption.get_absolute_url())  # the first visit after login also saves the session

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(adoption.get_absolute_url()).status_code == 200
        return len(captured)

    short = count()
    for n in range(10):
        comment_on_adoption(adoption, by=member_pesaro if n % 2 else referent_fano, note=f"Aggiornamento {n}.")
    assert count() == short
