"""Unit tests of municipalities.permissions, the policy for people and bodies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from municipalities import permissions
from municipalities.models import Body, Membership, Role

pytestmark = pytest.mark.django_db


def test_anonymous_has_no_role_and_sees_only_public_data(fano):
    anonymous = AnonymousUser()
    assert not permissions.is_authenticated(anonymous)
    assert not permissions.is_cst_admin(anonymous)
    assert not permissions.sees_everything(anonymous)
    assert permissions.roles_by_body(anonymous) == {}
    assert not permissions.can_view_body_private(anonymous, fano)
    assert list(permissions.memberships_visible_to(anonymous, fano)) == []
    assert not permissions.bodies_with_private_access(anonymous).exists()


def test_none_is_treated_as_anonymous(fano):
    assert not permissions.is_authenticated(None)
    assert not permissions.can_view_body_private(None, fano)


def test_global_roles(cst_admin, analyst, referent_fano):
    assert permissions.is_cst_admin(cst_admin) and not permissions.is_analyst(cst_admin)
    assert permissions.is_analyst(analyst) and not permissions.is_cst_admin(analyst)
    assert permissions.sees_everything(cst_admin) and permissions.sees_everything(analyst)
    assert not permissions.sees_everything(referent_fano)
    assert permissions.can_manage_bodies(cst_admin) and permissions.can_manage_people(cst_admin)
    assert not permissions.can_manage_bodies(analyst) and not permissions.can_manage_people(analyst)
    assert not permissions.can_manage_people(referent_fano)


def test_superuser_counts_as_cst_admin(django_user_model):
    root = django_user_model.objects.create_superuser(email="root@cstpu.test", password="x" * 12)
    root.global_role = ""
    assert permissions.is_cst_admin(root)


def test_an_inactive_person_has_no_power(cst_admin, referent_fano, fano):
    for person in (cst_admin, referent_fano):
        person.is_active = False
    assert not permissions.is_cst_admin(cst_admin)
    assert not permissions.is_member_of(referent_fano, fano)
    assert not permissions.can_view_body_private(referent_fano, fano)


def test_roles_in_a_body(referent_fano, member_fano, publisher_pesaro, fano, pesaro):
    assert permissions.is_member_of(member_fano, fano)
    assert permissions.is_member_of(referent_fano, fano)  # any role counts as belonging
    assert permissions.is_referent_of(referent_fano, fano) and not permissions.is_referent_of(member_fano, fano)
    assert permissions.is_publisher_of(publisher_pesaro, pesaro)
    assert not permissions.is_publisher_of(publisher_pesaro, fano)
    assert permissions.has_role(referent_fano, fano.pk, Role.REFERENT, Role.PUBLISHER)
    assert not permissions.has_role(member_fano, fano, Role.REFERENT, Role.PUBLISHER)
    assert permissions.body_ids_with_role(referent_fano) == {fano.pk}
    assert permissions.body_ids_with_role(referent_fano, Role.PUBLISHER) == set()


def test_a_consultant_can_hold_roles_in_two_bodies(referent_fano, fano, urbino):
    Membership.objects.create(user=referent_fano, body=urbino, role=Role.PUBLISHER)
    permissions.forget_roles(referent_fano)
    assert permissions.roles_by_body(referent_fano) == {
        fano.pk: frozenset({Role.REFERENT}),
        urbino.pk: frozenset({Role.PUBLISHER}),
    }
    assert permissions.can_view_body_private(referent_fano, urbino)
    assert set(permissions.bodies_with_private_access(referent_fano)) == {fano, urbino}


def test_roles_are_read_once_per_person(referent_fano, fano, urbino, django_assert_num_queries):
    permissions.forget_roles(referent_fano)
    with django_assert_num_queries(1):
        for body in (fano, urbino, fano, urbino):
            permissions.is_member_of(referent_fano, body)
            permissions.is_referent_of(referent_fano, body)


def test_private_data_of_a_body_is_for_its_people_staff_and_analysts(
    fano, member_fano, referent_fano, cst_admin, analyst, referent_urbino, publisher_pesaro, outsider
):
    allowed = [member_fano, referent_fano, cst_admin, analyst]
    refused = [referent_urbino, publisher_pesaro, outsider]
    for person in allowed:
        assert permissions.can_view_body_private(person, fano), person
        assert permissions.memberships_visible_to(person, fano).count() == 2, person
    for person in refused:
        assert not permissions.can_view_body_private(person, fano), person
        assert not permissions.memberships_visible_to(person, fano).exists(), person


def test_memberships_visible_to_never_leaks_another_body(fano, urbino, referent_fano, referent_urbino):
    visible = permissions.memberships_visible_to(referent_fano, fano)
    assert {m.body_id for m in visible} == {fano.pk}
    assert referent_urbino.pk not in {m.user_id for m in visible}


def test_bodies_with_private_access_lists(fano, referent_fano, cst_admin, analyst, outsider):
    everything = Body.objects.count()
    assert permissions.bodies_with_private_access(cst_admin).count() == everything
    assert permissions.bodies_with_private_access(analyst).count() == everything
    assert list(permissions.bodies_with_private_access(referent_fano)) == [fano]
    assert not permissions.bodies_with_private_access(outsider).exists()


def test_a_role_in_a_ceased_body_gives_no_access(referent_fano, fano):
    fano.is_active = False
    fano.ceased_on = dt.date(2026, 1, 1)
    fano.save(update_fields=["is_active", "ceased_on"])
    permissions.forget_roles(referent_fano)
    assert not permissions.is_referent_of(referent_fano, fano)


def test_role_labels_are_italian():
    assert permissions.role_labels([Role.MEMBER, Role.REFERENT, Role.PUBLISHER]) == [
        "Dipendente", "Referente ICT", "Redazione (pubblicatore)"
    ]
