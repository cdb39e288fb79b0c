"""Who may move a solution through publication, from which status — every (status, step, role), without a
database. The rules are written out here independently of catalog.workflow.PUBLICATION_STEPS."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog import permissions
from catalog.models import Solution
from catalog.workflow import PUBLICATION_STEPS, PublicationAction, SolutionStatus
from municipalities.models import GlobalRole, User

PESARO, FANO = 1, 2  # the owner, another body

SOURCE = {"submit": "draft", "publish": "in_review", "request_changes": "in_review", "retire": "published"}
TARGET = {"submit": "in_review", "publish": "published", "request_changes": "draft", "retire": "retired"}
WHO = {
    "submit": {"owner_publisher", "cst"},
    "publish": {"cst"},
    "request_changes": {"cst"},
    "retire": {"owner_publisher", "cst"},
}
ROLES = {
    "anonymous": None,
    "owner_publisher": ("", {PESARO: frozenset({"publisher"})}),
    "owner_referent": ("", {PESARO: frozenset({"referent", "member"})}),
    "other_publisher": ("", {FANO: frozenset({"publisher"})}),
    "cst": (GlobalRole.CST_ADMIN, {}),
    "analyst": (GlobalRole.ANALYST, {}),
}


def person(role: str):
    if ROLES[role] is None:
        return AnonymousUser()
    global_role, roles = ROLES[role]
    user = User(email=f"{role}@cstpu.example", global_role=global_role, is_active=True)
    user.roles_by_body = roles
    return user


def test_the_written_rules_are_the_table():
    assert set(SOURCE) == {str(a) for a in PublicationAction} == {str(a) for a in PUBLICATION_STEPS}
    for action, step in PUBLICATION_STEPS.items():
        assert (step.source, step.target) == (SOURCE[action], TARGET[action])
    assert {a for a, step in PUBLICATION_STEPS.items() if step.reason_required} == {"request_changes", "retire"}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(SOURCE))
@pytest.mark.parametrize("status", SolutionStatus.values)
def test_every_status_step_and_role(status, action, role):
    solution = Solution(status=status, owner_id=PESARO)
    expected = status == SOURCE[action] and role in WHO[action]
    assert permissions.can_take_publication_step(person(role), solution, action) is expected
