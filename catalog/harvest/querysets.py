"""Reads of the harvest that other features need."""

from __future__ import annotations

from catalog.models import CatalogSourceEntry, Solution, Source


def harvested_fields(solution: Solution) -> list[str]:
    """The solution's fields that its harvested publiccode.yml sets (and the owner, which the source decides):
    read-only in the solution's form while a source (active or paused) feeds it: a repository, a publiccode.yml
    address, or an active entry of a catalogue. One query."""
    fed = Source.objects.filter(solution=solution).exclude(status=Source.Status.REMOVED).order_by().values_list(
        "harvested_fields", flat=True
    )
    listed = (
        CatalogSourceEntry.objects.filter(solution=solution, active=True).exclude(source__status=Source.Status.REMOVED)
        .order_by().values_list("harvested_fields", flat=True)
    )
    fields = next((found for found in fed.union(listed, all=True) if found), None)
    return [*fields, "owner"] if fields else []
