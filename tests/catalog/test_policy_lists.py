"""Each list of the catalogue's policy picks exactly the objects its predicate allows, for every persona."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog import permissions
from municipalities.models import Body
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["referent_fano", "member_fano", "publisher_pesaro", "cst_admin", "analyst",
            "referent_urbino", "outsider"]


@pytest.fixture
def everyone(request):
    return [AnonymousUser(), *(request.getfixturevalue(name) for name in PERSONAS)]


@pytest.mark.parametrize("status", ["draft", "in_review", "published", "retired"])
def test_bodies_that_may_request_are_those_can_request_adoption_allows(everyone, pesaro, status):
    solution = SolutionFactory(owner=pesaro, status=status)
    bodies = list(Body.objects.all())
    for person in everyone:
        listed = set(permissions.bodies_that_may_request(person, solution).values_list("pk", flat=True))
        assert listed == {b.pk for b in bodies if permissions.can_request_adoption(person, solution, b)}, person


def test_solutions_for_reports_are_those_whose_report_may_be_requested(everyone, pesaro, fano):
    solutions = [SolutionFactory(owner=owner, status=status)
                 for owner in (pesaro, fano) for status in ("draft", "in_review", "published", "retired")]
    for person in everyone:
        listed = set(permissions.solutions_for_reports(person).values_list("pk", flat=True))
        assert listed == {s.pk for s in solutions if permissions.can_request_solution_report(person, s)}, person


def test_bodies_for_reports_are_those_whose_dashboard_may_be_seen(everyone):
    bodies = list(Body.objects.all())
    for person in everyone:
        listed = set(permissions.bodies_for_reports(person).values_list("pk", flat=True))
        assert listed == {b.pk for b in bodies if permissions.can_view_body_dashboard(person, b)}, person
