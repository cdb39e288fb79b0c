"""The catalogue's admin is CST staff's back office; status changes stay with the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Solution
from tests.factories import AdoptionFactory, ReleaseFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def test_cst_staff_browse_and_edit_solutions_without_touching_the_status(client, cst_admin, pesaro):
    solution = SolutionFactory(owner=pesaro, status="in_review")
    ReleaseFactory(solution=solution)
    AdoptionFactory(solution=solution)
    client.force_login(cst_admin)
    for name in ("catalog_solution_changelist", "catalog_adoption_changelist", "catalog_tag_changelist",
                 "catalog_category_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    change = client.get(reverse("admin:catalog_solution_change", args=[solution.pk]))
    assert change.status_code == 200
    assert 'name="status"' not in change.content.decode()
    assert client.get(reverse("admin:catalog_solution_add")).status_code == 403


def test_people_of_bodies_have_no_admin(client, publisher_pesaro):
    publisher_pesaro.is_staff = True  # even if someone ticked it by mistake
    publisher_pesaro.save()
    client.force_login(publisher_pesaro)
    assert client.get(reverse("admin:catalog_solution_changelist")).status_code == 403
    assert Solution.objects.count() == 0
