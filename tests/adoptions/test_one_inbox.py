"""CST staff have one to-do list: "Da fare" shows the solutions waiting for their review beside the adoptions."""

from __future__ import annotations

import pytest

from catalog.models import Solution
from tests.factories import SolutionFactory

pytestmark = pytest.mark.django_db


def test_cst_staff_see_the_review_queue_in_their_inbox(client, cst_admin, pesaro):
    waiting = SolutionFactory(owner=pesaro, status=Solution.Status.IN_REVIEW, name="Albo in revisione")
    SolutionFactory(owner=pesaro, status=Solution.Status.PUBLISHED, name="Già pubblicata")
    client.force_login(cst_admin)

    page = client.get("/catalogo/da-fare/").content.decode()

    assert 'id="revisione"' in page and waiting.name in page and "Già pubblicata" not in page
    assert "Niente in attesa" not in page


def test_others_have_no_review_section(client, publisher_pesaro, pesaro):
    SolutionFactory(owner=pesaro, status=Solution.Status.IN_REVIEW)
    client.force_login(publisher_pesaro)

    assert 'id="revisione"' not in client.get("/catalogo/da-fare/").content.decode()
