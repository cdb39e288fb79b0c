"""Pages of the notifications: a person's own list, and the deliveries that CST staff watch over."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from municipalities import permissions as people

from . import services
from .models import Delivery, Notification

NOTIFICATIONS_PER_PAGE = 20
DELIVERIES_PER_PAGE = 50


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect(default)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, unread ones highlighted."""
    notifications = Notification.objects.for_user(request.user).select_related("actor")
    paginator = Paginator(notifications, NOTIFICATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "notifications/list.html", context)


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to the page it concerns, marking it read on the way."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.mark_notification_read(notification, by=request.user)
    target = notification.url or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return HttpResponseRedirect(target)


# The buttons below post and go back to the page they were pressed on; their addresses answer GET by going to the
# list they belong to, changing nothing.


@require_http_methods(["GET", "POST"])
@login_required
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if request.method == "GET":
        return redirect("notifications:list")
    services.mark_notification_read(notification, by=request.user)
    return _back(request, "notifications:list")


@require_http_methods(["GET", "POST"])
@login_required
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return redirect("notifications:list")
    count = services.mark_all_notifications_read(user=request.user)
    if count:
        messages.success(request, _("Tutte le notifiche sono state segnate come lette."))
    return _back(request, "notifications:list")


def _require_staff(request: HttpRequest) -> None:
    if not people.is_cst_admin(request.user):
        raise PermissionDenied


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    """CST staff: the e-mail deliveries, failed ones first by default, with a retry button."""
    _require_staff(request)
    statuses = dict(Delivery.Status.choices)
    status = request.GET.get("status", Delivery.Status.FAILED)
    deliveries = Delivery.objects.for_staff_list()
    if status in statuses:
        deliveries = deliveries.filter(status=status)
    else:
        status = ""
    paginator = Paginator(deliveries, DELIVERIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "status": status,
        "statuses": Delivery.Status.choices,
    }
    return render(request, "notifications/deliveries.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    if request.method == "GET":
        return redirect("notifications:deliveries")
    if services.retry_delivery(delivery, by=request.user):
        messages.success(request, _("L'invio è stato rimesso in coda: partirà entro pochi secondi."))
    else:
        messages.error(request, _("L'invio non è più in stato di errore: nessuna azione eseguita."))
    return _back(request, "notifications:deliveries")
