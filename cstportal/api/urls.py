"""URLs of the REST API v1, mounted at /api/v1/ in the namespace "api": each app serves its own part."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cstportal.api import schema, views  # noqa: F401 - schema registers the OpenAPI extensions

app_name = "api"

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("", include("catalog.api.urls")),
    path("", include("municipalities.api")),
    path("", include("cstportal.notifications.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ is a JSON 404 (the middleware also covers the rest of /api/).
    re_path(r"^.*$", views.not_found, name="not-found"),
]
