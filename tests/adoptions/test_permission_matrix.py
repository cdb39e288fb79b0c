"""Who may take which action on an adoption in which status — every (status, action, role), without a database.

The predicates of catalog.permissions are pure: they read the adoption's status and bodies and the person's roles,
which a User object carries once read (`User.roles_by_body`). The rules are written out below independently of
catalog.workflow, so that a change to one that the other does not share fails here. The services' side (events,
compare-and-set, messages) is covered by test_workflow_table.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog import permissions
from catalog.models import Adoption
from catalog.workflow import ADOPTION_ACTIONS, AdoptionStatus
from municipalities.models import GlobalRole, User

FANO, PESARO, URBINO = 1, 2, 3  # the adopting body, the owner, a third body

SOURCES = {
    "approve": {"requested"},
    "reject": {"requested"},
    "ask_info": {"requested"},
    "answer": {"info_needed"},
    "start": {"approved"},
    "go_live": {"in_progress"},
    "retire": {"in_production"},
    "withdraw": {"requested", "info_needed", "approved", "in_progress"},
}
WHO = {
    "approve": {"owner_publisher", "cst"},
    "reject": {"owner_publisher", "cst"},
    "ask_info": {"owner_publisher", "cst"},
    "answer": {"adopter_referent"},
    "start": {"adopter_referent", "cst"},
    "go_live": {"adopter_referent"},
    "retire": {"adopter_referent", "cst"},
    "withdraw": {"adopter_referent", "cst"},
}
# role -> (global role, {body: roles}); None: an anonymous visitor
ROLES: dict[str, tuple[str, dict[int, frozenset[str]]] | None] = {
    "anonymous": None,
    "nobody": ("", {}),
    "adopter_referent": ("", {FANO: frozenset({"referent"})}),
    "adopter_member": ("", {FANO: frozenset({"member"})}),
    "adopter_publisher": ("", {FANO: frozenset({"publisher"})}),
    "owner_publisher": ("", {PESARO: frozenset({"publisher"})}),
    "owner_referent": ("", {PESARO: frozenset({"referent"})}),
    "owner_member": ("", {PESARO: frozenset({"member"})}),
    "cst": (GlobalRole.CST_ADMIN, {}),
    "analyst": (GlobalRole.ANALYST, {}),
    "other_body_referent": ("", {URBINO: frozenset({"referent", "publisher"})}),
}


def person(role: str):
    spec = ROLES[role]
    if spec is None:
        return AnonymousUser()
    global_role, roles = spec
    user = User(email=f"{role}@cstpu.example", global_role=global_role, is_active=True)
    user.roles_by_body = roles
    return user


def test_the_written_rules_cover_every_action_of_the_table():
    assert {str(a) for a in ADOPTION_ACTIONS} == set(SOURCES) == set(WHO)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(SOURCES))
@pytest.mark.parametrize("status", AdoptionStatus.values)
def test_every_status_action_and_role(status, action, role):
    # No database here (pytest-django refuses any query in a test without the db mark): the predicates are pure.
    adoption = Adoption(status=status, body_id=FANO, owner_body_id=PESARO)
    who = person(role)
    expected = status in SOURCES[action] and role in WHO[action]
    assert permissions.can_act_on_adoption(who, adoption, action) is expected
    assert (action in permissions.allowed_actions(who, adoption)) is expected
