"""Two clients take the same step on the same adoption at the same moment: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog.models import AdoptionEvent
from tests.api.conftest import token_for
from tests.factories import AdoptionFactory, SolutionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_transitions_one_200_one_409(pesaro, fano, publisher_pesaro, cst_admin, monkeypatch):
    """Both requests read the adoption as "requested" and pass every check before either writes; then both reach
    the service's compare-and-set. One approves, the other gets 409 — never two approvals, never a 500.

    On PostgreSQL the two writes race for real (the row lock decides). SQLite's shared in-memory test database
    answers "table is locked" instead of making the second writer wait as the file database's busy timeout does,
    so there the second request's write waits for the first request to finish, which is what the demo's file
    database does on its own.
    """
    from catalog.adoptions import services

    adoption = AdoptionFactory(solution=SolutionFactory(owner=pesaro), body=fano, status="requested")
    AdoptionEvent.objects.create(adoption=adoption, sequence=1, action="request", to_status="requested")
    clients = []
    for user in (publisher_pesaro, cst_admin):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        assert client.get("/api/v1/adoptions/").status_code == 200  # records the token's use now, not in the race
        clients.append(client)

    barrier = threading.Barrier(2)
    sqlite = connection.vendor == "sqlite"
    writer = threading.Lock()
    holder = threading.local()
    real = services.transition_adoption

    def together(*args, **kwargs):
        barrier.wait(timeout=10)
        if sqlite:
            writer.acquire()
            holder.has_lock = True
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "transition_adoption", together)
    answers: list[tuple[int, dict]] = []

    def approve(client: APIClient) -> None:
        try:
            response = client.post(f"/api/v1/adoptions/{adoption.pk}/transition/", {"action": "approve"},
                                   format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()
            if getattr(holder, "has_lock", False):
                writer.release()

    threads = [threading.Thread(target=approve, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(status for status, _body in answers) == [200, 409], answers
    conflict = next(body for status, body in answers if status == 409)
    assert conflict["errors"][0]["code"] == "conflict"
    adoption.refresh_from_db()
    assert adoption.status == "approved"
    assert AdoptionEvent.objects.filter(adoption=adoption).count() == 2  # the request and ONE approval
