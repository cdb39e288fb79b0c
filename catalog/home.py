from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.models import Solution

RECENT = 3


def home(request: HttpRequest) -> HttpResponse:
    """The portal's front page: what it is for, a search box and the latest published solutions (two queries)."""
    recent = (
        Solution.objects.published()
        .select_related("owner")
        .with_adoption_count()
        .defer("search_vector")
        .order_by("-published_at", "-pk")[:RECENT]
    )
    return render(request, "catalog/home.html", {"recent": recent})
