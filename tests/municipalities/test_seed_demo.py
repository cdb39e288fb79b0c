"""`manage.py seed_demo`: the demo people of bodies, idempotent, refused with DEBUG off unless --force."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from municipalities.demo import DEMO_PEOPLE
from municipalities.models import GlobalRole, Membership, User

pytestmark = pytest.mark.django_db

ONLY_PEOPLE = ["municipalities.demo.seed"]

EXPECTED_ROLES = {
    "redazione.pesaro@cstpu.example": {("041044", "publisher")},
    "referente.fano@cstpu.example": {("041013", "referent")},
    "referente.urbino@cstpu.example": {("041067", "referent")},
    "referente.frontino@cstpu.example": {("041017", "referent")},
    "dipendente.fano@cstpu.example": {("041013", "member")},
}


def _seed(**kwargs) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def _state() -> tuple:
    people = list(User.objects.order_by("email").values_list("email", "global_role", "is_staff", "password"))
    roles = list(Membership.objects.order_by("pk").values_list("user__email", "body__istat_code", "role"))
    return people, roles


def test_seed_creates_the_demo_people_with_their_roles(settings):
    settings.DEBUG = True
    settings.DEMO_SEEDERS = ONLY_PEOPLE
    settings.DEMO_PASSWORD = "cstpu-demo"
    out = _seed()
    assert "persone dimostrative: 7 create, 0 già presenti" in out
    assert User.objects.count() == len(DEMO_PEOPLE) == 7
    cst = User.objects.get(email="cst@cstpu.example")
    assert cst.global_role == GlobalRole.CST_ADMIN and cst.is_staff
    analyst = User.objects.get(email="analista@cstpu.example")
    assert analyst.global_role == GlobalRole.ANALYST and not analyst.is_staff
    for email, roles in EXPECTED_ROLES.items():
        person = User.objects.get(email=email)
        assert set(person.memberships.values_list("body__istat_code", "role")) == roles
        assert person.check_password("cstpu-demo")


def test_seed_twice_changes_nothing(settings):
    settings.DEBUG = True
    settings.DEMO_SEEDERS = ONLY_PEOPLE
    _seed()
    before = _state()
    out = _seed()
    assert "persone dimostrative: 0 create, 7 già presenti" in out
    assert _state() == before


def test_seed_does_not_reset_a_password_someone_changed(settings):
    settings.DEBUG = True
    settings.DEMO_SEEDERS = ONLY_PEOPLE
    _seed()
    person = User.objects.get(email="referente.fano@cstpu.example")
    person.set_password("Cambiata-Da-Me-2026")
    person.save()
    _seed()
    person.refresh_from_db()
    assert person.check_password("Cambiata-Da-Me-2026")


def test_seed_uses_the_configured_demo_password(settings):
    settings.DEBUG = True
    settings.DEMO_SEEDERS = ONLY_PEOPLE
    settings.DEMO_PASSWORD = "altra-password-demo"
    _seed()
    assert User.objects.get(email="cst@cstpu.example").check_password("altra-password-demo")


def test_seed_refuses_with_debug_off(settings):
    settings.DEBUG = False
    settings.DEMO_SEEDERS = ONLY_PEOPLE
    with pytest.raises(CommandError, match="--force"):
        _seed()
    assert User.objects.count() == 0


def test_seed_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False
    settings.DEMO_SEEDERS = ONLY_PEOPLE
    _seed(force=True)
    assert User.objects.count() == 7
