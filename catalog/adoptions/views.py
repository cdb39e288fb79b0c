"""Adoption pages: the adoption with its stepper, timeline and actions; the "Da fare" inbox; the filterable list.

Views fetch and authorise (catalog.access), validate a form, call one service and answer with a message. The
actions offered come from catalog.permissions.allowed_actions, i.e. from the table in catalog.workflow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from catalog import permissions
from catalog.access import get_adoption_for, get_solution_for
from catalog.adoptions import services
from catalog.adoptions.forms import (
    ActionForm,
    AdoptionFilterForm,
    CommentForm,
    GoLiveForm,
    RequestAdoptionForm,
    ReuseStoryForm,
)
from catalog.adoptions.presentation import ACTIONS, INBOX_ACTIONS
from catalog.models import Adoption, AdoptionEvent, ReuseStory, Solution
from catalog.workflow import ADOPTION_ACTIONS, STEPS, Action, AdoptionStatus, transition_for
from cstportal.errors import service_errors_as_messages
from municipalities import permissions as people
from municipalities.models import Body

ADOPTIONS_PER_PAGE = 25
INBOX_ITEMS_PER_SECTION = 10

# --- lists ----------------------------------------------------------------------------------------------------


@require_GET
@login_required
def adoption_list(request: HttpRequest) -> HttpResponse:
    """Adoptions the person may see, filterable by status, adopting body and solution, newest change first."""
    visible = Adoption.objects.visible_to(request.user)
    form = AdoptionFilterForm(
        request.GET,
        bodies=Body.objects.filter(pk__in=visible.values("body_id")).order_by("name"),
        solutions=Solution.objects.filter(pk__in=visible.values("solution_id")).order_by("name"),
    )
    filters = form.filters()
    adoptions = (
        visible.filter(**filters)
        .select_related("solution", "body", "owner_body")
        .order_by("-status_changed_at", "-pk")
    )
    paginator = Paginator(adoptions, ADOPTIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "is_filtered": bool(filters),
        "oversees": people.sees_everything(request.user),
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": query.urlencode(),
    }
    return render(request, "catalog/adoptions/adoption_list.html", context)


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """"Da fare": what waits for this person, section by section, oldest first; CST staff see every pending step."""
    user = request.user
    visible = Adoption.objects.visible_to(user)
    inbox_sections = [(action, section) for action in INBOX_ACTIONS if (section := ACTIONS[action].inbox)]
    awaiting = {section.key: permissions.adoptions_awaiting(user, action) for action, section in inbox_sections}
    # One aggregate for every count.
    counts = visible.aggregate(**{key: Count("pk", filter=q) for key, q in awaiting.items()})
    sections = []
    for action, section in inbox_sections:
        key = section.key
        count = counts[key] or 0
        items = (
            list(
                visible.filter(awaiting[key])
                .select_related("solution", "body", "owner_body")
                .order_by("status_changed_at", "pk")[:INBOX_ITEMS_PER_SECTION]
            )
            if count
            else []
        )
        sections.append({
            "key": key,
            "title": section.title,
            "description": section.description,
            "count": count,
            "items": items,
            "more": count > len(items),
            "status": transition_for(action).sources[0],
        })
    reviews = None
    if permissions.can_review_solution(user):  # CST staff: the publication review is part of their day too
        queue = Solution.objects.review_queue()
        reviews = {"count": queue.count(), "items": list(queue[:INBOX_ITEMS_PER_SECTION])}
    context = {
        "sections": sections,
        "reviews": reviews,
        "total": sum(s["count"] for s in sections) + (reviews["count"] if reviews else 0),
        "oversees": people.sees_everything(user),
    }
    return render(request, "catalog/adoptions/inbox.html", context)


# --- one adoption ---------------------------------------------------------------------------------------------


@require_GET
@login_required
def adoption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_adoption_for(request.user, pk)
    return _render_detail(request, adoption)


# The forms of the adoption page post to addresses of their own, and a form sent back with errors is shown at that
# address. It stays in the address bar, so it must answer GET too (a reload, a language switch, the login after an
# expired session): with the adoption page and that form open, or the page itself when the form is not offered.


@require_http_methods(["GET", "POST"])
@login_required
def adoption_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One workflow action from the adoption page. Refusals come back as messages, never as error pages."""
    if action not in ADOPTION_ACTIONS:
        raise Http404("action")
    adoption = get_adoption_for(request.user, pk)
    action = Action(action)
    if request.method == "GET":
        if action not in permissions.allowed_actions(request.user, adoption):
            return redirect(adoption)
        return _render_detail(request, adoption, open_form=action)
    if action == Action.GO_LIVE:
        form = GoLiveForm(request.POST, solution=adoption.solution)
    else:
        form = ActionForm(request.POST, action=action)
    seen = request.POST.get(f"{action}-seen_status", "")
    if seen and seen != adoption.status and seen in AdoptionStatus.values:
        # The page was out of date: someone moved the adoption since it was shown.
        messages.error(request, str(services.ALREADY_CHANGED))
        return redirect(adoption)
    if form.is_valid():
        note = form.cleaned_data["note"]
        fields = form.go_live_fields() if isinstance(form, GoLiveForm) else {}
    elif permissions.can_act_on_adoption(request.user, adoption, action):
        messages.error(request, _("Controlla i dati inseriti."))
        return _render_detail(request, adoption, bound={action: form})
    else:
        note, fields = "", {}  # the service refuses before looking at the data, and says why
    # The rules of go_live are the service's: its refusals go back on the form, field by field.
    with service_errors_as_messages(request, form=form) as outcome:
        services.transition_adoption(adoption, action=action, by=request.user, note=note, **fields)
        messages.success(request, str(ACTIONS[action].success))
    if isinstance(form, GoLiveForm) and outcome.error is not None and outcome.error.errors:
        return _render_detail(request, adoption, bound={action: form})
    return redirect(adoption)


@require_http_methods(["GET", "POST"])
@login_required
def adoption_comment(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_adoption_for(request.user, pk)
    if request.method == "GET":
        if not permissions.can_comment_on_adoption(request.user, adoption):
            return redirect(adoption)
        return _render_detail(request, adoption, open_form="comment")
    form = CommentForm(request.POST)
    if not form.is_valid() and permissions.can_comment_on_adoption(request.user, adoption):
        messages.error(request, _("Scrivi il testo del commento."))
        return _render_detail(request, adoption, bound={"comment": form})
    with service_errors_as_messages(request):
        services.comment_on_adoption(adoption, by=request.user, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("Commento aggiunto."))
    return redirect(f"{adoption.get_absolute_url()}#cronologia")


@require_http_methods(["GET", "POST"])
@login_required
def adoption_story(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_adoption_for(request.user, pk)
    if request.method == "GET":
        if not permissions.can_write_story(request.user, adoption):
            return redirect(adoption)
        return _render_detail(request, adoption, open_form="story")
    form = ReuseStoryForm(request.POST)
    if not form.is_valid() and permissions.can_write_story(request.user, adoption):
        messages.error(request, _("Controlla i dati inseriti."))
        return _render_detail(request, adoption, bound={"story": form})
    data = form.cleaned_data
    with service_errors_as_messages(request):
        services.save_reuse_story(
            adoption, by=request.user, outcome=data.get("outcome", ""), lessons=data.get("lessons", ""),
            savings_note=data.get("savings_note", ""),
        )
        messages.success(request, _("Storia di riuso pubblicata sulla pagina della soluzione."))
    return redirect(f"{adoption.get_absolute_url()}#storia")


@require_http_methods(["GET", "POST"])
@login_required
def adoption_request(request: HttpRequest, slug: str) -> HttpResponse:
    """"Richiedi l'adozione" from a solution page. A duplicate (even a simultaneous one) is a message, not a 500."""
    solution = get_solution_for(request.user, slug)
    if request.method == "GET":  # the form lives on the solution page
        return redirect(f"{solution.get_absolute_url()}#richiedi")
    form = RequestAdoptionForm.for_solution(request.user, solution, data=request.POST)
    if not form.is_valid():
        messages.error(request, _("Scegli un ente per cui puoi richiedere l'adozione di questa soluzione."))
        return redirect(solution)
    with service_errors_as_messages(request) as outcome:
        adoption = services.request_adoption(
            solution=solution, body=form.cleaned_data["body"], by=request.user, note=form.cleaned_data["note"]
        )
    if not outcome.ok:
        return redirect(solution)
    messages.success(
        request, _("Richiesta inviata: %(owner)s la esaminerà.") % {"owner": solution.owner.name}
    )
    return redirect(adoption)


# --- rendering ------------------------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest, adoption: Adoption, *, bound: dict[str, Any] | None = None, open_form: str = ""
) -> HttpResponse:
    """The adoption page; `bound` carries a submitted form to show again with its errors, `open_form` names the form
    to show open when the page is reached at that form's own address."""
    user = request.user
    bound = bound or {}
    actions = []
    allowed = permissions.allowed_actions(user, adoption)
    # The form sent back with errors (or asked for) is open; otherwise the first action that destroys nothing (reject,
    # withdraw and retire stay closed until asked for).
    expanded = next((a for a in allowed if a in bound or a == open_form),
                    next((a for a in allowed if not ACTIONS[a].confirm), None))
    for action in allowed:
        form = bound.get(action)
        if form is None:
            initial = {"seen_status": adoption.status}
            if action == Action.GO_LIVE:
                form = GoLiveForm(initial=initial, solution=adoption.solution)
            else:
                form = ActionForm(action=action, initial=initial)
        shown = ACTIONS[action]
        actions.append({
            "action": action,
            "label": action.label,
            "help": shown.help,
            "expanded": action == expanded,
            "form": form,
            "note_required": transition_for(action).note_required,
            "confirm": shown.confirm,
            "button_class": shown.button_class,
            "is_go_live": action == Action.GO_LIVE,
        })
    story = ReuseStory.objects.filter(adoption=adoption).first()
    story_form = None
    if permissions.can_write_story(user, adoption):
        story_form = bound.get("story") or ReuseStoryForm(instance=story)
    comment_form = None
    if permissions.can_comment_on_adoption(user, adoption):
        comment_form = bound.get("comment") or CommentForm()
    events = AdoptionEvent.objects.filter(adoption=adoption).select_related("actor").order_by("sequence")
    context = {
        "adoption": adoption,
        "steps": stepper(adoption),
        "events": events,
        "actions": actions,
        "comment_form": comment_form,
        "story": story,
        "story_form": story_form,
        "story_form_open": story is None or "story" in bound or open_form == "story",
        "roles": permissions.actor_roles(user, adoption),
    }
    return render(request, "catalog/adoptions/adoption_detail.html", context)


def stepper(adoption: Adoption) -> list[dict[str, Any]]:
    """The main path requested → approved → in progress → in production, each step done, current or to come."""
    status = adoption.status
    reached = {
        AdoptionStatus.REQUESTED: 0,
        AdoptionStatus.INFO_NEEDED: 0,
        AdoptionStatus.REJECTED: 0,
        AdoptionStatus.APPROVED: 1,
        AdoptionStatus.IN_PROGRESS: 2,
        AdoptionStatus.IN_PRODUCTION: 3,
        AdoptionStatus.RETIRED: 3,
    }.get(status)
    if reached is None:  # withdrawn: as far as it got before
        reached = 2 if adoption.started_at else 1 if adoption.decided_at else 0
    ongoing = status in (AdoptionStatus.REQUESTED, AdoptionStatus.INFO_NEEDED, AdoptionStatus.APPROVED,
                         AdoptionStatus.IN_PROGRESS)
    dates = [adoption.requested_at, adoption.decided_at, adoption.started_at, adoption.in_production_at]
    steps = []
    for index, value in enumerate(STEPS):
        if index < reached or (index == reached and not ongoing):
            state = "confirmed"
        elif index == reached:
            state = "active"
        else:
            state = ""
        steps.append({
            "label": AdoptionStatus(value).label,
            "state": state,
            "date": dates[index] if state == "confirmed" else None,
        })
    return steps
