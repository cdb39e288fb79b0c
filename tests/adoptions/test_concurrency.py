"""Simultaneous approvals and simultaneous requests, on SQLite and on PostgreSQL.

On SQLite the race runs in a subprocess over a database file with the portal's real settings (WAL, BEGIN IMMEDIATE,
busy timeout): see tests/adoptions/race.py for why the runner's in-memory database cannot show it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.adoptions import services
from catalog.models import Adoption
from catalog.models.querysets import AdoptionQuerySet

from . import race

ROOT = Path(__file__).resolve().parents[2]
ALREADY_CHANGED = "AlreadyChanged: La richiesta è già stata modificata da un'altra persona: ricarica la pagina."
DUPLICATE = "DuplicateAdoption: Fano ha già una richiesta di adozione attiva per «Gara concorrente»."


def _race_on_sqlite_file(name: str, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.adoptions.race", name], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=180, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_one_approval(outcome: dict) -> None:
    assert sorted(outcome["results"]) == [ALREADY_CHANGED, "ok"]
    assert outcome["status"] == "approved"
    assert outcome["approve_events"] == 1
    assert outcome["sequences"] == [1, 2]


def _assert_one_request(outcome: dict) -> None:
    assert sorted(outcome["results"]) == [DUPLICATE, "ok"]
    assert outcome["active"] == 1


# --- two approvals at the same moment ---------------------------------------------------------------------------


@pytest.mark.slow
def test_two_simultaneous_approvals_one_wins_on_sqlite(tmp_path):
    _assert_one_approval(_race_on_sqlite_file("approvals", tmp_path))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_one_wins_on_postgres():
    _assert_one_approval(race.race_approvals())


# --- two requests for the same solution by the same body --------------------------------------------------------


@pytest.mark.slow
def test_two_simultaneous_requests_leave_one_active_adoption_on_sqlite(tmp_path):
    _assert_one_request(_race_on_sqlite_file("requests", tmp_path))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_leave_one_active_adoption_on_postgres():
    _assert_one_request(race.race_requests())


def _assert_one_request_through_the_page(outcome: dict) -> None:
    assert outcome["results"] == ["ok", "ok"]
    assert outcome["active"] == 1
    assert sorted(a["status"] for a in outcome["answers"]) == [302, 302]  # never a 500
    refused = [a for a in outcome["answers"] if a["location"] == outcome["solution_url"]]
    accepted = [a for a in outcome["answers"] if "/catalogo/adozioni/" in a["location"]]
    assert len(refused) == len(accepted) == 1
    assert refused[0]["messages"] == ["Fano ha già una richiesta di adozione attiva per «Gara concorrente»."]


@pytest.mark.slow
def test_two_simultaneous_requests_through_the_page_on_sqlite(tmp_path):
    _assert_one_request_through_the_page(_race_on_sqlite_file("requests_web", tmp_path))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_through_the_page_on_postgres():
    _assert_one_request_through_the_page(race.race_requests_web())


# --- the constraint path, deterministically ----------------------------------------------------------------------


@pytest.fixture
def check_passes_although_a_request_exists(monkeypatch):
    """The other request commits between our check and our insert: the check sees nothing, the insert collides."""
    original = AdoptionQuerySet.active

    def blind_active(self):
        return original(self).none()

    monkeypatch.setattr(AdoptionQuerySet, "active", blind_active)


def test_the_unique_constraint_turns_into_a_clear_error(adoption_in, solution, fano, referent_fano,
                                                        check_passes_although_a_request_exists):
    adoption_in("requested")
    with pytest.raises(services.DuplicateAdoption) as refused:
        services.request_adoption(solution=solution, body=fano, by=referent_fano)
    assert refused.value.message == "Fano ha già una richiesta di adozione attiva per «Anagrafe soggetti e oggetti»."
    assert Adoption.objects.filter(solution=solution, body=fano).count() == 1


def test_the_page_answers_a_collision_with_a_message_not_a_500(client, adoption_in, solution, fano, referent_fano,
                                                               check_passes_although_a_request_exists):
    adoption_in("requested")
    client.force_login(referent_fano)
    url = reverse("catalog:adoption-request", kwargs={"slug": solution.slug})
    response = client.post(url, {"adoption-body": fano.pk})
    assert response.status_code == 302 and response["Location"] == solution.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Fano ha già una richiesta di adozione attiva per «Anagrafe soggetti e oggetti»."
    ]


def test_a_second_request_after_the_first_is_refused_with_a_message(client, solution, fano, referent_fano):
    client.force_login(referent_fano)
    url = reverse("catalog:adoption-request", kwargs={"slug": solution.slug})
    first = client.post(url, {"adoption-body": fano.pk, "adoption-note": "Ci serve per il catasto."})
    adoption = Adoption.objects.get(solution=solution, body=fano)
    assert first.status_code == 302 and first["Location"] == adoption.get_absolute_url()
    assert adoption.events.get().note == "Ci serve per il catasto."
    second = client.post(url, {"adoption-body": fano.pk})
    assert second.status_code == 302 and second["Location"] == solution.get_absolute_url()
    assert Adoption.objects.filter(solution=solution, body=fano).count() == 1


def test_a_new_request_is_possible_once_the_old_one_is_closed(solution, fano, referent_fano, adoption_in):
    adoption_in("withdrawn")
    adoption = services.request_adoption(solution=solution, body=fano, by=referent_fano)
    assert adoption.status == "requested"
