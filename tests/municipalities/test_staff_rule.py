"""CST staff and analysts are defined once: the query conditions (recipients, lists) and the predicates (one person)
agree for every kind of account."""

from __future__ import annotations

import itertools

import pytest

from municipalities import permissions as people
from municipalities.models import GlobalRole, User

pytestmark = pytest.mark.django_db

ACCOUNTS = list(itertools.product(
    (True, False),  # is_active
    (True, False),  # is_superuser
    (True, False),  # is_staff (Django's admin flag)
    GlobalRole.values,
))


@pytest.fixture
def everyone():
    return [
        User.objects.create_user(
            email=f"persona{n}@cstpu.example", is_active=active, is_superuser=superuser, is_staff=staff,
            global_role=role,
        )
        for n, (active, superuser, staff, role) in enumerate(ACCOUNTS)
    ]


@pytest.mark.parametrize(
    ("condition", "predicate"),
    [
        (people.CST_STAFF, people.is_cst_admin),
        (people.ANALYSTS, people.is_analyst),
        (people.SEES_EVERYTHING, people.sees_everything),
    ],
    ids=["cst-staff", "analysts", "sees-everything"],
)
def test_query_condition_and_predicate_pick_the_same_people(everyone, condition, predicate):
    by_query = set(User.objects.filter(condition).values_list("email", flat=True))
    by_predicate = {person.email for person in everyone if predicate(person)}
    assert by_query == by_predicate


def test_cst_staff_is_the_role_or_a_superuser_and_never_the_admin_flag_alone(everyone):
    staff = {(p.is_active, p.is_superuser, p.is_staff, p.global_role) for p in everyone if people.is_cst_admin(p)}
    assert staff == {
        (True, superuser, flag, role)
        for superuser, flag, role in itertools.product((True, False), (True, False), GlobalRole.values)
        if superuser or role == GlobalRole.CST_ADMIN
    }


@pytest.mark.parametrize("role", ["member", "referent", "publisher"])
def test_the_role_condition_picks_who_has_role_says(role, pesaro, fano, referent_fano, publisher_pesaro, member_fano,
                                                    cst_admin, outsider):
    from municipalities.models import Body

    people_here = [referent_fano, publisher_pesaro, member_fano, cst_admin, outsider]
    Body.objects.filter(pk=fano.pk).update(is_active=False, ceased_on="2026-01-01")  # a ceased body counts for none
    for body in (pesaro, fano):
        by_query = set(User.objects.filter(people.with_role(role, body_id=body.pk)).values_list("email", flat=True))
        for person in people_here:
            people.forget_roles(person)
        assert by_query == {p.email for p in people_here if people.has_role(p, body, role)}
