"""The catalogue as the national Software Catalog API lists software, so that a peer portal or the national
catalogue can harvest this one.

The shapes follow Developers Italia's API (`italia/developers-italia-api`, its OpenAPI `developers-italia.oas.yaml`):
`GET /software` answers `{"data": [Software, ...], "links": {"prev": ..., "next": ...}}`, a Software is `id`, `url`,
`aliases`, `publiccodeYml`, `active`, `vitality`, `createdAt`, `updatedAt`; pages are walked with `page[size]`
(1 to 100, 25 by default), `page[after]` and `page[before]`, and the links are relative query strings such as
`?page[after]=<cursor>`, as that API writes them. A client written for the national catalogue reads this one.

Where this endpoint differs, and why:

- `id` is the solution's slug, the key every other part of this API uses, rather than a UUID: it never changes,
  and a peer only needs it to be stable within one catalogue.
- `from` is a changes-since filter: the software whose `updatedAt` is at or after it. The national API's `from`
  bounds the creation time, which cannot tell a peer what changed; "changed since" includes "created since".
- The order is `updatedAt`, then the solution, rather than the creation time: a solution that changes while a
  peer walks the pages moves behind the cursor and is read again in the same walk, so the largest `updatedAt` a
  walk has read is a safe `from` for the next one.
- `updatedAt` is the last change of what `publiccodeYml` says: the solution itself (its fields, categories, tags,
  publication and releases, which the services stamp on `updated_at`) and the bodies running it in production
  (`usedBy`: an adoption going live or leaving production).
- Errors have this API's shape (cstportal.api.handler): a `page[size]` or `from` that is not valid is a 400 on
  that parameter, a cursor this endpoint did not write a 404, as every cursor of this API.

- `vitality` is what the national catalogue puts there (its schema calls the field an opaque string; the Italian
  catalogue writes the daily scores, 0-100, comma-separated): the 60 daily scores of the vitality index
  (catalog.harvest.vitality) as the last harvest of the solution's repository computed them, oldest first; null for
  a solution not (or no longer) harvested from a repository. It moves every day, so it does not move `updatedAt`.

Only published solutions are listed, to everybody alike: the export is written without the people to contact,
as for a visitor who is not logged in. `vitality` is null until the harvest computes it; `aliases` are the former
addresses of the repository that the harvest kept (catalog.models.RepositoryAlias).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer, ValidationErrorEnum
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Adoption, Solution, VitalityDay
from catalog.publiccode.export import export_publiccode
from catalog.publiccode.mapping import portal_url
from cstportal.api.fields import SLUG_MAX_LENGTH, SLUG_PATTERN, parse_rfc3339

DEFAULT_PAGE_SIZE = 25  # as the national API
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 255
SIZE, AFTER, BEFORE, SINCE = "page[size]", "page[after]", "page[before]", "from"
INVALID_CURSOR = _("Cursore non valido.")

Position = tuple[dt.datetime, int]  # (updatedAt, solution pk): where a page starts or ends


# --- what is listed -------------------------------------------------------------------------------------------


def software_queryset() -> QuerySet[Solution]:
    """The published solutions with `changed_at`: the last change of their publiccode.yml (module docstring), and
    `vitality_scores`: the daily scores of the latest day of their vitality series.

    An adoption that ever reached production changed `usedBy` when it went live and, later, when it left; its
    `status_changed_at` is the latest of those moments."""
    usage = (
        Adoption.objects.filter(solution=OuterRef("pk"), in_production_at__isnull=False)
        .order_by("-status_changed_at")
        .values("status_changed_at")[:1]
    )
    changed_at = Greatest("updated_at", Coalesce(Subquery(usage), "updated_at"), output_field=DateTimeField())
    vitality = VitalityDay.objects.filter(solution=OuterRef("pk")).order_by("-day").values("scores")[:1]
    return (
        Solution.objects.published()
        .select_related("owner")
        .prefetch_related("categories", "aliases")
        .annotate(changed_at=changed_at, vitality_scores=Subquery(vitality))
    )


# --- shapes ---------------------------------------------------------------------------------------------------


class SoftwareSerializer(serializers.Serializer):
    """A solution as the national catalogue's Software. Expects the queryset of `software_queryset`."""

    # The field names are the national API's, camelCase included.

    id = serializers.CharField(
        source="slug", read_only=True,
        help_text=_("Identificativo stabile: lo slug della soluzione (come nell'indirizzo della sua pagina)."),
    )
    url = serializers.SerializerMethodField(
        help_text=_("Indirizzo del repository; per una soluzione senza repository, la sua pagina nel portale.")
    )
    aliases = serializers.SerializerMethodField(
        help_text=_("Altri indirizzi dello stesso repository (per esempio quelli precedenti a uno spostamento).")
    )
    publiccodeYml = serializers.SerializerMethodField(
        help_text=_("Il publiccode.yml della soluzione, come lo esporta il portale (senza i referenti).")
    )
    active = serializers.SerializerMethodField(help_text=_("Vero se la soluzione è pubblicata e non ritirata."))
    vitality = serializers.SerializerMethodField(
        help_text=_("Punteggi giornalieri (0-100) dell'indice di vitalità del repository negli ultimi 60 giorni, "
                    "separati da virgole, dal più vecchio, come li scrive il catalogo nazionale; null per una "
                    "soluzione non raccolta da un repository.")
    )
    createdAt = serializers.DateTimeField(
        source="created_at", read_only=True, default_timezone=dt.UTC,
        help_text=_("Quando la soluzione è stata inserita nel catalogo (RFC 3339)."),
    )
    updatedAt = serializers.DateTimeField(
        source="changed_at", read_only=True, default_timezone=dt.UTC,
        help_text=_("Ultima modifica del publiccode.yml: dati, rilasci o enti che la usano in produzione (RFC 3339)."),
    )

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_url(self, solution: Solution) -> str:
        return solution.repository_url or portal_url(solution.slug)

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "uri"}})
    def get_aliases(self, solution: Solution) -> list[str]:
        return [alias.url for alias in solution.aliases.all()]

    @extend_schema_field(OpenApiTypes.STR)
    def get_publiccodeYml(self, solution: Solution) -> str:
        return export_publiccode(solution)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_active(self, solution: Solution) -> bool:
        return solution.status == Solution.Status.PUBLISHED

    @extend_schema_field({"type": "string", "nullable": True})
    def get_vitality(self, solution: Solution) -> str | None:
        if solution.vitality is None:  # not (or no longer) harvested from a repository
            return None
        return getattr(solution, "vitality_scores", None) or None


class SoftwareLinksSerializer(serializers.Serializer):
    prev = serializers.CharField(
        read_only=True, allow_null=True,
        help_text=_("La pagina precedente, come query string da aggiungere all'indirizzo (null: non c'è)."),
    )
    next = serializers.CharField(
        read_only=True, allow_null=True,
        help_text=_("La pagina successiva, come query string da aggiungere all'indirizzo (null: non c'è)."),
    )


class SoftwareListSerializer(serializers.Serializer):
    data = SoftwareSerializer(many=True, read_only=True)
    links = SoftwareLinksSerializer(read_only=True)


# --- query parameters -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SoftwareQuery:
    size: int
    after: Position | None
    before: Position | None
    since: dt.datetime | None
    given: dict[str, str]  # page[size] and from as sent, carried into the links


def encode_cursor(position: Position) -> str:
    """An opaque cursor: the position in base64url (no padding, so that it travels unquoted in a query string)."""
    changed_at, pk = position
    raw = json.dumps([changed_at.astimezone(dt.UTC).isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> Position:
    """The position a cursor of `encode_cursor` holds. Anything else is a 404 "invalid cursor"."""
    try:
        if len(token) > MAX_CURSOR_LENGTH:
            raise ValueError
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
        when, pk = json.loads(raw)
        if not isinstance(when, str) or type(pk) is not int or not 0 < pk < 2**63:
            raise ValueError
        changed_at = dt.datetime.fromisoformat(when)
        if changed_at.tzinfo is None:
            raise ValueError
        return changed_at.astimezone(dt.UTC), pk
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise exceptions.NotFound(INVALID_CURSOR)


def parse_since(raw: str) -> dt.datetime:
    """An RFC 3339 date-time, in UTC (cstportal.api.fields.parse_rfc3339). Raises ValueError."""
    return parse_rfc3339(raw)


def parse_query(params: Any) -> SoftwareQuery:
    """The page and filter a request asks for. Raises ValidationError (400) on page[size] or from."""
    given: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    size = DEFAULT_PAGE_SIZE
    raw_size = params.get(SIZE)
    if raw_size is not None:
        given[SIZE] = raw_size
        if re.fullmatch(r"[0-9]{1,3}", raw_size) and 1 <= int(raw_size) <= MAX_PAGE_SIZE:
            size = int(raw_size)
        else:
            errors[SIZE] = [_("Indica un numero intero da 1 a %(max)s.") % {"max": MAX_PAGE_SIZE}]
    since = None
    raw_since = params.get(SINCE)
    if raw_since is not None:
        given[SINCE] = raw_since
        try:
            since = parse_since(raw_since)
        except ValueError:
            errors[SINCE] = [_("Indica data e ora come in RFC 3339, per esempio 2026-01-31T08:00:00Z.")]
    if errors:
        raise exceptions.ValidationError(errors, code="invalid")
    after = decode_cursor(params[AFTER]) if params.get(AFTER) else None
    before = decode_cursor(params[BEFORE]) if params.get(BEFORE) else None
    return SoftwareQuery(size=size, after=after, before=before, since=since, given=given)


# --- pages ----------------------------------------------------------------------------------------------------


def _link(direction: str, solution: Solution, query: SoftwareQuery) -> str:
    """`?page[after]=<cursor>` as the national API writes it, with the page size and filter of this request."""
    parts = {direction: encode_cursor((solution.changed_at, solution.pk)), **query.given}
    return "?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in parts.items())


def software_page(query: SoftwareQuery) -> tuple[list[Solution], dict[str, str | None]]:
    """One page of software and its links. Walking forward (no page[before]): `next` when more follow, `prev` when
    the page was reached through page[after]. Walking back: the reverse."""
    queryset = software_queryset()
    if query.since is not None:
        queryset = queryset.filter(changed_at__gte=query.since)
    if query.after is not None:
        at, pk = query.after
        queryset = queryset.filter(Q(changed_at__gt=at) | Q(changed_at=at, pk__gt=pk))
    if query.before is not None:
        at, pk = query.before
        queryset = queryset.filter(Q(changed_at__lt=at) | Q(changed_at=at, pk__lt=pk))
    backwards = query.before is not None
    ordering = ("-changed_at", "-pk") if backwards else ("changed_at", "pk")
    rows = list(queryset.order_by(*ordering)[: query.size + 1])
    more = len(rows) > query.size
    rows = rows[: query.size]
    if backwards:
        rows.reverse()
    if not rows:
        return rows, {"prev": None, "next": None}
    has_prev = more if backwards else query.after is not None
    has_next = True if backwards else more
    return rows, {
        "prev": _link(BEFORE, rows[0], query) if has_prev else None,
        "next": _link(AFTER, rows[-1], query) if has_next else None,
    }


# --- views ----------------------------------------------------------------------------------------------------


class SoftwareQueryErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Sempre «invalid»."))
    detail = serializers.CharField()
    attr = serializers.CharField(help_text=_("Il parametro non valido: page[size] o from."))


class SoftwareQueryErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
    errors = SoftwareQueryErrorSerializer(many=True)


# Written out here: drf-standardized-errors would name the components after the parameters, brackets included.
ERROR_400 = OpenApiResponse(SoftwareQueryErrorResponseSerializer, description=_("page[size] o from non validi."))
ERROR_404 = OpenApiResponse(ErrorResponse404Serializer, description=_("Cursore non valido."))


class SoftwareListView(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head"]

    @extend_schema(
        operation_id="software_list",
        summary=_("Software, come nel catalogo nazionale"),
        description=_(
            "Le soluzioni pubblicate nella forma dell'elenco «software» della Software Catalog API di Developers "
            "Italia, perché un altro portale o il catalogo nazionale possano raccoglierle. Paginazione a cursore "
            "con page[size], page[after] e page[before]; links.next e links.prev sono query string da aggiungere "
            "all'indirizzo. Con from, solo il software modificato da quel momento (updatedAt uguale o successivo), "
            "in ordine di updatedAt: il più grande updatedAt letto è un from sicuro per la raccolta seguente."
        ),
        parameters=[
            OpenApiParameter(
                SIZE, {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
                description=_("Numero di elementi per pagina (da 1 a 100, predefinito 25)."),
            ),
            OpenApiParameter(
                AFTER, {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
                description=_("Cursore: la pagina che segue, come ricevuto in links.next."),
            ),
            OpenApiParameter(
                BEFORE, {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
                description=_("Cursore: la pagina che precede, come ricevuto in links.prev."),
            ),
            OpenApiParameter(
                SINCE, {"type": "string", "format": "date-time"},
                description=_("Solo il software modificato da questo momento (RFC 3339, per esempio 2026-01-31T08:00:00Z)."),
            ),
        ],
        responses={200: SoftwareListSerializer, 400: ERROR_400, 404: ERROR_404},
    )
    def get(self, request) -> Response:
        query = parse_query(request.query_params)
        rows, links = software_page(query)
        return Response({"data": SoftwareSerializer(rows, many=True).data, "links": links})


class SoftwareDetailView(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head"]

    @extend_schema(
        operation_id="software_retrieve",
        summary=_("Un software, come nel catalogo nazionale"),
        description=_("Una soluzione pubblicata nella forma «Software» della Software Catalog API di Developers Italia."),
        parameters=[
            OpenApiParameter(
                "id", {"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX_LENGTH},
                OpenApiParameter.PATH,
                required=True,
                description=_("Identificativo del software: lo slug della soluzione."),
            ),
        ],
        responses={200: SoftwareSerializer},
    )
    def get(self, request, id: str) -> Response:  # the path parameter is named as in the national API
        solution = software_queryset().filter(slug=id).first()
        if solution is None:
            raise exceptions.NotFound(_("Nessun software con questo identificativo."))
        return Response(SoftwareSerializer(solution).data)
