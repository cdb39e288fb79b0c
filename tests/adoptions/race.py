"""Two people doing the same thing at the same moment, on real threads with their own database connections.

Used in-process on PostgreSQL, and in a subprocess on a SQLite *file* (`python -m tests.adoptions.race NAME`): the
test runner's in-memory SQLite shares one cache between threads and answers "table is locked" at once instead of
waiting, so it cannot show what the portal does on its real SQLite configuration (WAL, BEGIN IMMEDIATE, timeout).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except Exception as error:  # the point is to record what each side saw
        return f"{type(error).__name__}: {error}"
    return "ok"


def run_together(*calls: Callable[[], Any]) -> list[str]:
    """Run `calls` on separate threads released by one barrier; each result is "ok" or "<Error>: <message>"."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            results[index] = _outcome(lambda: (barrier.wait(timeout=10), call()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _world() -> dict[str, Any]:
    from catalog.models import Solution
    from municipalities.models import Body, GlobalRole, Membership, User

    pesaro = Body.objects.get(istat_code="041044")
    fano = Body.objects.get(istat_code="041013")

    def person(email: str, *, global_role: str = "", roles: tuple[tuple[Body, str], ...] = ()) -> User:
        user = User.objects.create(email=email, global_role=global_role)
        for body, role in roles:
            Membership.objects.create(user=user, body=body, role=role)
        return user

    solution = Solution.objects.create(
        slug="gara-concorrente", name="Gara concorrente", owner=pesaro, short_description_it="Prova.",
        long_description_it="Prova.", licence="EUPL-1.2", status=Solution.Status.PUBLISHED,
    )
    return {
        "solution": solution,
        "fano": fano,
        "publisher": person("redazione.gara@cstpu.test", roles=((pesaro, "publisher"),)),
        "cst": person("staff.gara@cstpu.test", global_role=GlobalRole.CST_ADMIN),
        "referent": person("referente.gara@cstpu.test", roles=((fano, "referent"),)),
        "referent_two": person("referente2.gara@cstpu.test", roles=((fano, "referent"),)),
    }


def race_approvals() -> dict[str, Any]:
    """The owner's publisher and CST staff approve the same request at the same moment."""
    from catalog.adoptions.services import request_adoption, transition_adoption
    from catalog.models import Adoption, AdoptionEvent

    world = _world()
    adoption = request_adoption(solution=world["solution"], body=world["fano"], by=world["referent"])

    def approve_as(user: Any) -> Callable[[], Any]:
        seen = Adoption.objects.get(pk=adoption.pk)  # both pages showed "requested"
        return lambda: transition_adoption(seen, action="approve", by=user, note="Approvata.")

    results = run_together(approve_as(world["publisher"]), approve_as(world["cst"]))
    adoption.refresh_from_db()
    return {
        "results": results,
        "status": adoption.status,
        "approve_events": AdoptionEvent.objects.filter(adoption=adoption, action="approve").count(),
        "sequences": list(AdoptionEvent.objects.filter(adoption=adoption).values_list("sequence", flat=True)),
    }


def race_requests() -> dict[str, Any]:
    """Two referents of Fano ask for the same solution at the same moment, through the service."""
    from catalog.adoptions.services import request_adoption
    from catalog.models import Adoption

    world = _world()

    def request_as(user: Any) -> Callable[[], Any]:
        return lambda: request_adoption(solution=world["solution"], body=world["fano"], by=user)

    results = run_together(request_as(world["referent"]), request_as(world["referent_two"]))
    return {
        "results": results,
        "active": Adoption.objects.active().filter(solution=world["solution"], body=world["fano"]).count(),
    }


def race_requests_web() -> dict[str, Any]:
    """The same race through the web page: two browsers post "Richiedi l'adozione" at once."""
    from django.contrib.messages import get_messages
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Adoption

    world = _world()
    url = reverse("catalog:adoption-request", kwargs={"slug": world["solution"].slug})
    answers: list[dict[str, Any]] = [{}, {}]

    def post_as(index: int, user: Any) -> Callable[[], Any]:
        client = Client()
        client.force_login(user)

        def call() -> None:
            response = client.post(url, {"adoption-body": world["fano"].pk, "adoption-note": "Ci serve."})
            answers[index] = {
                "status": response.status_code,
                "location": response.get("Location", ""),
                "messages": [str(m) for m in get_messages(response.wsgi_request)],
            }

        return call

    results = run_together(post_as(0, world["referent"]), post_as(1, world["referent_two"]))
    return {
        "results": results,
        "answers": answers,
        "solution_url": world["solution"].get_absolute_url(),
        "active": Adoption.objects.active().filter(solution=world["solution"], body=world["fano"]).count(),
    }


RACES = {"approvals": race_approvals, "requests": race_requests, "requests_web": race_requests_web}


def main(name: str) -> None:
    """Migrate the (fresh, file-based) database named by DATABASE_URL, run one race, print its outcome as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstportal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(json.dumps(RACES[name]()))


if __name__ == "__main__":
    main(sys.argv[1])
