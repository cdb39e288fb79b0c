"""URLs of the REST API v1 (mounted at /api/v1/, namespace "api")."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import schema, views  # noqa: F401 - schema registers the OpenAPI extensions

app_name = "api"

solutions = views.SolutionViewSet
adoptions = views.AdoptionViewSet
municipalities = views.MunicipalityViewSet
notifications = views.NotificationViewSet

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("solutions/", solutions.as_view({"get": "list"}), name="solution-list"),
    path("solutions/<slug:slug>/", solutions.as_view({"get": "retrieve"}), name="solution-detail"),
    path("solutions/<slug:slug>/releases/", solutions.as_view({"get": "releases"}), name="solution-releases"),
    path("solutions/<slug:slug>/publiccode.yml", solutions.as_view({"get": "publiccode"}), name="solution-publiccode"),
    path("publiccode/import/", views.PubliccodeImportView.as_view(), name="publiccode-import"),
    path("municipalities/", municipalities.as_view({"get": "list"}), name="municipality-list"),
    path("municipalities/<str:istat_code>/", municipalities.as_view({"get": "retrieve"}), name="municipality-detail"),
    path("adoptions/", adoptions.as_view({"get": "list", "post": "create"}), name="adoption-list"),
    path("adoptions/<int:pk>/", adoptions.as_view({"get": "retrieve"}), name="adoption-detail"),
    path("adoptions/<int:pk>/transition/", adoptions.as_view({"post": "transition"}), name="adoption-transition"),
    path("adoptions/<int:pk>/events/", adoptions.as_view({"get": "events"}), name="adoption-events"),
    path("stats/province/", views.ProvinceStatsView.as_view(), name="stats-province"),
    path("notifications/", notifications.as_view({"get": "list"}), name="notification-list"),
    path("notifications/read-all/", notifications.as_view({"post": "read_all"}), name="notification-read-all"),
    path("notifications/<int:pk>/read/", notifications.as_view({"post": "read"}), name="notification-read"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ is a JSON 404 (the middleware also covers the rest of /api/).
    re_path(r"^.*$", views.not_found, name="not-found"),
]
