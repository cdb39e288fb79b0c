"""The authorisation policy for people and bodies.

Every page, API endpoint, export and report asks these predicates (or the matching queryset filters); nothing
re-implements them. A person's roles are read once per request and kept on the user object.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from .models import Body, GlobalRole, Membership, Role, User

# Whoever makes a request: a person who logged in, or an anonymous visitor.
Person: TypeAlias = User | AnonymousUser


# Who is CST staff and who is a provincial analyst, as conditions on people for queries (recipients, lists). The
# predicates below decide the same for one person; a test holds the two to agreement for every kind of account.
CST_STAFF = Q(is_active=True) & (Q(global_role=GlobalRole.CST_ADMIN) | Q(is_superuser=True))
ANALYSTS = Q(is_active=True, global_role=GlobalRole.ANALYST)
SEES_EVERYTHING = CST_STAFF | ANALYSTS


def is_authenticated(user: Person | None) -> TypeGuard[User]:
    """A person who logged in and whose account is active."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_cst_admin(user: Person) -> bool:
    """CST staff: the `cst_admin` role or a superuser, active. Django's `is_staff` only opens the admin site."""
    return is_authenticated(user) and (user.global_role == GlobalRole.CST_ADMIN or user.is_superuser)


def is_analyst(user: Person) -> bool:
    return is_authenticated(user) and user.global_role == GlobalRole.ANALYST


def sees_everything(user: Person) -> bool:
    """CST staff and provincial analysts read every body's data."""
    return is_cst_admin(user) or is_analyst(user)


def roles_by_body(user: Person) -> dict[int, frozenset[str]]:
    """{body id: roles} for the person's active bodies, read once per user object (`User.roles_by_body`)."""
    if not is_authenticated(user):
        return {}
    return user.roles_by_body


def forget_roles(user: Person) -> None:
    """Read the person's roles again at the next question (after their memberships changed)."""
    if is_authenticated(user):
        user.__dict__.pop("roles_by_body", None)


def _body_id(body: Body | int) -> int:
    return body if isinstance(body, int) else body.pk


def has_role(user: Person, body: Body | int, *roles: str) -> bool:
    """True when the person holds any of `roles` in `body` (any role at all when none is named)."""
    held = roles_by_body(user).get(_body_id(body), frozenset())
    return bool(held) if not roles else bool(held.intersection(roles))


def body_ids_with_role(user: Person, *roles: str) -> set[int]:
    return {body_id for body_id, held in roles_by_body(user).items() if not roles or held.intersection(roles)}


def with_role(role: str, *, body_id: int | None = None, **body_conditions: object) -> Q:
    """The query counterpart of has_role: people holding `role` in an active body — the body `body_id`, or those
    matching `body_conditions` (field lookups on the body, e.g. `adoptions__status__in`)."""
    condition = Q(memberships__role=role, memberships__body__is_active=True)
    if body_id is not None:
        condition &= Q(memberships__body_id=body_id)
    return condition & Q(**{f"memberships__body__{lookup}": value for lookup, value in body_conditions.items()})


def is_member_of(user: Person, body: Body | int) -> bool:
    """Any role in the body: member, referent or publisher."""
    return has_role(user, body)


def is_referent_of(user: Person, body: Body | int) -> bool:
    return has_role(user, body, Role.REFERENT)


def is_publisher_of(user: Person, body: Body | int) -> bool:
    return has_role(user, body, Role.PUBLISHER)


# --- bodies ---------------------------------------------------------------------------------------------------


# The registry of bodies is public: every page and the API list every body to everybody (no predicate needed).


def can_view_body_private(user: Person, body: Body) -> bool:
    """People, roles and internal contacts of a body: its own people, CST staff and analysts."""
    return sees_everything(user) or is_member_of(user, body)


def can_view_body_contacts(user: Person, body: Body) -> bool:
    """Who to contact in a member body (its ICT referents and publishers, with their e-mail): logged-in people of
    the CST's bodies, CST staff and analysts."""
    return body.is_member and (sees_everything(user) or bool(body_ids_with_role(user)))


def body_contacts(body: Body) -> QuerySet[Membership]:
    """The memberships of the people to contact in `body`: its referents and publishers, with active accounts."""
    return (
        Membership.objects.filter(body=body, role__in=(Role.REFERENT, Role.PUBLISHER), user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "role")
    )


def can_manage_bodies(user: Person) -> bool:
    return is_cst_admin(user)


def can_manage_people(user: Person) -> bool:
    return is_cst_admin(user)


def bodies_with_private_access(user: Person, queryset: QuerySet[Body] | None = None) -> QuerySet[Body]:
    qs = queryset if queryset is not None else Body.objects.all()
    if sees_everything(user):
        return qs
    return qs.filter(pk__in=body_ids_with_role(user))


def memberships_visible_to(user: Person, body: Body) -> QuerySet[Membership]:
    if not can_view_body_private(user, body):
        return Membership.objects.none()
    return Membership.objects.filter(body=body).select_related("user")


def role_labels(roles: Iterable[str]) -> list[str]:
    return [str(Role(r).label) for r in roles]
