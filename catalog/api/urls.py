"""The catalogue's part of the REST API v1 (mounted at /api/v1/ in the namespace "api" by cstportal.api.urls)."""

from django.urls import path

from catalog.api import software, views, webhooks

solutions = views.SolutionViewSet
adoptions = views.AdoptionViewSet

urlpatterns = [
    path("solutions/", solutions.as_view({"get": "list"}), name="solution-list"),
    path("solutions/<slug:slug>/", solutions.as_view({"get": "retrieve", "patch": "partial_update"}), name="solution-detail"),
    path("solutions/<slug:slug>/releases/", solutions.as_view({"get": "releases"}), name="solution-releases"),
    path("solutions/<slug:slug>/publiccode.yml", solutions.as_view({"get": "publiccode"}), name="solution-publiccode"),
    path("releases/", views.ReleaseViewSet.as_view({"get": "list"}), name="release-list"),
    path("publiccode/import/", views.PubliccodeImportView.as_view(), name="publiccode-import"),
    path("adoptions/", adoptions.as_view({"get": "list", "post": "create"}), name="adoption-list"),
    path("adoptions/<int:pk>/", adoptions.as_view({"get": "retrieve"}), name="adoption-detail"),
    path("adoptions/<int:pk>/transition/", adoptions.as_view({"post": "transition"}), name="adoption-transition"),
    path("adoptions/<int:pk>/events/", adoptions.as_view({"get": "events"}), name="adoption-events"),
    path("webhooks/", webhooks.WebhookViewSet.as_view({"get": "list", "post": "create"}), name="webhook-list"),
    path(
        "webhooks/<int:pk>/",
        webhooks.WebhookViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="webhook-detail",
    ),
    path("webhooks/<int:pk>/enable/", webhooks.WebhookViewSet.as_view({"post": "enable"}), name="webhook-enable"),
    path(
        "webhooks/<int:pk>/deliveries/",
        webhooks.WebhookViewSet.as_view({"get": "deliveries"}),
        name="webhook-deliveries",
    ),
    path("stats/province/", views.ProvinceStatsView.as_view(), name="stats-province"),
    # The catalogue as the national Software Catalog API lists software (catalog/api/software.py).
    path("software/", software.SoftwareListView.as_view(), name="software-list"),
    path("software/<slug:id>/", software.SoftwareDetailView.as_view(), name="software-detail"),
]
