"""Django admin of the catalogue, for CST staff: a back office to find and correct data.

Publication status and adoptions change only through the services (catalog.services), which keep the history and
send the notices: here those fields are read-only, and releases are added from the solution page. Access follows
the people policy (CST staff), not Django's per-model permission table; deleting is for superusers only.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from catalog.models import (
    Adoption,
    AdoptionEvent,
    Category,
    PublicationEvent,
    Release,
    Solution,
    Tag,
    Webhook,
    WebhookDelivery,
)
from catalog.solutions.search import refresh_search_vector
from municipalities.admin import CstStaffOnlyMixin


class ReadOnlyInline(CstStaffOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReleaseInline(ReadOnlyInline):
    model = Release
    fields = ("version", "date", "notes")
    readonly_fields = fields


class PublicationEventInline(ReadOnlyInline):
    model = PublicationEvent
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields


@admin.register(Solution)
class SolutionAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "owner", "kind", "status", "development_status", "latest_release_date", "updated_at")
    list_filter = ("status", "kind", "origin", "development_status", "maintenance_type")
    search_fields = ("name", "slug", "short_description_it", "owner__name", "repository_url")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    filter_horizontal = ("categories", "tags")
    readonly_fields = ("status", "status_reason", "published_at", "latest_release_date", "created_by", "created_at",
                       "updated_at")
    exclude = ("search_vector",)
    inlines = (ReleaseInline, PublicationEventInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request) -> bool:
        return False  # new solutions start as drafts from the publisher's form, with their first event

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_vector([form.instance.pk])


@admin.register(Category)
class CategoryAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    """The publiccode.yml vocabulary: fixed by the standard, shown for reference."""

    list_display = ("code", "label")
    search_fields = ("code",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:  # a renamed tag: the stored search vectors of its solutions hold the old name
            refresh_search_vector(obj.solutions.values_list("pk", flat=True))


class AdoptionEventInline(ReadOnlyInline):
    model = AdoptionEvent
    fields = ("sequence", "created_at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


@admin.register(Adoption)
class AdoptionAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    """Adoptions for reference: the workflow's transitions happen on the adoption pages."""

    list_display = ("solution", "body", "status", "requested_at", "in_production_at")
    list_filter = ("status", "environment")
    search_fields = ("solution__name", "body__name", "agreement_reference")
    list_select_related = ("solution", "body")
    readonly_fields = ("solution", "body", "owner_body", "status", "requested_by", "requested_at", "decided_at",
                       "started_at", "in_production_at", "closed_at", "status_changed_at", "reminded_at",
                       "created_at", "updated_at")
    inlines = (AdoptionEventInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting an adoption would delete its audit trail: a request is withdrawn or retired instead.
        return False



class WebhookDeliveryInline(ReadOnlyInline):
    model = WebhookDelivery
    fields = ("created_at", "event", "status", "attempts", "last_status_code", "last_error")
    readonly_fields = fields
    ordering = ("-created_at",)
    max_num = 50


@admin.register(Webhook)
class WebhookAdmin(CstStaffOnlyMixin, admin.ModelAdmin):
    """Webhooks for reference, to help their owners: registered, enabled again and removed by them through the API.
    The secret is never shown."""

    list_display = ("url", "owner", "is_active", "consecutive_failures", "disabled_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "owner__email")
    list_select_related = ("owner",)
    fields = (
        "owner",
        "url",
        "events",
        "description",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (WebhookDeliveryInline,)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
