"""go_live records only what is possible: a date between the request and today, a released version, production.

The rules live in the service; the adoption page and the API show its refusals field by field. Whoever goes live
is among the bodies that use the solution — and nobody else is, in "Usata da", the counts and the dashboards.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.adoptions import services
from catalog.dashboards import stats
from catalog.models import Adoption, Solution
from catalog.publiccode.export import publiccode_document
from tests.api.conftest import client_for
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def go_live(adoption: Adoption, by, **changes):
    fields = {"adopted_version": "3.2.0", "go_live_date": TODAY() - dt.timedelta(days=7), **changes}
    return services.transition_adoption(adoption, action="go_live", by=by, **fields)


def refusal(adoption: Adoption, by, **changes) -> dict[str, str]:
    with pytest.raises(services.InvalidData) as refused:
        go_live(adoption, by, **changes)
    adoption.refresh_from_db()
    assert adoption.status == "in_progress" and adoption.go_live_date is None
    return refused.value.errors


# --- the service ----------------------------------------------------------------------------------------------


def test_a_go_live_date_before_the_request_is_refused(adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    day_before = timezone.localdate(adoption.requested_at) - dt.timedelta(days=1)
    errors = refusal(adoption, referent_fano, go_live_date=day_before)
    assert list(errors) == ["go_live_date"]
    assert "non può precedere la richiesta" in errors["go_live_date"]


def test_the_year_1999_is_refused_for_an_adoption_requested_this_year(adoption_in, referent_fano):
    errors = refusal(adoption_in("in_progress"), referent_fano, go_live_date=dt.date(1999, 1, 1))
    assert list(errors) == ["go_live_date"]


def test_a_go_live_date_in_the_future_is_refused(adoption_in, referent_fano):
    errors = refusal(adoption_in("in_progress"), referent_fano, go_live_date=TODAY() + dt.timedelta(days=1))
    assert errors == {"go_live_date": "La data di avvio in produzione non può essere nel futuro."}


@pytest.mark.parametrize("which", ["the day of the request", "today"])
def test_the_day_of_the_request_and_today_are_both_accepted(adoption_in, referent_fano, which):
    adoption = adoption_in("in_progress")
    day = timezone.localdate(adoption.requested_at) if which == "the day of the request" else TODAY()
    go_live(adoption, referent_fano, go_live_date=day)
    adoption.refresh_from_db()
    assert (adoption.status, adoption.go_live_date) == ("in_production", day)


def test_a_version_the_solution_never_released_is_refused(adoption_in, referent_fano):
    errors = refusal(adoption_in("in_progress"), referent_fano, adopted_version="9.9.9")
    assert list(errors) == ["adopted_version"]
    assert "«9.9.9»" in errors["adopted_version"] and "3.2.0" in errors["adopted_version"]


def test_any_version_is_accepted_from_a_solution_without_releases(adoption_in, referent_fano, pesaro):
    service = SolutionFactory(owner=pesaro, kind=Solution.Kind.SERVICE, status=Solution.Status.PUBLISHED)
    adoption = adoption_in("in_progress", of=service)
    go_live(adoption, referent_fano, adopted_version="2026.1")
    adoption.refresh_from_db()
    assert (adoption.status, adoption.adopted_version) == ("in_production", "2026.1")


def test_a_go_live_in_the_test_environment_is_refused(adoption_in, referent_fano):
    errors = refusal(adoption_in("in_progress"), referent_fano, environment="test")
    assert list(errors) == ["environment"]
    assert "collaudo" in errors["environment"].lower()


@pytest.mark.parametrize("environment", ["production", ""])
def test_go_live_records_the_production_environment(adoption_in, referent_fano, environment):
    adoption = adoption_in("in_progress")
    go_live(adoption, referent_fano, environment=environment)
    adoption.refresh_from_db()
    assert (adoption.status, adoption.environment) == ("in_production", "production")


def test_every_wrong_field_is_named_at_once(adoption_in, referent_fano):
    errors = refusal(adoption_in("in_progress"), referent_fano, adopted_version="9.9.9",
                     go_live_date=dt.date(1999, 1, 1), environment="test")
    assert set(errors) == {"adopted_version", "go_live_date", "environment"}


def test_only_a_go_live_counts_as_use_everywhere(adoption_in, referent_fano, solution, fano):
    """The refused deployment in test leaves Fano out of every figure; the go-live in production puts it in all."""

    def figures() -> tuple:
        stats.invalidate()
        province = stats.province_stats(fresh=True)  # the figures of now, not the last copy while it refreshes
        return (
            list(Adoption.objects.in_production().filter(solution=solution).values_list("body__name", flat=True)),
            Solution.objects.with_adoption_count().get(pk=solution.pk).adoption_count,
            publiccode_document(solution).get("usedBy", []),
            province["bodies_reached"]["reached"],
            stats.public_summary(fresh=True)["bodies_reusing"],
        )

    adoption = adoption_in("in_progress")
    refusal(adoption, referent_fano, environment="test")
    assert figures() == ([], 0, [], 0, 0)
    go_live(adoption, referent_fano)
    used, count, used_by, reached, reusing = figures()
    assert (used, count, reached, reusing) == ([fano.name], 1, 1, 1)
    assert len(used_by) == 1


# --- the adoption page ----------------------------------------------------------------------------------------


def post_go_live(client, adoption: Adoption, **fields):
    data = {"go_live-seen_status": "in_progress", "go_live-adopted_version": "3.2.0",
            "go_live-go_live_date": (TODAY() - dt.timedelta(days=7)).isoformat()}
    data.update({f"go_live-{name}": value for name, value in fields.items()})
    return client.post(reverse("catalog:adoption-action", args=[adoption.pk, "go_live"]), data)


def test_the_form_offers_the_releases_and_no_environment(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert '<select name="go_live-adopted_version"' in html
    assert '<option value="3.2.0" selected>3.2.0</option>' in html
    assert "go_live-environment" not in html and "Collaudo" not in html


def test_the_form_asks_for_a_free_version_when_there_are_no_releases(client, adoption_in, referent_fano, pesaro):
    service = SolutionFactory(owner=pesaro, kind=Solution.Kind.SERVICE, status=Solution.Status.PUBLISHED)
    client.force_login(referent_fano)
    html = client.get(adoption_in("in_progress", of=service).get_absolute_url()).content.decode()
    assert '<input type="text" name="go_live-adopted_version"' in html


def test_the_page_shows_a_date_before_the_request_on_the_date_field(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    response = post_go_live(client, adoption, go_live_date="1999-01-01")
    assert response.status_code == 200
    form = response.context["actions"][0]["form"]
    assert list(form.errors) == ["go_live_date"]
    assert "non può precedere la richiesta" in form.errors["go_live_date"][0]
    html = response.content.decode()
    assert 'id="id_go_live-go_live_date_error"' in html
    adoption.refresh_from_db()
    assert adoption.status == "in_progress"


def test_the_page_refuses_a_version_that_is_not_a_release(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    response = post_go_live(client, adoption, adopted_version="9.9.9")
    assert response.status_code == 200
    assert list(response.context["actions"][0]["form"].errors) == ["adopted_version"]
    adoption.refresh_from_db()
    assert adoption.status == "in_progress"


def test_the_page_records_a_go_live_with_a_release(client, adoption_in, referent_fano):
    adoption = adoption_in("in_progress")
    client.force_login(referent_fano)
    assert post_go_live(client, adoption).status_code == 302
    adoption.refresh_from_db()
    assert (adoption.status, adoption.adopted_version, adoption.environment) == (
        "in_production", "3.2.0", "production")


# --- the API --------------------------------------------------------------------------------------------------


def api_go_live(user, adoption: Adoption, **body):
    payload = {"action": "go_live", "adopted_version": "3.2.0",
               "go_live_date": (TODAY() - dt.timedelta(days=7)).isoformat(), **body}
    return client_for(user).post(f"/api/v1/adoptions/{adoption.pk}/transition/", payload, format="json")


@pytest.mark.parametrize(("body", "field"), [
    ({"go_live_date": "1999-01-01"}, "go_live_date"),
    ({"adopted_version": "9.9.9"}, "adopted_version"),
    ({"environment": "test"}, "environment"),
    ({"adopted_version": "   "}, "adopted_version"),
    ({"go_live_date": None}, "go_live_date"),
])
def test_the_api_answers_400_naming_the_field(adoption_in, referent_fano, body, field):
    adoption = adoption_in("in_progress")
    response = api_go_live(referent_fano, adoption, **body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["attr"] for e in errors] == [field]
    adoption.refresh_from_db()
    assert adoption.status == "in_progress"


def test_the_api_names_every_wrong_field(adoption_in, referent_fano):
    response = api_go_live(referent_fano, adoption_in("in_progress"), adopted_version="9.9.9",
                           go_live_date="1999-01-01", environment="test")
    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"adopted_version", "go_live_date", "environment"}
