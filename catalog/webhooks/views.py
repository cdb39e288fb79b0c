"""The webhook pages of a person's profile: their webhooks with the last delivery of each, registering one, a
webhook's delivery log, enabling a disabled one again and removing one (after a confirmation). The same services as
the API (catalog.webhooks.services); another person's webhook is a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from catalog import permissions
from catalog.access import acting_person, get_webhook_for
from catalog.models import Webhook, WebhookDelivery, WebhookEvent
from catalog.webhooks import services
from catalog.webhooks.forms import WebhookForm
from cstportal.errors import service_errors_as_messages

DELIVERIES_PAGE_SIZE = 25


def _event_labels(webhook: Webhook) -> list[str]:
    return [str(label) for value, label in WebhookEvent.choices if value in webhook.events]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest) -> HttpResponse:
    """The person's webhooks with their last delivery, and the form that registers one."""
    can_register = permissions.can_register_webhook(request.user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST":
        if not can_register:
            raise PermissionDenied
        if form.is_valid():
            with service_errors_as_messages(request, form=form) as outcome:
                webhook = services.register_webhook(owner=acting_person(request), **form.cleaned_data)
            if outcome.ok:
                messages.success(request, _("Webhook registrato: riceverà gli eventi scelti da adesso in poi."))
                return redirect("catalog:webhook-detail", pk=webhook.pk)
    last = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-pk")
    webhooks = list(
        permissions.webhooks_visible_to(request.user, Webhook.objects.all()).annotate(
            last_status=Subquery(last.values("status")[:1]), last_at=Subquery(last.values("created_at")[:1])
        )
    )
    statuses = dict(WebhookDelivery.Status.choices)
    for webhook in webhooks:
        webhook.event_labels = _event_labels(webhook)  # type: ignore[attr-defined]
        webhook.last_status_label = statuses.get(webhook.last_status, "")  # type: ignore[attr-defined]
    return render(
        request,
        "catalog/webhooks/webhook_list.html",
        {
            "webhooks": webhooks,
            "form": form,
            "can_register": can_register,
            "limit": settings.WEBHOOKS_PER_PERSON,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One webhook: its address, its events, its state and its deliveries, the most recent first."""
    webhook = get_webhook_for(request.user, pk)
    page = Paginator(WebhookDelivery.objects.filter(webhook=webhook), DELIVERIES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/webhooks/webhook_detail.html",
        {
            "webhook": webhook,
            "event_labels": _event_labels(webhook),
            "page_obj": page,
            "deliveries": page.object_list,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_enable(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_webhook_for(request.user, pk)
    if request.method == "GET":  # the button lives on the webhook's page; a GET changes nothing
        return redirect("catalog:webhook-detail", pk=webhook.pk)
    with service_errors_as_messages(request) as outcome:
        services.enable_webhook(webhook, by=acting_person(request))
    if outcome.ok:
        messages.success(request, _("Webhook riattivato: le consegne trattenute partono adesso."))
    return redirect("catalog:webhook-detail", pk=webhook.pk)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the webhook and its delivery log."""
    webhook = get_webhook_for(request.user, pk)
    if request.method == "POST":
        with service_errors_as_messages(request) as outcome:
            services.delete_webhook(webhook, by=acting_person(request))
        if outcome.ok:
            messages.success(request, _("Webhook «%(url)s» rimosso.") % {"url": webhook.url})
            return redirect("catalog:webhook-list")
    return render(request, "catalog/webhooks/webhook_confirm_delete.html", {"webhook": webhook})
