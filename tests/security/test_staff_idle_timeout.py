"""CST staff sessions end after STAFF_SESSION_IDLE_SECONDS without a request; other people's do not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

PROFILE = "/account/profilo/"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
IDLE = 30 * 60


@pytest.fixture(autouse=True)
def idle_limit(settings):
    settings.STAFF_SESSION_IDLE_SECONDS = IDLE


def _login(client, user, when: dt.datetime = START) -> None:
    with time_machine.travel(when, tick=False):
        client.force_login(user)


def _at(client, when: dt.datetime, path: str = PROFILE):
    with time_machine.travel(when, tick=False):
        return client.get(path)


def test_staff_idle_longer_than_the_limit_is_logged_out(client, cst_admin):
    _login(client, cst_admin)
    assert _at(client, START).status_code == 200
    response = _at(client, START + dt.timedelta(seconds=IDLE + 1))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/accedi/")
    assert "_auth_user_id" not in client.session


def test_the_logged_out_staff_member_is_told_why(client, cst_admin):
    _login(client, cst_admin)
    _at(client, START)
    with time_machine.travel(START + dt.timedelta(seconds=IDLE + 5), tick=False):
        response = client.get(PROFILE, follow=True)
    assert "scaduta per inattività" in response.content.decode()


def test_staff_activity_within_the_limit_keeps_the_session(client, cst_admin):
    _login(client, cst_admin)
    for minutes in (0, 25, 50, 75, 100):  # never more than 25 minutes apart: 100 minutes in all
        assert _at(client, START + dt.timedelta(minutes=minutes)).status_code == 200


def test_a_cst_admin_without_the_django_staff_flag_is_covered_too(client, cst_admin):
    cst_admin.is_staff = False
    cst_admin.save(update_fields=["is_staff"])
    _login(client, cst_admin)
    _at(client, START)
    assert _at(client, START + dt.timedelta(seconds=IDLE + 1)).status_code == 302


@pytest.mark.parametrize("persona", ["referent_fano", "analyst", "publisher_pesaro"])
def test_other_people_keep_their_session_when_idle(client, request, persona):
    _login(client, request.getfixturevalue(persona))
    _at(client, START)
    assert _at(client, START + dt.timedelta(hours=2)).status_code == 200


def test_ignored_paths_do_not_count_as_activity(client, cst_admin, settings):
    settings.STAFF_IDLE_IGNORED_PATHS = ["/healthz"]
    _login(client, cst_admin)
    _at(client, START)
    for minutes in (10, 20, 29):
        _at(client, START + dt.timedelta(minutes=minutes), "/healthz")
    assert _at(client, START + dt.timedelta(seconds=IDLE + 1)).status_code == 302


def test_a_zero_limit_turns_the_rule_off(client, cst_admin, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 0
    _login(client, cst_admin)
    _at(client, START)
    assert _at(client, START + dt.timedelta(hours=3)).status_code == 200


def test_django_staff_without_the_cst_role_is_not_cst_staff_and_keeps_the_session(client, django_user_model):
    # `is_staff` only opens Django's admin site; the idle rule is for CST staff as the people policy defines them.
    person = django_user_model.objects.create_user(email="tecnico@cstpu.example", password="x", is_staff=True)
    _login(client, person)
    assert _at(client, START + dt.timedelta(hours=2)).status_code == 200


def test_staff_idle_right_after_login_is_logged_out(client, cst_admin):
    _login(client, cst_admin)
    response = _at(client, START + dt.timedelta(seconds=IDLE + 1))  # the first request after logging in
    assert response.status_code == 302
    assert response["Location"].startswith("/account/accedi/")
    assert "_auth_user_id" not in client.session


def test_staff_active_right_after_login_keeps_the_session(client, cst_admin):
    _login(client, cst_admin)
    assert _at(client, START + dt.timedelta(seconds=IDLE - 1)).status_code == 200


def test_logging_in_through_the_form_starts_the_idle_clock(client, cst_admin):
    cst_admin.set_password("una-password-lunga-42")
    cst_admin.save(update_fields=["password"])
    with time_machine.travel(START, tick=False):
        response = client.post("/account/accedi/", {"username": cst_admin.email, "password": "una-password-lunga-42"})
    assert response.status_code == 302
    assert _at(client, START + dt.timedelta(seconds=IDLE + 1)).status_code == 302
