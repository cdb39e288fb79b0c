"""The catalogue's part of a body's page (/enti/<key>/): what the body publishes, what it uses and is adopting, and
its reuse stories. The registry renders the page (municipalities.views.body_detail, with
settings.BODY_DETAIL_TEMPLATE = catalog/bodies/body_detail.html); this tag fills its `body_extra` block.

Each list is capped at SHOWN with a "vedi tutte" link to the catalogue filtered by the body (`owner`, `used_by`,
the filters of the catalogue and of the API). Queries: one per list (SHOWN + 1 rows read, to know whether there are
more) and a count only for a list that has more: four for a body with few solutions, whatever it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import template
from django.db.models import QuerySet
from django.urls import reverse

from catalog.models import Adoption, ReuseStory, Solution
from catalog.workflow import AdoptionStatus
from municipalities.models import Body

register = template.Library()

SHOWN = 6  # items of each list on the page
STORIES_SHOWN = 4
# "Sta adottando": adoptions decided and under way. A request still waiting for the owner is the two bodies' business.
ADOPTING = (AdoptionStatus.APPROVED, AdoptionStatus.IN_PROGRESS)


@dataclass
class Capped:
    items: list[Any]
    total: int
    more_url: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _capped(queryset: QuerySet, *, shown: int, more_url: str = "") -> Capped:
    items = list(queryset[: shown + 1])
    if len(items) <= shown:
        return Capped(items, len(items), more_url)
    return Capped(items[:shown], queryset.count(), more_url)


def _catalogue_url(**params: str) -> str:
    return f"{reverse('catalog:solution-list')}?{urlencode(params)}"


@register.inclusion_tag("catalog/bodies/_catalogue.html", takes_context=True)
def body_catalogue(context: template.Context, body: Body) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = Solution.objects.visible_to(user)
    published = _capped(
        visible.filter(owner=body).with_adoption_count().defer("search_vector").order_by("name", "pk"),
        shown=SHOWN,
        more_url=_catalogue_url(owner=body.key),
    )
    of_visible = {"solution__in": visible.values("pk")}
    uses = _capped(
        Adoption.objects.in_production()
        .filter(body=body, **of_visible)
        .select_related("solution__owner")
        .order_by("solution__name", "pk"),
        shown=SHOWN,
        more_url=_catalogue_url(used_by=body.key),
    )
    adopting = _capped(
        Adoption.objects.filter(body=body, status__in=ADOPTING, **of_visible)
        .select_related("solution__owner")
        .order_by("solution__name", "pk"),
        shown=SHOWN,
    )
    stories = _capped(
        ReuseStory.objects.filter(is_published=True, adoption__body=body, adoption__solution__in=visible.values("pk"))
        .select_related("adoption__solution")
        .order_by("-updated_at", "-pk"),
        shown=STORIES_SHOWN,
    )
    return {"body": body, "published": published, "uses": uses, "adopting": adopting, "stories": stories}
