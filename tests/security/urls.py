"""The project's URLs plus views that fail on purpose (error-page tests) and cached test pages (page-cache tests)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from catalog.caching import PAGES
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


@cache_anonymous(PAGES)
def cached_page(request: HttpRequest):
    RENDERS.append(request.get_full_path())
    return static_page("pages/privacy.html")(request)


@cache_anonymous(PAGES)
def cached_form(request: HttpRequest):
    RENDERS.append(request.get_full_path())
    return HttpResponse(f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}"></form>')


urlpatterns = [
    path("_test/cached/", cached_page),
    path("_test/cached-form/", cached_form),
    path("_test/boom/", boom),
    path("api/v1/_test/boom/", boom),
    path("_test/forbidden/", forbidden),
    *project_urls.urlpatterns,
]

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
