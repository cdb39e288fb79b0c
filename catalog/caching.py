"""The cached namespaces of the catalogue, and which changes make each one stale.

This is the one place that says so: cstportal.versioned_cache keeps the versions and connects the signals, the page
cache (cstportal.anon_cache) and the figures (catalog.dashboards.stats) only name their namespace.
"""

from __future__ import annotations

PAGES = "catalog"  # the catalogue's pages as cached for anonymous visitors (@cache_anonymous)
FIGURES = "catalog-figures"  # the dashboards', reports' and home page's figures (catalog.dashboards.stats)
# What the catalogue's facets count for anonymous visitors (catalog.solutions.search: the facet table): the published
# solutions, their categories, tags and owners. Adoptions do not change it.
FACETS = "catalog-facets"
# What a search's match table holds (catalog.solutions.matches): the published solutions, their categories, tags,
# releases, vitality and owners. Adoptions do not change it: the table reads their counts again on their own, when an
# ordering by them is asked after a change of PAGES.
MATCHES = "catalog-matches"


def bump_on_changes() -> None:
    """Connect the invalidation of the namespaces (CatalogConfig.ready)."""
    from catalog.models import (
        Adoption,
        AdoptionEvent,
        PublicationEvent,
        Release,
        ReuseStory,
        Solution,
        Tag,
        VitalityDay,
    )
    from cstportal.versioned_cache import bump_on_change
    from municipalities.models import Body

    # Status changes are compare-and-set UPDATEs without a save signal: the events they write are watched instead.
    bump_on_change(
        PAGES, Solution, Solution.categories.through, Solution.tags.through, Release, PublicationEvent,
        Adoption, AdoptionEvent, ReuseStory, Body, VitalityDay,
    )
    bump_on_change(FIGURES, Solution, Solution.categories.through, Release, Adoption, AdoptionEvent, Body)
    bump_on_change(FACETS, Solution, Solution.categories.through, Solution.tags.through, Tag, PublicationEvent, Body)
    bump_on_change(
        MATCHES, Solution, Solution.categories.through, Solution.tags.through, Tag, Release, PublicationEvent, Body,
        VitalityDay,
    )
