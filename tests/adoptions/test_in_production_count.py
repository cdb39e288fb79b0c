"""Solution.in_production_count, the counter behind "Più adottate" and every used_by_count: kept through each
transition of the workflow, each save and delete of an adoption, and always equal to a recount."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from catalog.adoptions import services
from catalog.models import Adoption, Solution
from catalog.models.adoptions import recount_in_production
from catalog.workflow import Action
from tests.factories import AdoptionFactory, SolutionFactory

from .test_permission_matrix import SOURCES, WHO
from .test_workflow_table import GO_LIVE, ROLES, TARGET

pytestmark = pytest.mark.django_db


def recounted(solution: Solution) -> int:
    return Adoption.objects.filter(solution=solution, status="in_production").count()


def kept(solution: Solution) -> int:
    return Solution.objects.values_list("in_production_count", flat=True).get(pk=solution.pk)


def assert_all_equal_a_recount() -> None:
    counts = Solution.objects.annotate(n=Count("adoptions", filter=Q(adoptions__status="in_production"))).values_list(
        "pk", "in_production_count", "n"
    )
    assert [(pk, kept) for pk, kept, _n in counts] == [(pk, n) for pk, _kept, n in counts]


@pytest.mark.parametrize(
    ("status", "action"), [(status, action) for action in sorted(SOURCES) for status in sorted(SOURCES[action])]
)
def test_each_transition_keeps_the_counter(request, adoption_in, solution, urbino, status, action):
    adoption_in("in_production", body=urbino)  # another body already in production: the counter starts at 1
    adoption = adoption_in(status)
    assert kept(solution) == recounted(solution) == 1 + (status == "in_production")
    person = request.getfixturevalue(ROLES[sorted(WHO[action])[0]])
    fields = GO_LIVE if action == "go_live" else {}
    services.transition_adoption(adoption, action=action, by=person, note="Motivo scritto.", **fields)
    assert kept(solution) == recounted(solution) == 1 + (TARGET[action] == "in_production")
    assert Solution.objects.with_adoption_count().get(pk=solution.pk).adoption_count == recounted(solution)
    assert_all_equal_a_recount()


def test_the_whole_path_through_the_services(solution, fano, referent_fano, publisher_pesaro):
    adoption = services.request_adoption(solution=solution, body=fano, by=referent_fano, note="Ci serve.")
    steps = [
        (Action.APPROVE, publisher_pesaro, {}, 0),
        (Action.START, referent_fano, {}, 0),
        (Action.GO_LIVE, referent_fano, {**GO_LIVE, "go_live_date": timezone.localdate()}, 1),
        (Action.RETIRE, referent_fano, {}, 0),
    ]
    assert kept(solution) == 0
    for action, person, fields, expected in steps:
        services.transition_adoption(adoption, action=action, by=person, note="Motivo scritto.", **fields)
        assert kept(solution) == recounted(solution) == expected


def test_a_refused_or_stale_transition_leaves_the_counter(adoption_in, solution, referent_fano, cst_admin):
    adoption = adoption_in("in_production")
    stale = Adoption.objects.get(pk=adoption.pk)
    services.transition_adoption(adoption, action=Action.RETIRE, by=referent_fano, note="Dismessa.")
    with pytest.raises(services.AlreadyChanged):
        services.transition_adoption(stale, action=Action.RETIRE, by=cst_admin, note="Dismessa.")
    assert kept(solution) == recounted(solution) == 0


def test_saving_and_deleting_an_adoption_keeps_the_counter(pesaro, fano, urbino):
    solution = SolutionFactory(owner=pesaro)
    first = AdoptionFactory(solution=solution, body=fano, status="in_production")
    AdoptionFactory(solution=solution, body=urbino, status="requested")
    assert kept(solution) == recounted(solution) == 1
    first.status = "retired"
    first.save()
    assert kept(solution) == recounted(solution) == 0
    first.save()  # the same status again: no change
    assert kept(solution) == 0
    first = Adoption.objects.get(pk=first.pk)  # as read from the database (the admin's form)
    first.status = "in_production"
    first.save()
    assert kept(solution) == recounted(solution) == 1
    first.save(update_fields=["adopted_version"])  # the status not written: no query for the counter
    assert kept(solution) == 1
    Adoption.objects.get(pk=first.pk).delete()
    assert kept(solution) == recounted(solution) == 0
    assert_all_equal_a_recount()


def test_a_recount_repairs_a_bulk_load(pesaro, fano, urbino):
    solution = SolutionFactory(owner=pesaro)
    AdoptionFactory(solution=solution, body=fano, status="in_production")
    AdoptionFactory(solution=solution, body=urbino, status="in_production")
    Adoption.objects.filter(solution=solution).update(status="in_progress")  # bypasses the counter, as a COPY does
    assert kept(solution) == 2
    recount_in_production([solution.pk])
    assert kept(solution) == recounted(solution) == 0
    Adoption.objects.filter(solution=solution).update(status="in_production")
    recount_in_production()
    assert kept(solution) == 2
    assert_all_equal_a_recount()
