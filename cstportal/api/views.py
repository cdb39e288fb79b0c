"""What every API view shares: the cursor ordering, ETag answers, the OpenAPI headers, the root and the JSON 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from municipalities import permissions as people

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_("ETag di una risposta precedente: se non è cambiato nulla la risposta è 304 senza corpo."),
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description=_("ETag debole della risposta, da rimandare in If-None-Match."),
)
NOT_MODIFIED = OpenApiResponse(description=_("Nulla è cambiato dall'ETag indicato in If-None-Match (corpo vuoto)."))
LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    description=_("Indirizzo della risorsa appena creata."),
)

def reads_changes(request) -> bool:
    """Whether the request lists changes (`updated_since` given): then the order is CHANGES_ORDERING."""
    return request.query_params.get("updated_since") is not None


# The order of a list read with updated_since: oldest change first, the id breaking ties. An item changed while a
# client pages moves behind its cursor and is read again, so the largest updated_at read is a safe next start.
CHANGES_ORDERING: tuple[tuple[str, ...], str] = (("updated_at", "pk"), "datetime")


class CursorOrderingMixin:
    """The order of a cursor-paginated list: `cursor_ordering` = (order_by fields, type of the position).

    Also: no OPTIONS (the OpenAPI schema describes the API), so that Allow lists only what answers.
    """

    http_method_names = ["get", "post", "head"]
    cursor_ordering: tuple[tuple[str, ...], str] = (("-pk",), "int")

    def get_cursor_ordering(self, request, queryset: QuerySet) -> tuple[tuple[str, ...], str]:
        return self.cursor_ordering


# What an answer that carries an ETag varies on: who asks (a token or a session) and the language.
ETAG_VARY = ("Authorization", "Cookie", "Accept-Language")


def conditional(response: Response, request, tag: str) -> Response:
    """Headers of an answer that carries an ETag: clients revalidate every time, and a cache keeps one copy per
    person (the content depends on who asks)."""
    return with_etag(response, tag, anonymous=not people.is_authenticated(request.user))


def with_etag(response, tag: str, *, anonymous: bool):
    """`conditional`'s headers for a caller known to be anonymous or not."""
    response["ETag"] = tag
    response["Cache-Control"] = "no-cache" if anonymous else "private, no-cache"
    patch_vary_headers(response, ETAG_VARY)
    return response


def not_modified(request, tag: str) -> Response:
    return conditional(Response(status=status.HTTP_304_NOT_MODIFIED), request, tag)


class ApiRootSerializer(serializers.Serializer):
    solutions = serializers.URLField(read_only=True, help_text=_("Le soluzioni del catalogo."))
    municipalities = serializers.URLField(read_only=True, help_text=_("Gli enti del CST."))
    adoptions = serializers.URLField(read_only=True, help_text=_("Le adozioni visibili a chi chiama."))
    stats_province = serializers.URLField(read_only=True, help_text=_("Le cifre provinciali."))
    notifications = serializers.URLField(read_only=True, help_text=_("Le notifiche di chi chiama."))
    releases = serializers.URLField(read_only=True, help_text=_("I rilasci delle soluzioni."))
    webhooks = serializers.URLField(read_only=True, help_text=_("I webhook di chi chiama."))
    publiccode_import = serializers.URLField(read_only=True, help_text=_("L'importazione di un publiccode.yml."))
    schema = serializers.URLField(read_only=True, help_text=_("Lo schema OpenAPI 3 di questa API."))
    docs = serializers.URLField(read_only=True, help_text=_("La documentazione interattiva."))



# What the root document links to: key -> URL name in the "api" namespace.
ROOT_LINKS: dict[str, str] = {
    "solutions": "api:solution-list",
    "municipalities": "api:municipality-list",
    "adoptions": "api:adoption-list",
    "stats_province": "api:stats-province",
    "notifications": "api:notification-list",
    "releases": "api:release-list",
    "webhooks": "api:webhook-list",
    "publiccode_import": "api:publiccode-import",
    "schema": "api:schema",
    "docs": "api:docs",
}


class ApiRootView(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head"]

    @extend_schema(
        summary=_("Indice dell'API"),
        description=_(
            "Gli indirizzi di ogni raccolta dell'API, dello schema OpenAPI e della documentazione. Alcune "
            "raccolte chiedono l'autenticazione."
        ),
        responses={200: ApiRootSerializer},
    )
    def get(self, request) -> Response:
        return Response({key: request.build_absolute_uri(reverse(name)) for key, name in ROOT_LINKS.items()})


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def not_found(request, *args: Any, **kwargs: Any) -> Response:
    raise exceptions.NotFound(_("Risorsa non trovata."))
