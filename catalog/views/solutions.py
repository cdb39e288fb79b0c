from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ..models import Solution


def solution_list(request: HttpRequest) -> HttpResponse:
    solutions = Solution.objects.visible_to(request.user).select_related("owner")[:25]
    return render(request, "catalog/solution_list.html", {"solutions": solutions})


def solution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_object_or_404(Solution.objects.visible_to(request.user).select_related("owner"), slug=slug)
    return render(request, "catalog/solution_detail.html", {"solution": solution})
