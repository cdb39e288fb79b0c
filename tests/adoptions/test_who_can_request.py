"""A logged-in employee who may not ask to adopt a solution is told who in their body can."""

from __future__ import annotations

import pytest

from catalog.models import Solution
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def test_an_employee_is_told_who_in_the_body_can_request(client, pesaro, member_fano, referent_fano):
    solution = SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED)
    client.force_login(member_fano)

    page = client.get(solution.get_absolute_url()).content.decode()

    assert 'id="chi-puo-richiedere"' in page
    assert str(referent_fano) in page
    assert 'id="richiedi-adozione"' not in page


def test_without_a_referent_the_employee_is_sent_to_cst_staff(client, pesaro, member_fano):
    solution = SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED)
    client.force_login(member_fano)

    page = client.get(solution.get_absolute_url()).content.decode()

    assert "scrivi allo staff del CST" in page


def test_a_referent_gets_the_form_instead(client, pesaro, referent_fano):
    solution = SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED)
    client.force_login(referent_fano)

    page = client.get(solution.get_absolute_url()).content.decode()

    assert 'id="richiedi-adozione"' in page and 'id="chi-puo-richiedere"' not in page
