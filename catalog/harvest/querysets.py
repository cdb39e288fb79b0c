"""Reads of the harvest that other features need."""

from __future__ import annotations

from catalog.models import Solution, Source


def harvested_fields(solution: Solution) -> list[str]:
    """The solution's fields that its harvested publiccode.yml sets (and the owner, which the source decides):
    read-only in the solution's form while a source (active or paused) feeds it. One query."""
    fields = (
        Source.objects.filter(solution=solution).exclude(status=Source.Status.REMOVED)
        .values_list("harvested_fields", flat=True).first()
    )
    return [*fields, "owner"] if fields else []
