"""The catalogue's models, one module per feature, under the app label `catalog`."""

from catalog.models.adoptions import Adoption, AdoptionEvent, ReuseStory
from catalog.models.harvest import CatalogSourceEntry, HarvestRun, RepositoryAlias, Source, VitalityDay
from catalog.models.reports import Report
from catalog.models.solutions import Category, PublicationEvent, Release, Solution, Tag
from catalog.models.webhooks import Webhook, WebhookDelivery, WebhookEvent

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
    "VitalityDay",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
]
