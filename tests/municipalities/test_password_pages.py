"""Password change and reset: Italian pages in the portal's layout, reset e-mails through the configured backend."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nuova-Chiave-Sicura-2026"


def test_password_change_page_is_in_italian_in_the_portal_layout(client, member_fano):
    client.force_login(member_fano)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<h1>Cambia la password</h1>" in text
    assert 'id="main-container"' in text  # base layout
    assert 'class="form-control"' in text


def test_password_change_with_the_right_old_password_works_and_keeps_the_session(client, member_fano):
    client.force_login(member_fano)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    member_fano.refresh_from_db()
    assert member_fano.check_password(NEW_PASSWORD)
    done = client.get(reverse("password_change_done"))
    assert done.status_code == 200
    assert "La password è stata cambiata" in done.content.decode()


def test_password_change_refuses_a_wrong_old_password_and_a_weak_new_one(client, member_fano):
    client.force_login(member_fano)
    response = client.post(
        reverse("password_change"),
        {"old_password": "non-questa", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "La password attuale non è stata inserita correttamente" in text
    member_fano.refresh_from_db()
    assert member_fano.check_password(PASSWORD)


def test_password_validators_refuse_short_numeric_and_common_passwords(client, member_fano):
    client.force_login(member_fano)
    for weak in ["corta1", "1234567890123", "password1234"]:
        response = client.post(
            reverse("password_change"), {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
        )
        assert response.status_code == 200, weak
        assert "invalid-feedback" in response.content.decode(), weak
    member_fano.refresh_from_db()
    assert member_fano.check_password(PASSWORD)


def test_password_reset_sends_an_italian_email_with_a_working_link(client, member_fano, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "Dipendente.Fano@cstpu.test"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [member_fano.email]
    assert message.subject == "Reimpostazione della password — Catalogo del riuso CST Pesaro e Urbino"
    assert "Per scegliere una nuova password apri questo collegamento" in message.body
    link = re.search(r"https?://[^/\s]+(/account/password/reimposta/[^\s]+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Scegli una nuova password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    member_fano.refresh_from_db()
    assert member_fano.check_password(NEW_PASSWORD)
    complete = client.get(reverse("password_reset_complete"))
    assert "La nuova password è stata salvata" in complete.content.decode()
    # The link works once.
    reused = client.get(link, follow=True)
    assert "Collegamento non valido" in reused.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nessuno@cstpu.test"}, follow=True)
    assert response.status_code == 200
    assert "Controlla la posta" in response.content.decode()
    assert mailoutbox == []


def test_password_reset_pages_are_public_and_in_italian(client):
    for name, heading in [("password_reset", "Reimposta la password"), ("password_reset_done", "Controlla la posta"),
                          ("password_reset_complete", "Password reimpostata")]:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in response.content.decode()
    bad = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "sbagliato"}))
    assert bad.status_code == 200
    assert "Collegamento non valido" in bad.content.decode()


def test_password_reset_email_goes_to_the_configured_backend(client, member_fano, settings, tmp_path):
    # The demo's default: e-mails written as files (production sets EMAIL_HOST and gets SMTP).
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    client.post(reverse("password_reset"), {"email": member_fano.email})
    written = list(tmp_path.iterdir())
    assert len(written) == 1
    content = written[0].read_text()
    assert f"To: {member_fano.email}" in content
    assert "/account/password/reimposta/" in content
