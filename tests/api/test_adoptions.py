"""Adoptions through the API: scoped lists, request, every workflow answer (200/400/403/404/409), timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Adoption, AdoptionEvent
from tests.api.conftest import client_for
from tests.factories import AdoptionFactory, SolutionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/adoptions/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def request_of_fano(catalogue, referent_fano):
    """Fano asks for Pesaro's "catasto" through the API."""
    response = client_for(referent_fano).post(
        LIST, {"solution": "catasto", "municipality": "041013", "note": "Ci serve per il 2027."}, format="json"
    )
    assert response.status_code == 201, response.content
    return Adoption.objects.get(pk=response.json()["id"])


def transition(user, adoption, **body):
    return client_for(user).post(f"{LIST}{adoption.pk}/transition/", body, format="json")


# --- lists and detail -----------------------------------------------------------------------------------------


def test_list_shows_what_the_caller_may_see(catalogue, referent_fano, referent_urbino, publisher_pesaro,
                                             referent_frontino, analyst):
    everything = {catalogue["in_production"].pk, catalogue["requested"].pk}
    assert ids(client_for(referent_fano).get(LIST)) == everything  # Fano adopts both
    assert ids(client_for(referent_urbino).get(LIST)) == {catalogue["requested"].pk}  # Urbino owns protocollo
    assert ids(client_for(publisher_pesaro).get(LIST)) == {catalogue["in_production"].pk}  # Pesaro owns tributi
    assert ids(client_for(referent_frontino).get(LIST)) == set()
    assert ids(client_for(analyst).get(LIST)) == everything


@pytest.mark.parametrize(("params", "key"), [
    ({"status": "requested"}, "requested"),
    ({"solution": "tributi"}, "in_production"),
    ({"municipality": "041013", "status": "in_production"}, "in_production"),
])
def test_list_filters(catalogue, referent_fano, params, key):
    assert ids(client_for(referent_fano).get(LIST, params)) == {catalogue[key].pk}


def test_detail_carries_parties_status_and_allowed_actions(catalogue, referent_fano):
    body = client_for(referent_fano).get(f"{LIST}{catalogue['requested'].pk}/").json()
    assert body["solution"]["slug"] == "protocollo"
    assert body["municipality"]["istat_code"] == "041013"
    assert body["owner"]["istat_code"] == "041067"
    assert body["status"] == "requested"
    assert body["allowed_actions"] == ["withdraw"]


def test_detail_of_another_bodys_adoption_is_404(catalogue, referent_frontino):
    assert client_for(referent_frontino).get(f"{LIST}{catalogue['requested'].pk}/").status_code == 404


def test_anonymous_gets_401(api, catalogue):
    assert api.get(f"{LIST}{catalogue['requested'].pk}/").status_code == 401
    assert api.post(LIST, {"solution": "catasto", "municipality": "041013"}, format="json").status_code == 401


# --- request --------------------------------------------------------------------------------------------------


def test_referent_requests_an_adoption(request_of_fano, referent_fano):
    adoption = request_of_fano
    assert adoption.status == "requested" and adoption.body.istat_code == "041013"
    assert adoption.requested_by == referent_fano
    event = AdoptionEvent.objects.get(adoption=adoption)
    assert (event.action, event.to_status, event.note) == ("request", "requested", "Ci serve per il 2027.")


def test_request_answer_has_status_requested(catalogue, referent_fano):
    response = client_for(referent_fano).post(LIST, {"solution": "catasto", "municipality": "041013"}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "requested"
    assert response.json()["allowed_actions"] == ["withdraw"]


def test_request_for_another_body_is_refused(catalogue, referent_fano):
    response = client_for(referent_fano).post(LIST, {"solution": "catasto", "municipality": "041067"}, format="json")
    assert response.status_code == 403
    assert not Adoption.objects.filter(body__istat_code="041067").exists()


def test_request_for_a_solution_one_may_not_see_is_404(catalogue, referent_fano):
    response = client_for(referent_fano).post(LIST, {"solution": "bozza-pesaro", "municipality": "041013"},
                                              format="json")
    assert response.status_code == 404


def test_request_for_unknown_body_is_404(catalogue, referent_fano):
    response = client_for(referent_fano).post(LIST, {"solution": "catasto", "municipality": "999999"}, format="json")
    assert response.status_code == 404


def test_request_of_own_solution_is_refused(catalogue, cst_admin):
    response = client_for(cst_admin).post(LIST, {"solution": "catasto", "municipality": "041044"}, format="json")
    assert response.status_code == 403


def test_second_active_request_is_a_409(request_of_fano, referent_fano):
    response = client_for(referent_fano).post(LIST, {"solution": "catasto", "municipality": "041013"}, format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"


@pytest.mark.parametrize("body", [
    {},
    {"solution": "catasto"},
    {"solution": 12, "municipality": "041013"},
    {"solution": "catasto", "municipality": 41013},
    {"solution": "catasto", "municipality": "041 013"},
    {"solution": "catasto", "municipality": "041013", "note": ["lista"]},
])
def test_malformed_request_is_a_400_per_field(catalogue, referent_fano, body):
    response = client_for(referent_fano).post(LIST, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors and all(e["attr"] in {"solution", "municipality", "note"} for e in errors)


# --- transitions ----------------------------------------------------------------------------------------------


def test_publisher_approves_and_gets_the_new_state(request_of_fano, publisher_pesaro):
    response = transition(publisher_pesaro, request_of_fano, action="approve", note="Volentieri.")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["decided_at"]


def test_whole_path_to_production_and_events(request_of_fano, publisher_pesaro, referent_fano):
    adoption = request_of_fano
    assert transition(publisher_pesaro, adoption, action="ask_info", note="Quale versione?").status_code == 200
    assert transition(referent_fano, adoption, action="answer", note="La 2.0").status_code == 200
    assert transition(publisher_pesaro, adoption, action="approve").status_code == 200
    assert transition(referent_fano, adoption, action="start").status_code == 200
    live = transition(referent_fano, adoption, action="go_live", adopted_version="2.0.0",
                      go_live_date=timezone.localdate().isoformat(),
                      estimated_cost="50000.00", actual_cost="8000.00", effort_days="12.5")
    assert live.status_code == 200, live.content
    body = live.json()
    assert body["status"] == "in_production" and body["savings"] == "42000.00"
    events = client_for(referent_fano).get(f"{LIST}{adoption.pk}/events/").json()["results"]
    assert [e["sequence"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e["action"] for e in events] == ["request", "ask_info", "answer", "approve", "start", "go_live"]


def test_action_not_allowed_from_this_status_is_a_409(request_of_fano, referent_fano):
    response = transition(referent_fano, request_of_fano, action="start")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error"
    error = body["errors"][0]
    assert error["code"] == "not_allowed_from_status" and "Richiesta" in error["detail"]


def test_unknown_action_is_a_400(request_of_fano, referent_fano):
    response = transition(referent_fano, request_of_fano, action="teletrasporta")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "action"
    assert transition(referent_fano, request_of_fano, action="request").status_code == 400


def test_role_that_may_not_act_gets_403(request_of_fano, referent_fano, member_fano):
    assert transition(referent_fano, request_of_fano, action="approve").status_code == 403
    assert transition(member_fano, request_of_fano, action="withdraw").status_code == 403
    request_of_fano.refresh_from_db()
    assert request_of_fano.status == "requested"


def test_another_body_gets_404_on_transition(request_of_fano, referent_urbino):
    assert transition(referent_urbino, request_of_fano, action="withdraw").status_code == 404


def test_reject_without_note_is_a_400_on_note(request_of_fano, publisher_pesaro):
    response = transition(publisher_pesaro, request_of_fano, action="reject")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "note"


def test_go_live_without_version_and_date_is_a_400_per_field(catalogue, referent_fano, pesaro, fano):
    adoption = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano, status="in_progress")
    response = transition(referent_fano, adoption, action="go_live")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"adopted_version", "go_live_date"}


def test_go_live_in_the_future_is_a_400(catalogue, referent_fano, pesaro, fano):
    adoption = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano, status="in_progress")
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = transition(referent_fano, adoption, action="go_live", adopted_version="1.0", go_live_date=tomorrow)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "go_live_date"


@pytest.mark.parametrize("figures", [{"estimated_cost": 100}, {"estimated_cost": "-1"}, {"go_live_date": 20260101}])
def test_go_live_figures_must_have_the_schemas_types(catalogue, referent_fano, pesaro, fano, figures):
    adoption = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano, status="in_progress")
    body = {"adopted_version": "1.0", "go_live_date": "2026-01-01", **figures}
    response = transition(referent_fano, adoption, action="go_live", **body)
    assert response.status_code == 400


def test_second_identical_transition_is_refused(request_of_fano, publisher_pesaro):
    assert transition(publisher_pesaro, request_of_fano, action="approve").status_code == 200
    again = transition(publisher_pesaro, Adoption.objects.get(pk=request_of_fano.pk), action="approve")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "not_allowed_from_status"


def test_lost_compare_and_set_is_a_409(request_of_fano, publisher_pesaro, referent_fano, monkeypatch):
    """The adoption moved between the read and the write: the service's compare-and-set finds no row."""
    from catalog.adoptions import services

    real = services.transition_adoption

    def moved_meanwhile(adoption, **kwargs):
        Adoption.objects.filter(pk=adoption.pk).update(status="withdrawn")  # someone else, just now
        return real(adoption, **kwargs)

    monkeypatch.setattr(services, "transition_adoption", moved_meanwhile)
    response = transition(publisher_pesaro, request_of_fano, action="approve")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"


def test_events_of_another_bodys_adoption_are_404(request_of_fano, referent_frontino):
    assert client_for(referent_frontino).get(f"{LIST}{request_of_fano.pk}/events/").status_code == 404
