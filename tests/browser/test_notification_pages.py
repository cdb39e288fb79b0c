"""The notification pages in a real browser: zero axe violations, the bell leads to the list, marking as read works
without any inline script."""

from __future__ import annotations

import pytest

from .conftest import check_axe, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _notify(user, n: int) -> None:
    from cstportal.notifications.services import record_notifications

    for i in range(n):
        record_notifications(
            recipients=[user],
            kind="test",
            event_key=f"browser:{i}",
            message="%(body)s chiede di adottare la soluzione «%(solution)s»",
            params={"body": "Fano", "solution": f"Soluzione {i}", "note": "Ci serve entro marzo" if i == 0 else ""},
            url="/catalogo/",
        )


def test_notification_list_is_accessible_and_marking_read_updates_the_bell(page, publisher_pesaro):
    _notify(publisher_pesaro, 3)
    login(page, publisher_pesaro.email)
    visit(page, "/")
    bell = page.locator("#notification-bell")
    assert "3 non lette" in bell.inner_text()
    check_axe(page, context="home with the bell")
    bell.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notifiche/")
    check_axe(page, context="notification list")
    page.locator("button:has-text('Segna come letta')").first.click()
    page.wait_for_load_state("networkidle")
    assert "2 non lette" in page.locator("#notification-bell").inner_text()
    page.locator("button:has-text('Segna tutte come lette')").click()
    page.wait_for_load_state("networkidle")
    assert "nessuna da leggere" in page.locator("#notification-bell").inner_text()
    check_axe(page, context="notification list, all read")
    page.guard.assert_clean()


def test_empty_notification_list_is_accessible(page, referent_fano):
    login(page, referent_fano.email)
    visit(page, "/notifiche/")
    assert page.locator("text=Nessuna notifica").count() == 1
    check_axe(page)
    page.guard.assert_clean()


def test_deliveries_page_for_cst_is_accessible(page, cst_admin, publisher_pesaro):
    from cstportal.notifications.models import Delivery

    _notify(publisher_pesaro, 2)
    Delivery.objects.update(status="failed", due_at=None, attempts=6, last_error="SMTPServerDisconnected: closed")
    login(page, cst_admin.email)
    visit(page, "/notifiche/invii/")
    assert page.locator("button:has-text('Riprova')").count() == 2
    check_axe(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("button:has-text('Riprova')").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("button:has-text('Riprova')").count() == 1
    page.guard.assert_clean()
