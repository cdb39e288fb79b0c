"""Login by e-mail, lockout after five failures for one user from one IP, ending by itself."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/account/accedi/"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _login(client, email: str, password: str, *, ip: str = "10.1.1.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _fail_five_times(client, email: str, *, ip: str = "10.1.1.1"):
    responses = [_login(client, email, "password-sbagliata", ip=ip) for _ in range(5)]
    return responses


def test_login_with_email_and_password_reaches_the_home(client, referent_fano):
    response = _login(client, "Referente.Fano@CSTPU.test", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("profile")).status_code == 200


def test_wrong_password_shows_an_italian_error_and_warns_about_the_lockout(client, referent_fano):
    response = _login(client, referent_fano.email, "sbagliata")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Indirizzo e-mail o password non corretti" in text
    assert "bloccato per 15 minuti" in text


def test_five_wrong_passwords_lock_the_user_with_a_clear_italian_message(client, referent_fano):
    responses = _fail_five_times(client, referent_fano.email)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    locked = responses[4]
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Accesso temporaneamente bloccato" in text
    assert "bloccato per 15 minuti" in text
    assert reverse("password_reset") in text
    # Even the right password is refused while the lockout lasts.
    again = _login(client, referent_fano.email, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_user_another_user_from_the_same_ip_still_logs_in(client, referent_fano, member_fano):
    _fail_five_times(client, referent_fano.email)
    response = _login(client, member_fano.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member_fano.pk)


def test_lockout_is_per_ip_the_same_user_from_another_ip_still_logs_in(client, referent_fano):
    _fail_five_times(client, referent_fano.email, ip="10.1.1.1")
    assert _login(client, referent_fano.email, PASSWORD, ip="10.9.9.9").status_code == 302


def test_changing_the_letters_case_of_the_email_does_not_escape_the_lockout(client, referent_fano):
    for variant in ["referente.fano@cstpu.test", "REFERENTE.FANO@cstpu.test", "Referente.Fano@Cstpu.Test",
                    " referente.fano@cstpu.test", "referente.FANO@cstpu.test"]:
        _login(client, variant, "password-sbagliata")
    assert _login(client, referent_fano.email.upper(), PASSWORD).status_code == 429


def test_lockout_ends_by_itself_after_fifteen_minutes(client, referent_fano):
    with time_machine.travel(START, tick=False):
        _fail_five_times(client, referent_fano.email)
    with time_machine.travel(START + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert _login(client, referent_fano.email, PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(referent_fano.pk)


def test_trying_again_during_the_lockout_restarts_the_cool_off_but_never_locks_for_ever(client, referent_fano):
    with time_machine.travel(START, tick=False):
        _fail_five_times(client, referent_fano.email)
    with time_machine.travel(START + dt.timedelta(minutes=14), tick=False):
        assert _login(client, referent_fano.email, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username=referent_fano.email)
    assert attempt.attempt_time == START + dt.timedelta(minutes=14)
    with time_machine.travel(START + dt.timedelta(minutes=14 + 15, seconds=1), tick=False):
        assert _login(client, referent_fano.email, PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(referent_fano.pk)


def test_four_failures_then_success_resets_the_counter(client, referent_fano):
    for _ in range(4):
        _login(client, referent_fano.email, "password-sbagliata")
    assert _login(client, referent_fano.email, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _login(client, referent_fano.email, "password-sbagliata")
    assert _login(client, referent_fano.email, PASSWORD).status_code == 302


def test_every_attempt_is_logged(client, referent_fano):
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            _login(client, referent_fano.email, "password-sbagliata", ip="10.2.2.2")
        assert _login(client, referent_fano.email, PASSWORD, ip="10.2.2.2").status_code == 302
    failures = AccessFailureLog.objects.filter(username=referent_fano.email)
    assert failures.count() == 3
    assert {f.ip_address for f in failures} == {"10.2.2.2"}
    assert all(f.attempt_time == START for f in failures)
    assert not any(f.locked_out for f in failures)
    successes = AccessLog.objects.filter(username=referent_fano.email)
    assert successes.count() == 1 and successes.get().ip_address == "10.2.2.2"
    # The running counter is reset by the successful login.
    assert not AccessAttempt.objects.filter(username=referent_fano.email).exists()


def test_the_locking_attempt_is_logged_as_locked_out(client, referent_fano):
    _fail_five_times(client, referent_fano.email)
    attempt = AccessAttempt.objects.get(username=referent_fano.email, ip_address="10.1.1.1")
    assert attempt.failures_since_start == 5
    logged = list(AccessFailureLog.objects.filter(username=referent_fano.email).order_by("attempt_time", "pk"))
    assert len(logged) == 5
    assert logged[-1].locked_out is True


def test_inactive_person_cannot_log_in(client, referent_fano):
    referent_fano.is_active = False
    referent_fano.save(update_fields=["is_active"])
    response = _login(client, referent_fano.email, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_ends_the_session(client, referent_fano):
    client.force_login(referent_fano)
    assert client.get(reverse("logout")).status_code == 200  # a page with the button
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logged_in_person_opening_the_login_page_is_sent_home(client, referent_fano):
    client.force_login(referent_fano)
    response = client.get(LOGIN)
    assert response.status_code == 302
