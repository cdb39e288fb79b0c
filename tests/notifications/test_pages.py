"""The bell, the list of notifications, marking as read, and the deliveries page for CST staff."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cstportal.notifications.models import Delivery, Notification
from cstportal.notifications.services import record_notifications

pytestmark = pytest.mark.django_db


def notify(user, n: int = 1, *, start: int = 0, url: str = "/catalogo/") -> None:
    for i in range(start, start + n):
        record_notifications(
            recipients=[user],
            kind="test",
            event_key=f"test:{i}",
            message="«%(solution)s» è stata pubblicata nel catalogo",
            params={"solution": f"Soluzione {i}"},
            url=url,
        )


def test_the_bell_shows_the_unread_count_with_text_for_screen_readers(client, referent_fano):
    notify(referent_fano, 3)
    client.force_login(referent_fano)
    html = client.get(reverse("notifications:list")).content.decode()
    assert 'id="notification-bell"' in html
    assert "Notifiche: 3 non lette" in html
    assert '<span class="badge rounded-pill bg-danger' in html


def test_the_bell_without_unread_notifications_has_no_badge(client, referent_fano):
    client.force_login(referent_fano)
    html = client.get("/").content.decode()
    assert "Notifiche: nessuna da leggere" in html
    assert "rounded-pill bg-danger" not in html


def test_anonymous_visitors_see_no_bell_and_are_sent_to_login(client):
    assert 'id="notification-bell"' not in client.get("/").content.decode()
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/account/" in response["Location"]


def test_the_bell_costs_one_count_query(client, referent_fano, django_assert_num_queries):
    notify(referent_fano, 2)
    client.force_login(referent_fano)
    client.get("/")  # warm up whatever the page caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    counts = [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT(" in counts[0]


@pytest.mark.parametrize("how_many", [5, 20])
def test_list_page_query_count_does_not_grow_with_the_page(client, referent_fano, django_assert_num_queries, how_many):
    notify(referent_fano, how_many)
    client.force_login(referent_fano)
    client.get(reverse("notifications:list"))
    # session, user, count of the rows (paginator), the bell's unread count (shared by the header and the page),
    # the person's roles (read once by the layout's navigation), the page's rows with their actors: the same for
    # 5 and 20 rows.
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200


def test_list_is_paginated_newest_first_with_unread_highlighted(client, referent_fano):
    notify(referent_fano, 25)
    Notification.objects.filter(event_key="test:24").update(read_at="2026-01-01T00:00:00Z")
    client.force_login(referent_fano)
    page1 = client.get(reverse("notifications:list")).content.decode()
    assert "Soluzione 23" in page1
    assert page1.index("Soluzione 24") < page1.index("Soluzione 23")
    assert page1.count("Da leggere</span>") == 19
    page2 = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert "Soluzione 0" in page2
    assert "Soluzione 24" not in page2


def test_empty_list_explains_what_will_appear(client, referent_fano):
    client.force_login(referent_fano)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Nessuna notifica" in html


def test_mark_one_as_read(client, referent_fano):
    notify(referent_fano, 2)
    target = Notification.objects.get(event_key="test:0")
    client.force_login(referent_fano)
    response = client.post(reverse("notifications:mark-read", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_read
    assert Notification.objects.unread().count() == 1


def test_mark_read_needs_post_and_a_get_goes_to_the_list(client, referent_fano):
    notify(referent_fano)
    client.force_login(referent_fano)
    pk = Notification.objects.get().pk
    response = client.get(reverse("notifications:mark-read", args=[pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert Notification.objects.get().read_at is None


def test_mark_all_as_read(client, referent_fano, publisher_pesaro):
    notify(referent_fano, 3)
    notify(publisher_pesaro, 2, start=10)
    client.force_login(referent_fano)
    client.post(reverse("notifications:mark-all-read"))
    assert Notification.objects.for_user(referent_fano).unread().count() == 0
    assert Notification.objects.for_user(publisher_pesaro).unread().count() == 2


def test_opening_a_notification_marks_it_read_and_goes_to_the_page(client, referent_fano):
    notify(referent_fano, url="/catalogo/soluzioni/tributi/")
    notification = Notification.objects.get()
    client.force_login(referent_fano)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/catalogo/soluzioni/tributi/"
    notification.refresh_from_db()
    assert notification.is_read


def test_opening_never_redirects_off_site(client, referent_fano):
    notify(referent_fano, url="https://evil.example/")
    client.force_login(referent_fano)
    response = client.get(reverse("notifications:open", args=[Notification.objects.get().pk]))
    assert response["Location"] == "/"


@pytest.mark.parametrize("name", ["notifications:open", "notifications:mark-read"])
def test_someone_elses_notification_is_a_404(client, referent_fano, publisher_pesaro, name):
    notify(publisher_pesaro)
    pk = Notification.objects.get().pk
    client.force_login(referent_fano)
    method = client.get if name.endswith("open") else client.post
    assert method(reverse(name, args=[pk])).status_code == 404
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize("name", ["notifications:open", "notifications:mark-read"])
def test_anonymous_cannot_touch_a_notification(client, publisher_pesaro, name):
    notify(publisher_pesaro)
    pk = Notification.objects.get().pk
    method = client.get if name.endswith("open") else client.post
    assert method(reverse(name, args=[pk])).status_code == 302
    assert Notification.objects.get().read_at is None


def test_deliveries_page_is_for_cst_staff_only(client, referent_fano, analyst, cst_admin):
    client.force_login(referent_fano)
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    client.force_login(analyst)
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    client.force_login(cst_admin)
    assert client.get(reverse("notifications:deliveries")).status_code == 200


def test_deliveries_page_query_count_does_not_grow(client, cst_admin, referent_fano, django_assert_num_queries):
    notify(referent_fano, 30)
    Delivery.objects.update(status="failed", due_at=None, last_error="SMTPServerDisconnected")
    client.force_login(cst_admin)
    client.get(reverse("notifications:deliveries"))
    # session, user, count, the bell's count, the person's roles (navigation), the page of deliveries with their
    # notification and recipient
    with django_assert_num_queries(6):
        html = client.get(reverse("notifications:deliveries")).content.decode()
    assert html.count("SMTPServerDisconnected") == 30


def test_retry_is_refused_to_non_staff_and_needs_a_failed_row(client, referent_fano, cst_admin):
    notify(referent_fano)
    delivery = Delivery.objects.get()
    client.force_login(referent_fano)
    assert client.post(reverse("notifications:delivery-retry", args=[delivery.pk])).status_code == 403
    client.force_login(cst_admin)
    client.post(reverse("notifications:delivery-retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "pending"  # untouched: it was not failed


def test_cst_staff_see_failed_deliveries_in_the_django_admin_and_can_retry_them(client, cst_admin, referent_fano):
    notify(referent_fano, 2)
    Delivery.objects.update(status="failed", due_at=None, last_error="SMTPServerDisconnected")
    client.force_login(cst_admin)
    listing = client.get("/admin/notifications/delivery/?status__exact=failed")
    assert listing.status_code == 200
    assert listing.content.decode().count("SMTPServerDisconnected") == 2
    assert client.get("/admin/notifications/notification/").status_code == 200
    ids = list(Delivery.objects.values_list("pk", flat=True))
    client.post("/admin/notifications/delivery/", {"action": "retry_failed", "_selected_action": ids})
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
