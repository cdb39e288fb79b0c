"""A PostgreSQL connection lost in the middle of a request, for real: its backend is terminated with
pg_terminate_backend from another connection just before a chosen query of the request runs, so that query fails as
it does when the database restarts or fails over. The request answers 503 with Retry-After (the error page, or the
API's JSON error shape), never 500; a read is run once more on a new connection; a write leaves nothing behind.

The same against a real gunicorn server with every connection terminated every 150 ms: test_lost_connection_live.py.
"""

from __future__ import annotations

import contextlib

import psycopg
import pytest
from django.db import connection
from django.test import Client

from catalog.adoptions.services import request_adoption
from catalog.models import Adoption, AdoptionEvent
from cstportal.apitokens.services import create_api_token
from cstportal.notifications.models import Delivery
from tests.factories import SolutionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ALWAYS = 1_000


def terminate_backend(pid: int) -> None:
    """pg_terminate_backend from a connection of its own, waiting until the backend is gone."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"], autocommit=True,
    ) as killer:
        killer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


@contextlib.contextmanager
def connection_lost_before(fragment: str, *, times: int = 1):
    """Terminate this thread's database backend just before each of the first `times` queries containing `fragment`.

    Yields the list of the terminated backends' pids."""
    terminated: list[int] = []

    def terminate_then_execute(execute, sql, params, many, context):
        if fragment in sql and len(terminated) < times:
            pid = context["connection"].connection.info.backend_pid
            terminate_backend(pid)
            terminated.append(pid)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(terminate_then_execute):
            yield terminated
    finally:
        connection.close()  # the test goes on with a new connection


def _assert_unavailable_json(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "server_error"
    assert [error["code"] for error in body["errors"]] == ["service_unavailable"]


def test_an_api_read_that_loses_its_connection_is_answered_from_a_new_one():
    solution = SolutionFactory()
    with connection_lost_before('FROM "catalog_solution"') as terminated:
        response = Client(raise_request_exception=False).get("/api/v1/solutions/")
    assert len(terminated) == 1
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [solution.slug]


def test_an_api_read_that_loses_its_connection_twice_answers_503_with_retry_after():
    SolutionFactory()
    with connection_lost_before('FROM "catalog_solution"', times=ALWAYS) as terminated:
        response = Client(raise_request_exception=False).get("/api/v1/solutions/")
    assert len(terminated) == 2  # the request and its one retry
    _assert_unavailable_json(response)


def test_a_page_that_loses_its_connection_twice_answers_the_503_error_page():
    SolutionFactory()
    with connection_lost_before('FROM "catalog_solution"', times=ALWAYS):
        response = Client(raise_request_exception=False).get("/catalogo/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert "Servizio momentaneamente non disponibile" in response.content.decode()


def test_a_connection_lost_in_a_middleware_is_a_503_too_and_the_read_is_retried(referent_fano):
    browser = Client(raise_request_exception=False)
    browser.force_login(referent_fano)
    # The session is read by the middleware (the idle-timeout check asks who the user is), before any view.
    with connection_lost_before('FROM "django_session"') as terminated:
        response = browser.get("/catalogo/adozioni/")
    assert len(terminated) == 1
    assert response.status_code == 200

    with connection_lost_before('FROM "django_session"', times=ALWAYS):
        response = browser.get("/api/v1/adoptions/")
    _assert_unavailable_json(response)


def test_an_html_workflow_action_that_loses_its_connection_answers_503_and_writes_nothing(
    publisher_pesaro, referent_fano, fano
):
    adoption = request_adoption(solution=SolutionFactory(), body=fano, by=referent_fano)
    events, deliveries = AdoptionEvent.objects.count(), Delivery.objects.count()
    reviewer = Client(raise_request_exception=False)
    reviewer.force_login(publisher_pesaro)
    # Lost after the status update and the event, while the notifications are written: all in one transaction.
    with connection_lost_before('INSERT INTO "notifications_delivery"', times=ALWAYS) as terminated:
        response = reviewer.post(f"/catalogo/adozioni/{adoption.pk}/approve/", {"approve-note": "Va bene"})
    assert len(terminated) == 1  # a write is never tried again
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    adoption.refresh_from_db()
    assert adoption.status == Adoption.Status.REQUESTED
    assert (AdoptionEvent.objects.count(), Delivery.objects.count()) == (events, deliveries)


def test_an_api_transition_that_loses_its_connection_answers_503_and_writes_nothing(
    publisher_pesaro, referent_fano, fano
):
    adoption = request_adoption(solution=SolutionFactory(), body=fano, by=referent_fano)
    events, deliveries = AdoptionEvent.objects.count(), Delivery.objects.count()
    token = create_api_token(user=publisher_pesaro, name="prova").key
    with connection_lost_before('INSERT INTO "notifications_delivery"', times=ALWAYS) as terminated:
        response = Client(raise_request_exception=False).post(
            f"/api/v1/adoptions/{adoption.pk}/transition/", {"action": "approve", "note": ""},
            content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}",
        )
    assert len(terminated) == 1
    _assert_unavailable_json(response)
    adoption.refresh_from_db()
    assert adoption.status == Adoption.Status.REQUESTED
    assert (AdoptionEvent.objects.count(), Delivery.objects.count()) == (events, deliveries)


def test_a_statement_timeout_is_not_taken_for_a_lost_connection():
    from django.db import OperationalError, transaction

    from cstportal.lost_connection import is_connection_lost

    with pytest.raises(OperationalError) as timeout, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")
    assert not is_connection_lost(timeout.value)
