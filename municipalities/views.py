from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import permissions
from .models import Membership


def body_list(request: HttpRequest) -> HttpResponse:
    bodies = permissions.bodies_visible_to(request.user).order_by("name")
    page = Paginator(bodies, 25).get_page(request.GET.get("page"))
    return render(request, "municipalities/body_list.html", {"page_obj": page})


def body_detail(request: HttpRequest, slug: str) -> HttpResponse:
    body = get_object_or_404(permissions.bodies_visible_to(request.user), slug=slug)
    context = {
        "body": body,
        "show_private": permissions.can_view_body_private(request.user, body),
        "memberships": permissions.memberships_visible_to(request.user, body),
    }
    return render(request, "municipalities/body_detail.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.for_user(request.user).select_related("body").order_by("body__name", "role")
    return render(request, "municipalities/profile.html", {"memberships": memberships})
