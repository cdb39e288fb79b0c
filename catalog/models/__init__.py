"""The catalogue's models, one module per feature, under the app label `catalog`."""

from catalog.models.adoptions import Adoption, AdoptionEvent, ReuseStory
from catalog.models.harvest import CatalogSourceEntry, HarvestRun, RepositoryAlias, Source
from catalog.models.reports import Report
from catalog.models.solutions import Category, PublicationEvent, Release, Solution, Tag

__all__ = [
    "Adoption",
    "AdoptionEvent",
    "Category",
    "CatalogSourceEntry",
    "HarvestRun",
    "PublicationEvent",
    "Release",
    "RepositoryAlias",
    "Report",
    "ReuseStory",
    "Solution",
    "Source",
    "Tag",
]
