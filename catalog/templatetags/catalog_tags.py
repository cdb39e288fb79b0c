"""Template helpers of the catalogue: Markdown rendering, status badges, the navigation entries by role."""

from __future__ import annotations

from typing import Any

import nh3
from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from markdown_it import MarkdownIt

from catalog import permissions
from catalog.models import Solution
from catalog.vocabulary import category_label as _category_label

register = template.Library()

# Raw HTML is never passed through (html=False) and the output is sanitised again: defence in depth.
_markdown = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
# On the solution page the description sits under the page's h1 and a section h2: its headings start at h3
# ("#" and "##" both become h3, "###" h4 and so on).
FIRST_HEADING_LEVEL = 3


def render_markdown(text: str) -> SafeString:
    """Markdown → sanitised HTML: no scripts, no event handlers, links only to http(s) and mailto."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(max(int(token.tag[1]) + 1, FIRST_HEADING_LEVEL), 6)
            token.tag = f"h{level}"
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
    )
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703 - sanitised by nh3 just above


@register.filter
def month_case(value: str) -> str:
    """A formatted date with the month as each language writes it: "15 gennaio 2026", "15 January 2026"."""
    return value.lower() if (get_language() or "it").startswith("it") else value


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


STATUS_BADGES = {
    Solution.Status.DRAFT: "bg-secondary",
    Solution.Status.IN_REVIEW: "bg-warning text-dark",
    Solution.Status.PUBLISHED: "bg-success",
    Solution.Status.RETIRED: "bg-dark",
}


@register.inclusion_tag("catalog/_status_badge.html")
def status_badge(solution: Solution) -> dict[str, Any]:
    return {"label": solution.get_status_display(), "css": STATUS_BADGES.get(solution.status, "bg-secondary"),
            "status": solution.status}


@register.filter
def category_label(code: str) -> str:
    return _category_label(code)


@register.filter
def dependency_name(item: Any) -> str:
    return str(item.get("name", "")) if isinstance(item, dict) else str(item)


@register.filter
def dependency_kind(item: Any) -> str:
    return str(item.get("kind", "open")) if isinstance(item, dict) else "open"


@register.inclusion_tag("catalog/_nav.html", takes_context=True)
def catalog_nav(context: template.Context) -> dict[str, Any]:
    """The navbar entries for publishers ("Le mie soluzioni", "Nuova soluzione", "Sorgenti") and CST staff
    ("Revisione", "Sorgenti")."""
    user = context.get("user")
    request = context.get("request")
    items = []
    if permissions.can_list_own_solutions(user):
        items.append(("catalog:solution-mine", "mine"))
    if permissions.can_create_solution(user):
        items.append(("catalog:solution-create", "create"))
    if permissions.can_review_solution(user):
        items.append(("catalog:review-queue", "review"))
    if permissions.can_register_source(user):
        items.append(("catalog:source-list", "sources"))
    path = getattr(request, "path", "")
    entries = []
    for name, key in items:
        url = reverse(name)
        # The sources' own pages (a source, registering one) are under the list's address.
        active = path.startswith(url) if key == "sources" else path == url
        entries.append({"url": url, "key": key, "active": active, "current": path == url})
    return {"entries": entries}
