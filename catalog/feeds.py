"""Atom feeds of the catalogue: new solutions and new releases, for the whole catalogue, one category or one body.

Django's syndication framework writes valid Atom 1.0 (a feed id and `updated`, an id, `updated` and an alternate link
per entry). Only published solutions appear, the same for everyone, so a feed reader needs no account. Each feed holds
the newest FEED_ITEMS entries, in two queries.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from catalog.models import Category, Release, Solution
from municipalities.models import Body

FEED_ITEMS = 50


class _Scope:
    """What a feed covers: everything, one category (by code) or one body (by any of its codes)."""

    def __init__(self, *, category: Category | None = None, body: Body | None = None) -> None:
        self.category, self.body = category, body

    @classmethod
    def from_request(cls, category: str | None = None, body: str | None = None) -> _Scope:
        if category is not None:
            return cls(category=get_object_or_404(Category, code=category))
        if body is not None:
            found = Body.objects.by_code(body).first()
            if found is None:
                raise Http404
            return cls(body=found)
        return cls()

    def solutions(self, queryset: QuerySet[Solution], prefix: str = "") -> QuerySet[Solution]:
        if self.category is not None:
            queryset = queryset.filter(**{f"{prefix}categories": self.category})
        if self.body is not None:
            queryset = queryset.filter(**{f"{prefix}owner": self.body})
        return queryset

    def title(self, what: str) -> str:
        if self.category is not None:
            return _("%(what)s — categoria %(name)s") % {"what": what, "name": self.category.label}
        if self.body is not None:
            return _("%(what)s — %(name)s") % {"what": what, "name": self.body.name}
        return what

    def page(self) -> str:
        if self.category is not None:
            return reverse("catalog:solution-list") + f"?category={self.category.code}"
        if self.body is not None:
            return reverse("catalog:solution-list") + f"?owner={self.body.key}"
        return reverse("catalog:solution-list")


class _CatalogueFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, category: str | None = None, body: str | None = None) -> _Scope:
        return _Scope.from_request(category=category, body=body)

    def link(self, scope: _Scope) -> str:
        return scope.page()

    def feed_guid(self, scope: _Scope) -> str:
        return self.feed_url_for(scope)

    def author_name(self) -> str:
        return _("CST Pesaro e Urbino — Catalogo del riuso")


class NewSolutionsFeed(_CatalogueFeed):
    def title(self, scope: _Scope) -> str:
        return scope.title(_("Nuove soluzioni del catalogo del riuso"))

    def subtitle(self, scope: _Scope) -> str:
        return _("Le soluzioni pubblicate più di recente nel catalogo del CST.")

    def feed_url_for(self, scope: _Scope) -> str:
        if scope.category is not None:
            return reverse("catalog:feed-solutions-category", kwargs={"category": scope.category.code})
        if scope.body is not None:
            return reverse("catalog:feed-solutions-body", kwargs={"body": scope.body.key})
        return reverse("catalog:feed-solutions")

    def feed_url(self, scope: _Scope) -> str:
        return self.feed_url_for(scope)

    def items(self, scope: _Scope) -> list[Solution]:
        published = Solution.objects.published().filter(published_at__isnull=False)
        return list(
            scope.solutions(published).select_related("owner").defer("search_vector")
            .order_by("-published_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item: Solution) -> str:
        return item.name

    def item_description(self, item: Solution) -> str:
        return item.short_description

    def item_link(self, item: Solution) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Solution) -> str:
        return f"tag:cstportal,solution:{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item: Solution) -> str:
        return item.owner.name

    def item_pubdate(self, item: Solution) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Solution) -> dt.datetime:
        return max(item.updated_at, item.published_at or item.updated_at)

    def item_categories(self, item: Solution) -> list[str]:
        return [item.get_kind_display()]


class NewReleasesFeed(_CatalogueFeed):
    def title(self, scope: _Scope) -> str:
        return scope.title(_("Nuovi rilasci del catalogo del riuso"))

    def subtitle(self, scope: _Scope) -> str:
        return _("Le versioni rilasciate più di recente delle soluzioni pubblicate.")

    def feed_url_for(self, scope: _Scope) -> str:
        if scope.category is not None:
            return reverse("catalog:feed-releases-category", kwargs={"category": scope.category.code})
        if scope.body is not None:
            return reverse("catalog:feed-releases-body", kwargs={"body": scope.body.key})
        return reverse("catalog:feed-releases")

    def feed_url(self, scope: _Scope) -> str:
        return self.feed_url_for(scope)

    def items(self, scope: _Scope) -> list[Release]:
        releases = Release.objects.filter(solution__status=Solution.Status.PUBLISHED)
        return list(
            scope.solutions(releases, prefix="solution__").select_related("solution", "solution__owner")
            .defer("solution__search_vector").order_by("-date", "-created_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item: Release) -> str:
        return _("%(solution)s %(version)s") % {"solution": item.solution.name, "version": item.version}

    def item_description(self, item: Release) -> str:
        return item.notes or item.solution.short_description

    def item_link(self, item: Release) -> str:
        return item.solution.get_absolute_url()

    def item_guid(self, item: Release) -> str:
        return f"tag:cstportal,release:{item.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, item: Release) -> str:
        return item.solution.owner.name

    def item_pubdate(self, item: Release) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(item.date, dt.time(12, 0)))

    def item_updateddate(self, item: Release) -> dt.datetime:
        return max(item.created_at, self.item_pubdate(item))
