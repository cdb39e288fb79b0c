"""The project's URLs plus three views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import path

from cstportal import urls as project_urls
from cstportal.anon_cache import cache_anonymous
from cstportal.views import static_page


class LeakyError(RuntimeError):
    pass


def boom(request: HttpRequest):
    from django.conf import settings

    raise LeakyError(f"SELECT password FROM municipalities_user; key={settings.SECRET_KEY}")


def forbidden(request: HttpRequest):
    raise PermissionDenied("riservato: dettagli interni")


RENDERS: list[str] = []  # one entry per real rendering of the cached page


@cache_anonymous("catalog")
def cached_page(request: HttpRequest):
    RENDERS.append(request.get_full_path())
    return static_page("pages/privacy.html")(request)


urlpatterns = [
    path("_test/cached/", cached_page),
    path("_test/boom/", boom),
    path("api/v1/_test/boom/", boom),
    path("_test/forbidden/", forbidden),
    *project_urls.urlpatterns,
]

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
