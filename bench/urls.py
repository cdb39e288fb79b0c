"""The benchmark's URLconf: the portal's, plus the bare reference view."""

from django.urls import path

from cstportal.urls import handler403, handler404, handler500
from cstportal.urls import urlpatterns as portal_urlpatterns

from . import views

urlpatterns = [path("_bench/bare/", views.bare, name="bench-bare"), *portal_urlpatterns]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
