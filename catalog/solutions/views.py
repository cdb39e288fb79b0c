"""The catalogue's pages: the public list and solution page, the publisher's forms, the CST review queue.

Views translate HTTP: fetch-and-authorise (catalog.access / catalog.permissions), validate a form, call one service,
respond. The rules live in catalog.solutions.services.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from catalog import permissions
from catalog.access import get_solution_for
from catalog.caching import PAGES
from catalog.harvest.querysets import harvested_fields
from catalog.models import Solution
from catalog.solutions import matches, services
from catalog.solutions.filters import SOLUTION_ORDERINGS, SolutionFilter
from catalog.solutions.forms import CONFIRM_NEW, ReasonForm, ReleaseForm, SolutionForm
from catalog.solutions.search import count_facets, normalise_query, order_catalogue, search_solutions
from catalog.solutions.suggestions import near_duplicates, suggest_query
from catalog.vocabulary import category_label
from cstportal.anon_cache import cache_anonymous
from cstportal.errors import service_errors_as_messages
from municipalities.models import Body

PER_PAGE = 12
# The days of the vitality series drawn on a solution's page.
VITALITY_DAYS_SHOWN = 90

# The sort menu: the orderings a visitor of the page wants (the API's others are accepted too, and shown when chosen).
SORT_MENU = {
    "relevance": _lazy("Pertinenza"),
    "name": _lazy("Nome"),
    "-latest_release_date": _lazy("Ultimo rilascio"),
    "-used_by_count": _lazy("Più adottate"),
    "-vitality": _lazy("Vitalità"),
}
# The page's former `sort` values, still in bookmarks: the same orderings under catalog.solutions.filters' names.
LEGACY_SORTS = {
    "relevance": "relevance",
    "name": "name",
    "latest_release": "-latest_release_date",
    "most_adopted": "-used_by_count",
}
# The parameters of the chips, in the order of the facets.
CHIP_FILTERS = ("kind", "category", "owner", "used_by", "development_status", "origin", "supports", "tag", "status")


class CountedPaginator(Paginator):
    """A paginator told the total in advance (the facets' aggregate already counted it: one query fewer).

    With `narrow` (the same match and order as the object list, as a queryset of primary keys), the page is
    chosen in a subquery that reads only the keys and the ordering value, and the wide rows are read for that page
    alone: for an order computed per row (the in-production count), the database then sorts narrow tuples from an
    index instead of reading every wide row of the match."""

    def __init__(self, *args: Any, count: int, narrow: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = count
        self._narrow = narrow

    @cached_property
    def count(self) -> int:
        return self._known_count

    def page(self, number: Any) -> Any:
        if self._narrow is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list.filter(pk__in=self._narrow[bottom:top]), number, self)


def _query_string(params: QueryDict) -> str:
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _toggled(base: QueryDict, name: str, value: str, *, multiple: bool) -> str:
    params = base.copy()
    params.pop("page", None)
    current = params.getlist(name)
    if value in current:
        params.setlist(name, [v for v in current if v != value])
    elif multiple:
        params.setlist(name, [*current, value])
    else:
        params[name] = value
    return _query_string(params)


def _replaced(base: QueryDict, name: str, value: str) -> str:
    params = base.copy()
    params.pop("page", None)
    params[name] = value
    return _query_string(params)


def _without(base: QueryDict, name: str, value: str | None = None) -> str:
    params = base.copy()
    params.pop("page", None)
    if value is None:
        params.pop(name, None)
    else:
        params.setlist(name, [v for v in params.getlist(name) if v != value])
    return _query_string(params)


def _chips(params: QueryDict, values: dict[str, Any], facets: list) -> list[dict[str, str]]:
    """The active filters as removable chips: a label and the URL without that filter."""
    labels = {facet.name: {v.value: v.label for v in facet.values} for facet in facets}
    static = {
        "kind": dict(Solution.Kind.choices),
        "development_status": dict(Solution.DevelopmentStatus.choices),
        "origin": dict(Solution.Origin.choices),
        "status": dict(Solution.Status.choices),
    }
    names = {facet.name: facet.label for facet in facets}
    names.update({"tag": _("Etichetta"), "status": _("Stato di pubblicazione"), "used_by": _("Usata da")})
    chips = []
    if values["q"]:
        chips.append({"label": _("Ricerca: «%(q)s»") % {"q": values["q"]}, "url": _without(params, "q")})
    for name in CHIP_FILTERS:
        chosen = values.get(name)
        if not chosen:
            continue
        for value in chosen if isinstance(chosen, list) else [chosen]:
            label = labels.get(name, {}).get(value) or static.get(name, {}).get(value)
            if label is None and name == "used_by":  # no facet names the body: one query, only with this filter
                label = Body.objects.by_code(value).values_list("name", flat=True).first()
            if label is None:
                label = category_label(value) if name == "category" else value
            chips.append({
                "label": f"{names[name]}: {label}",
                "url": _without(params, name, value if isinstance(chosen, list) else None),
            })
    return chips


def _current_address(params: QueryDict) -> str | None:
    """The address of a bookmarked catalogue query written with the page's former parameters (`sort`, an owner
    named by its slug) in catalog.solutions.filters' names, or None when the query is current. An owner is looked up (one
    query) only when not named by an ISTAT code."""
    current = params.copy()
    changed = False
    if "sort" in current:
        sorts = [LEGACY_SORTS[v] for v in current.pop("sort") if v in LEGACY_SORTS]
        if sorts and "ordering" not in current:
            current["ordering"] = sorts[-1]
        changed = True
    owner = current.get("owner", "")
    # Only a value shaped like a slug is looked up: anything else (a NUL, a long string) is left to the filters,
    # which refuse it with a message. Any code of a body (its key, its IPA code in any case) is current; a body's
    # slug, which the page used to take, redirects to its key.
    if owner and not owner.isdigit() and re.fullmatch(r"[A-Za-z0-9_-]{1,160}", owner):
        key = Body.objects.filter(slug=owner).exclude(key=owner).values_list("key", flat=True).first()
        if key is not None and not Body.objects.filter(ipa_code__iexact=owner).exists():
            current["owner"] = key
            changed = True
    if not changed:
        return None
    encoded = current.urlencode()
    return reverse("catalog:solution-list") + (f"?{encoded}" if encoded else "")


def _facets_key(values: dict[str, Any]) -> str:
    """One filter combination, whatever the page, ordering and language (the facets' counts are the same)."""
    chosen = {
        name: sorted(str(getattr(v, "pk", v)) for v in value) if isinstance(value, list | tuple | set)
        else str(getattr(value, "pk", value))
        for name, value in values.items() if name != "ordering" and value not in (None, "", [])
    }
    return hashlib.sha256(json.dumps(chosen, sort_keys=True).encode()).hexdigest()[:32]


def _words_find_something(found: matches.Answer | None, visible: Any, values: dict[str, Any]) -> bool:
    """Whether the search's words alone, without the other filters, find a solution the visitor may see: then the
    filters found nothing, not the words, and no corrected query is offered («Forse cercavi …?» corrects words).
    Known from the match table when it answered; otherwise one query, only when another filter is chosen (with
    none, the search itself found nothing)."""
    if found is not None:
        return bool(found.table.ids)
    if not any(value not in (None, "", []) for name, value in values.items() if name not in ("q", "ordering")):
        return False
    return search_solutions(visible, values["q"]).exists()


@cache_anonymous(PAGES)  # the same page for every anonymous visitor: see cstportal/anon_cache.py
def solution_list(request: HttpRequest) -> HttpResponse:
    """The catalogue, filtered by catalog.solutions.filters.SolutionFilter (the API's filters). Queries (anonymous): facets'
    aggregate with the total, owners, categories, the page, the page's categories — five, whatever the page size
    or the number of facet values. A search whose words find nothing reads the words of the catalogue once more for
    «Forse cercavi …?» (catalog.solutions.suggestions), in place of the page and its categories; when only the
    other filters found nothing, nothing is corrected (one query to tell, unless the match table knows). With the shared
    cache on, an anonymous visitor's facets are kept (count_facets), or taken from the facet table when only the
    fixed vocabularies, a category or a tag are filtered: then only the page and its categories are read.

    A parameter with a value the filters refuse is left out, and the page says which: a visitor following a stale
    or mistyped link still gets the catalogue."""
    address = _current_address(request.GET)
    if address is not None:
        return HttpResponsePermanentRedirect(address)
    visible = Solution.objects.visible_to(request.user)
    params = request.GET.copy()
    filterset = SolutionFilter(params, queryset=visible)
    ignored = []
    if not filterset.is_valid():
        ignored = sorted(filterset.errors)
        for name in ignored:
            params.pop(name, None)
        filterset = SolutionFilter(params, queryset=visible)
    filterset.is_valid()  # every refused parameter is gone: valid
    values = {name: filterset.form.cleaned_data.get(name) for name in filterset.filters}
    values["q"] = normalise_query(values.get("q"))
    values["supports"] = values.get("supports") or []
    values["ordering"] = filterset.chosen_ordering
    filtered = filterset.qs
    anonymous = not request.user.is_authenticated
    found = matches.answer(values) if anonymous else None  # a search answered from its match table
    total, facets = count_facets(
        filtered, values, keep_as=_facets_key(values) if anonymous else None, published=anonymous,
        rows=found.facet_rows(values) if found is not None else None,
    )
    for facet in facets:
        for value in facet.values:
            value.url = _toggled(params, facet.name, value.value, multiple=facet.multiple)
    ordered = order_catalogue(
        filtered.select_related("owner").with_adoption_count().prefetch_related("categories").defer("search_vector"),
        values["ordering"],
    )
    narrow = None
    if found is not None:  # the page's ids from the table: only its rows are read
        ordered = found.page_rows(
            values, visible.select_related("owner").with_adoption_count().prefetch_related("categories")
            .defer("search_vector"),
        )
    elif not values["q"]:
        # The page's ids chosen on narrow rows: by name from the index solution_status_name_id alone, by adoptions,
        # release or vitality from their indexes; then the wide rows of those twelve only. A deep page (offsets in
        # the thousands) or a category's page no longer reads and sorts every wide row it passes.
        narrow = order_catalogue(filtered.with_adoption_count(), values["ordering"]).values("pk")
    page = CountedPaginator(ordered, PER_PAGE, count=total, narrow=narrow).get_page(request.GET.get("page"))
    suggestion = None
    if not total and values["q"] and not _words_find_something(found, visible, values):
        suggested = suggest_query(visible, values["q"])
        if suggested:
            suggestion = {"q": suggested, "url": _replaced(params, "q", suggested)}
    sort_params = params.copy()
    for name in ("ordering", "page"):
        sort_params.pop(name, None)
    sorts = [(key, label) for key, label in SORT_MENU.items() if key != "relevance" or filterset.searching]
    if values["ordering"] not in SORT_MENU:
        sorts.append((values["ordering"], dict(SOLUTION_ORDERINGS)[values["ordering"]]))
    context = {
        "page_obj": page,
        "total": total,
        "facets": facets,
        "values": values,
        "ignored": ignored,
        "chips": _chips(params, values, facets),
        "has_facets": any(facet.has_values for facet in facets),
        "suggestion": suggestion,
        "sorts": sorts,
        "sort_hidden": [(k, v) for k in sort_params for v in sort_params.getlist(k)],
        "show_status": permissions.can_list_own_solutions(request.user) or permissions.can_review_solution(
            request.user
        ),
    }
    return render(request, "catalog/solution_list.html", context)


def solution_detail(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_solution_for(request.user, slug)
    user = request.user
    releases = list(solution.releases.all())
    show_history = permissions.can_view_publication_history(user, solution)
    context = {
        "solution": solution,
        "releases": releases,
        "current_release": releases[0] if releases else None,
        "categories": list(solution.categories.all()),
        "tags": list(solution.tags.all()),
        "show_contacts": permissions.can_view_solution_contacts(user, solution),
        "show_history": show_history,
        "events": list(solution.publication_events.select_related("actor")) if show_history else [],
        "can_edit": permissions.can_edit_solution(user, solution),
        "can_submit": permissions.can_submit_solution(user, solution),
        "can_review": permissions.can_decide_solution(user, solution),
        "can_retire": permissions.can_retire_solution(user, solution),
        **vitality_context(solution),
    }
    return render(request, "catalog/solution_detail.html", context)


def vitality_context(solution: Solution) -> dict[str, Any]:
    """The vitality of a solution harvested from a repository: the latest day's figures and the series of the last
    VITALITY_DAYS_SHOWN days, as a chart and as a table. Nothing (and no query) for a solution never harvested."""
    if solution.vitality is None:
        return {}
    days = list(solution.vitality_days.order_by("-day")[:VITALITY_DAYS_SHOWN])[::-1]
    if not days:
        return {}
    label = _("Indice di vitalità")
    chart = {
        "type": "line",
        "labels": [date_format(day.day, "SHORT_DATE_FORMAT") for day in days],
        "datasets": [{"label": str(label), "data": [day.value for day in days]}],
    }
    first, last = days[0], days[-1]
    summary = _("Indice di vitalità dal %(first)s al %(last)s: da %(start)s a %(end)s su 100.") % {
        "first": date_format(first.day, "SHORT_DATE_FORMAT"), "last": date_format(last.day, "SHORT_DATE_FORMAT"),
        "start": first.value, "end": last.value,
    }
    return {"vitality": last, "vitality_days": days, "vitality_chart": chart, "vitality_summary": summary}


# --- publishers -----------------------------------------------------------------------------------------------


@login_required
def solution_mine(request: HttpRequest) -> HttpResponse:
    """The solutions the person edits, in every publication status."""
    if not permissions.can_list_own_solutions(request.user):
        raise PermissionDenied
    solutions = (
        Solution.objects.editable_by(request.user)
        .select_related("owner")
        .with_adoption_count()
        .defer("search_vector")
        .order_by("name", "pk")
    )
    page = Paginator(solutions, 25).get_page(request.GET.get("page"))
    return render(request, "catalog/solution_mine.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def solution_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_solution(request.user):
        raise PermissionDenied
    form = SolutionForm(request.POST or None, user=request.user)
    duplicates: list[Solution] = []
    if request.method == "POST" and form.is_valid():
        # Close matches first (catalog.solutions.suggestions); the second button creates it all the same.
        if CONFIRM_NEW not in request.POST:
            duplicates = near_duplicates(Solution.objects.visible_to(request.user), name=form.cleaned_data["name"],
                                         description=form.cleaned_data["short_description_it"])
        if not duplicates:
            with service_errors_as_messages(request, form=form) as outcome:
                solution = services.create_solution(by=request.user, **form.service_arguments())
            if outcome.ok:
                messages.success(request, _("Bozza creata. Quando è completa, inviala in revisione al CST."))
                return redirect(solution)
    return render(request, "catalog/solution_form.html",
                  {"form": form, "solution": None, "duplicates": duplicates, "confirm_new": CONFIRM_NEW})


@login_required
@require_http_methods(["GET", "POST"])
def solution_edit(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_solution_for(request.user, slug, edit=True)
    harvested = harvested_fields(solution)
    form = SolutionForm(request.POST or None, user=request.user, instance=solution, read_only=harvested)
    if request.method == "POST" and form.is_valid():
        with service_errors_as_messages(request, form=form) as outcome:
            services.update_solution(solution, by=request.user, **form.service_arguments())
        if outcome.ok:
            messages.success(request, _("Modifiche salvate."))
            return redirect(solution)
    return render(request, "catalog/solution_form.html",
                  {"form": form, "solution": solution, "harvested": bool(harvested)})


@login_required
@require_http_methods(["GET", "POST"])
def release_create(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_solution_for(request.user, slug, edit=True)
    form = ReleaseForm(request.POST or None, solution=solution)
    if request.method == "POST" and form.is_valid():
        with service_errors_as_messages(request, form=form) as outcome:
            services.add_release(solution, by=request.user, **form.cleaned_data)
        if outcome.ok:
            messages.success(request, _("Rilascio %(version)s registrato.") % {"version": form.cleaned_data["version"]})
            return redirect(solution)
    return render(request, "catalog/release_form.html", {"form": form, "solution": solution})


@login_required
@require_http_methods(["GET", "POST"])
def solution_submit(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_solution_for(request.user, slug, edit=True)
    if request.method == "GET":  # the button lives on the solution page; a GET changes nothing
        return redirect(solution)
    with service_errors_as_messages(request):
        services.submit_solution(solution, by=request.user)
        messages.success(request, _("Soluzione inviata in revisione: il CST la esaminerà."))
    return redirect(solution)


# --- CST review -----------------------------------------------------------------------------------------------


def _require_reviewer(request: HttpRequest) -> None:
    if not permissions.can_review_solution(request.user):
        raise PermissionDenied


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Solutions waiting for CST staff, oldest request first. Queries: count, page (owner joined)."""
    _require_reviewer(request)
    waiting = Solution.objects.review_queue()
    page = Paginator(waiting, 25).get_page(request.GET.get("page"))
    return render(request, "catalog/review_queue.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def solution_publish(request: HttpRequest, slug: str) -> HttpResponse:
    _require_reviewer(request)
    solution = get_solution_for(request.user, slug)
    if request.method == "GET":  # the button lives on the solution page; a GET changes nothing
        return redirect(solution)
    with service_errors_as_messages(request):
        services.publish_solution(solution, by=request.user)
        messages.success(request, _("«%(name)s» è pubblicata nel catalogo.") % {"name": solution.name})
    if request.POST.get("next") == "queue":
        return redirect("catalog:review-queue")
    return redirect(solution)


def _reason_page(request: HttpRequest, solution: Solution, *, action: str, form: ReasonForm) -> HttpResponse:
    return render(request, "catalog/solution_action_form.html", {"solution": solution, "action": action,
                                                                 "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def solution_request_changes(request: HttpRequest, slug: str) -> HttpResponse:
    _require_reviewer(request)
    solution = get_solution_for(request.user, slug)
    if not permissions.can_decide_solution(request.user, solution):
        messages.error(request, _("Si possono chiedere modifiche solo a una soluzione in revisione."))
        return redirect(solution)
    form = ReasonForm(request.POST or None, label=_("Che cosa deve essere modificato"))
    if request.method == "POST" and form.is_valid():
        with service_errors_as_messages(request) as outcome:
            services.request_changes(solution, by=request.user, reason=form.cleaned_data["reason"])
        if not outcome.ok:
            return redirect(solution)
        messages.success(request, _("Richiesta di modifiche inviata alla redazione dell'ente."))
        return redirect("catalog:review-queue")
    return _reason_page(request, solution, action="request_changes", form=form)


@login_required
@require_http_methods(["GET", "POST"])
def solution_retire(request: HttpRequest, slug: str) -> HttpResponse:
    solution = get_solution_for(request.user, slug, edit=True)
    if not permissions.can_retire_solution(request.user, solution):
        messages.error(request, _("Si può ritirare solo una soluzione pubblicata."))
        return redirect(solution)
    form = ReasonForm(request.POST or None, label=_("Perché la soluzione viene ritirata"))
    if request.method == "POST" and form.is_valid():
        with service_errors_as_messages(request):
            services.retire_solution(solution, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("La soluzione è stata ritirata dal catalogo."))
        return redirect(solution)
    return _reason_page(request, solution, action="retire", form=form)
