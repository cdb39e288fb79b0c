"""Serving the images stored by `cstportal.images` (logos and screenshots that came from third parties).

Only names that `images.storage_name` makes are served (images/<2 hex>/<64 hex>.<known extension>): the rest of
MEDIA_ROOT (reports, which have their own authorised download) is never reachable through this view. The response
is built so that even a file that escaped the SVG sanitiser could do nothing on the portal's origin:

- `Content-Type` from the extension, which `check_image` chose from the content; `X-Content-Type-Options: nosniff`
  so that no browser guesses another type;
- `Content-Security-Policy: sandbox; default-src 'none'; ...`: opened directly, the image is a document in an
  opaque origin (no cookies, no storage of the portal, no script) that may load nothing but its own data: pictures;
- the name is the content's SHA-256, so the answer never changes: cached for a year, `immutable`, with the digest
  as its ETag.

A front server (deploy/nginx) must hand /media/images/ to Django rather than serve MEDIA_ROOT itself, or these
headers are lost.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import condition, require_safe

from .images import CONTENT_TYPES, STORAGE_PREFIX

IMAGE_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def _etag(request: HttpRequest, shard: str, digest: str, extension: str) -> str:
    return digest


@require_safe
@condition(etag_func=_etag)
def image(request: HttpRequest, shard: str, digest: str, extension: str) -> FileResponse:
    if digest[:2] != shard or extension not in CONTENT_TYPES:
        raise Http404
    try:
        handle = default_storage.open(f"{STORAGE_PREFIX}/{shard}/{digest}.{extension}", "rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, content_type=CONTENT_TYPES[extension])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = IMAGE_POLICY  # set here, so django-csp leaves it as it is
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
