from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render

from . import permissions
from .forms import BodyFilterForm
from .models import Body, Membership, User

BODIES_PER_PAGE = 25


def body_list(request: HttpRequest) -> HttpResponse:
    """The public registry of member bodies: search, filters, ordering and pages."""
    form = BodyFilterForm(request.GET)
    filters = form.filters()
    bodies = Body.objects.for_listing(**filters)
    paginator = Paginator(bodies, BODIES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "is_filtered": any(filters[k] for k in ("q", "kind", "size_class", "membership")),
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "municipalities/body_list.html", context)


def body_detail(request: HttpRequest, key: str) -> HttpResponse:
    """Public facts of a body; who to contact, and its people and their roles, only for those the policy allows.
    Addressed by its public key; any other code of the body (an old address by slug, an IPA code) redirects there.
    Rendered with settings.BODY_DETAIL_TEMPLATE: another app (the catalogue) may extend the page's `body_extra`
    block with what it knows of the body, the registry keeps to the registry."""
    body = Body.objects.by_code(key).first()
    if body is None:
        raise Http404
    if key != body.key:
        return HttpResponsePermanentRedirect(body.get_absolute_url())
    show_private = permissions.can_view_body_private(request.user, body)
    memberships = (
        permissions.memberships_visible_to(request.user, body).order_by(
            "user__last_name", "user__first_name", "user__email", "role"
        )
        if show_private
        else Membership.objects.none()
    )
    context = {
        "body": body,
        "show_private": show_private,
        "memberships": memberships,
        "member_bodies": body.member_bodies.order_by("name") if body.kind == Body.Kind.UNIONE else (),
        "unions": body.unions.order_by("name"),
        # Who to contact, for people of other bodies; the body's own people (and CST staff) see all of its people.
        "show_contacts": not show_private and permissions.can_view_body_contacts(request.user, body),
    }
    if context["show_contacts"]:
        context["contacts"] = _contacts(permissions.body_contacts(body))
    return render(request, settings.BODY_DETAIL_TEMPLATE, context)


def _contacts(memberships: Iterable[Membership]) -> list[tuple[User, list[str]]]:
    """(person, [role labels]) in the order of `memberships`, a person once."""
    people: dict[int, tuple[User, list[str]]] = {}
    for membership in memberships:
        people.setdefault(membership.user_id, (membership.user, []))[1].append(membership.get_role_display())
    return list(people.values())


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own bodies and roles, global role and account links."""
    memberships = Membership.objects.for_user(request.user).select_related("body").order_by("body__name", "role")
    context = {
        "memberships": memberships,
        "can_use_admin": request.user.is_staff and permissions.can_manage_people(request.user),
    }
    return render(request, "municipalities/profile.html", context)


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link or an image could otherwise log a person out). The address also answers GET, so
    that a person who lands on it (a bookmark, the login after an expired session) gets a page: a button to log out,
    or the home page when already logged out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(self.get_success_url())
        return render(request, "registration/logout_confirm.html")
