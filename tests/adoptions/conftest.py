"""Shared data of the adoption tests: a published solution of Pesaro and adoptions by Fano in any status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from catalog.models import Adoption, AdoptionEvent
from catalog.workflow import transition_for
from tests.conftest import _person
from tests.factories import ReleaseFactory, SolutionFactory

# How each status is reached, so an adoption placed in a status has the dates and events it would really have.
PATHS: dict[str, list[tuple[str, str, str]]] = {
    "requested": [],
    "info_needed": [("ask_info", "requested", "info_needed")],
    "approved": [("approve", "requested", "approved")],
    "rejected": [("reject", "requested", "rejected")],
    "in_progress": [("approve", "requested", "approved"), ("start", "approved", "in_progress")],
    "in_production": [("approve", "requested", "approved"), ("start", "approved", "in_progress"),
                      ("go_live", "in_progress", "in_production")],
    "retired": [("approve", "requested", "approved"), ("start", "approved", "in_progress"),
                ("go_live", "in_progress", "in_production"), ("retire", "in_production", "retired")],
    "withdrawn": [("approve", "requested", "approved"), ("withdraw", "approved", "withdrawn")],
}


@pytest.fixture
def member_pesaro(db):
    return _person("dipendente.pesaro@cstpu.test", roles=(("041044", "member"),))


@pytest.fixture
def solution(pesaro):
    solution = SolutionFactory(owner=pesaro, name="Anagrafe soggetti e oggetti", slug="anagrafe-soggetti-oggetti")
    ReleaseFactory(solution=solution, version="3.2.0")
    return solution


@pytest.fixture
def adoption_in(solution, fano, referent_fano) -> Callable[..., Adoption]:
    """adoption_in(status, body=fano): an adoption of `solution` placed in `status`, with its events."""

    def make(status: str, *, body=None, of=None) -> Adoption:
        start = timezone.now() - dt.timedelta(days=60)
        adoption = Adoption.objects.create(
            solution=of or solution, body=body or fano, owner_body=(of or solution).owner, status=status,
            requested_by=referent_fano, requested_at=start, status_changed_at=start,
        )
        AdoptionEvent.objects.create(adoption=adoption, sequence=1, action="request", to_status="requested",
                                     actor=referent_fano)
        for number, (action, source, target) in enumerate(PATHS[status], start=2):
            when = start + dt.timedelta(days=7 * number)
            AdoptionEvent.objects.create(adoption=adoption, sequence=number, action=action, from_status=source,
                                         to_status=target, actor=referent_fano)
            for name in transition_for(action).stamps:
                setattr(adoption, name, when)
            if action == "go_live":
                adoption.adopted_version = "3.1.0"
                adoption.go_live_date = when.date()
                adoption.environment = "production"
            adoption.status_changed_at = when
        adoption.save()
        return adoption

    return make
