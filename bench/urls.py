"""The benchmark's URLconf: the portal's, plus the bare reference view and the plain DRF peer of the solution API
(bench/peer.py)."""

from django.urls import path

from cstportal.urls import handler403, handler404, handler500
from cstportal.urls import urlpatterns as portal_urlpatterns

from . import peer, views

urlpatterns = [
    path("_bench/bare/", views.bare, name="bench-bare"),
    path("_bench/drf/solutions/", peer.PeerSolutionList.as_view(), name="bench-peer-list"),
    path("_bench/drf/solutions/<slug:slug>/", peer.PeerSolutionDetail.as_view(), name="bench-peer-detail"),
    *portal_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
