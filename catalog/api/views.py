"""The REST API v1: thin views that fetch-and-authorise through catalog.permissions / catalog.access, validate with
the serializers, call one service and answer. Every list is cursor-paginated with a pinned number of queries."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import connection
from django.db.models import DateField, F, IntegerField, Max, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.db.models.query import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import permissions
from catalog.access import get_adoption_for, get_solution_for
from catalog.adoptions import services as adoption_services
from catalog.api import etag, filters, serializers
from catalog.api.solution_edit import SolutionPatchSerializer, patch_solution
from catalog.dashboards.stats import province_stats
from catalog.models import Adoption, AdoptionEvent, Release, Solution
from catalog.publiccode.export import export_publiccode
from catalog.publiccode.forms import ALLOWED_SUFFIXES
from catalog.publiccode.services import import_publiccode
from catalog.solutions.filters import ordering_for
from catalog.workflow import Action
from cstportal.api.pagination import CursorPage
from cstportal.api.responses import ERROR_409, ERROR_422, Unprocessable
from cstportal.api.views import (
    CHANGES_ORDERING,
    ETAG_HEADER,
    IF_NONE_MATCH,
    LOCATION_HEADER,
    NOT_MODIFIED,
    CursorOrderingMixin,
    conditional,
    not_modified,
    reads_changes,
)
from municipalities.models import Body

PUBLICCODE_RESPONSE_TYPE = "text/yaml"


def solutions_for_api(queryset: QuerySet[Solution]) -> QuerySet[Solution]:
    """What every solution item shows, without a query per row: the owner (join), the adoptions in production
    and the current release (subqueries)."""
    version, date = _current_release_subqueries()
    return (
        queryset.select_related("owner")
        .with_adoption_count()
        .annotate(current_release_version=version, current_release_date=date)
    )


@functools.cache
def _current_release_subqueries() -> tuple[Subquery, Subquery]:
    """The current release's version and date, made once per process: an annotation resolves a copy of its
    expression against each query, so the same two serve every request (building them was ≈ 0.2 ms a request)."""
    current = Release.objects.filter(solution=OuterRef("pk")).order_by("-date", "-pk")
    return Subquery(current.values("version")[:1]), Subquery(current.values("date")[:1])


# The columns a list item shows (serializers.SolutionSerializer) and the cursor reads: a page of full rows read and
# decoded every text, JSON document and search vector of the detail for nothing (a tenth of a miss's CPU in JSON
# alone). tests/api/test_query_counts.py pins the queries: a column missing here would be one query per item.
SOLUTION_LIST_COLUMNS = (
    "slug", "name", "kind", "status", "owner", "owner__key", "owner__istat_code", "owner__ipa_code", "owner__name",
    "short_description_it", "short_description_en", "development_status", "origin", "licence", "repository_url",
    "landing_url", "documentation_url", "supports_spid", "supports_cie", "supports_pagopa", "supports_anpr",
    "supports_io", "vitality", "published_at", "updated_at",
)
# What the detail never shows: the search vector and the publiccode.yml keys kept as they came.
SOLUTION_DETAIL_UNSHOWN = ("search_vector", "publiccode_extra")


def _codes_sql(count: int) -> str:
    """One query for the categories and the tags of `count` solutions: (0 for a category or 1 for a tag, the
    solution's id, the code or slug), in the order of their models (Category by code, Tag by name)."""
    qn = connection.ops.quote_name
    parts = []
    for kind, field, value, order in ((0, Solution.categories, "code", ("code", "id")),
                                      (1, Solution.tags, "slug", ("name", "id"))):
        through = field.through._meta
        related = field.field.related_model._meta
        source = through.get_field("solution").column
        target = through.get_field(field.field.m2m_reverse_field_name()).column
        placeholders = ", ".join(["%s"] * count)
        parts.append(
            f"SELECT {kind} AS kind, t.{qn(source)} AS solution_id, r.{qn(value)} AS code, "  # noqa: S608  # nosec B608 - names from the models, values as parameters
            f"r.{qn(order[0])} AS key1, r.{qn(order[1])} AS key2 "
            f"FROM {qn(through.db_table)} t INNER JOIN {qn(related.db_table)} r ON r.{qn(related.pk.column)} = "
            f"t.{qn(target)} WHERE t.{qn(source)} IN ({placeholders})"
        )
    return " UNION ALL ".join(parts) + " ORDER BY 1, 4, 5"


def attach_codes(solutions: list[Solution]) -> None:
    """Each solution's category codes and tag slugs as `api_categories` and `api_tags` (serializers.Codes), in the
    order of their models (Category by code, Tag by name): one flat query for the whole page, where
    prefetch_related would make a query for each relation, a model instance per row and a related manager per
    solution."""
    if not solutions:
        return
    ids = [solution.pk for solution in solutions]
    found: tuple[dict[int, serializers.Codes], dict[int, serializers.Codes]] = (
        {pk: serializers.Codes() for pk in ids}, {pk: serializers.Codes() for pk in ids})
    with connection.cursor() as cursor:
        cursor.execute(_codes_sql(len(ids)), ids * 2)
        for kind, solution_id, code, _key1, _key2 in cursor.fetchall():
            found[kind][solution_id].append(code)
    for solution in solutions:
        solution.api_categories = found[0][solution.pk]
        solution.api_tags = found[1][solution.pk]


# Stands for the solution's id in the used-by query compiled once (a value no row has).
_SOLUTION_MARK = -7_315_203


@functools.cache
def _used_by_sql(vendor: str) -> tuple[str, tuple, int]:
    """The used-by query, compiled by the ORM once per process and database backend: its SQL, its parameters and
    where the solution's id goes among them."""
    in_production = (Adoption.objects.in_production().filter(solution_id=_SOLUTION_MARK)
                     .order_by("body__name", "pk").values_list("body__key", "body__name"))
    sql, params = in_production.query.sql_with_params()
    return sql, tuple(params), list(params).index(_SOLUTION_MARK)


def attach_used_by(solution: Solution) -> None:
    """The key and name of the bodies that use the solution in production, by name, as `api_used_by` (the detail's
    `used_by`): one query, no model instance per adoption and body, its SQL compiled once (building and compiling
    the query was a fifth of a detail's Python time)."""
    sql, params, at = _used_by_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params[:at], solution.pk, *params[at + 1:]))
        solution.api_used_by = [tuple(row) for row in cursor.fetchall()]


def used_by_prefetch() -> Prefetch:
    """A solution's adoptions in production with their bodies, by body name, as `in_production` (the detail's
    `used_by`): one query."""
    in_production = Adoption.objects.in_production().select_related("body").order_by("body__name", "pk")
    return Prefetch("adoptions", queryset=in_production, to_attr="in_production")


# --- solutions ------------------------------------------------------------------------------------------------

# The ordering key of each `ordering` value: (order_by fields, type of the cursor position).
SOLUTION_CURSOR_ORDERINGS: dict[str, tuple[tuple[str, ...], str]] = {
    "name": (("name", "pk"), "str"),
    "-name": (("-name", "-pk"), "str"),
    "latest_release_date": (("release_key", "pk"), "date"),
    "-latest_release_date": (("-release_key", "-pk"), "date"),
    "used_by_count": (("adoption_count", "pk"), "int"),
    "-used_by_count": (("-adoption_count", "-pk"), "int"),
    "vitality": (("vitality_key", "pk"), "int"),
    "-vitality": (("-vitality_key", "-pk"), "int"),
    "relevance": (("-relevance_key", "name", "pk"), "int"),
}
# Solutions without releases sort as the oldest (a cursor position must never be NULL).
NO_RELEASE = dt.date(1, 1, 1)
# Solutions without a vitality index sort as the least vital, for the same reason.
NO_VITALITY = -1


@extend_schema_view(
    list=extend_schema(
        summary=_("Elenco delle soluzioni"),
        description=_(
            "Soluzioni visibili a chi chiama (per chi non è autenticato: solo quelle pubblicate), con filtri, "
            "ricerca a testo libero e ordinamento. Paginazione a cursore; ETag e 304 con If-None-Match. Con "
            "updated_since l'elenco è quello delle modifiche, dalla più vecchia: vi compaiono anche le soluzioni "
            "ritirate dopo la pubblicazione (stato retired), che un client sincronizzato deve togliere; il più "
            "grande updated_at letto è l'updated_since della sincronizzazione seguente."
        ),
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={200: serializers.SolutionSerializer(many=True), 304: NOT_MODIFIED},
    ),
    retrieve=extend_schema(
        summary=_("Scheda di una soluzione"),
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={200: serializers.SolutionDetailSerializer, 304: NOT_MODIFIED},
    ),
)
class SolutionViewSet(CursorOrderingMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = serializers.SolutionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ApiSolutionFilter
    pagination_class = CursorPage
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "patch", "head"]

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """The list and the detail answer an anonymous GET from the answer kept for its address before DRF's
        dispatch (authentication, negotiation, throttles, rendering), counting it with the throttles all the same;
        anything else (credentials, another method or Accept, no kept answer, no version) goes through DRF."""
        view = super().as_view(actions, **initkwargs)
        action = (actions or {}).get("get")
        if action not in ("list", "retrieve"):
            return view
        throttles = tuple(cls.throttle_classes)

        def etag_for(request, kwargs: dict[str, Any], version: str) -> str:
            if action == "list":
                return etag.list_etag(etag.ANONYMOUS, etag.canonical_query(request.GET), ("version", version))
            return etag.detail_etag(etag.ANONYMOUS, kwargs["slug"], version)

        @functools.wraps(view)
        def kept_or_dispatch(request, *args: Any, **kwargs: Any):
            kept = etag.answer_before_dispatch(request, kwargs, etag_for, throttles)
            return kept if kept is not None else view(request, *args, **kwargs)

        return kept_or_dispatch

    def get_queryset(self) -> QuerySet[Solution]:
        if self.action == "list" and reads_changes(self.request):
            return Solution.objects.changes_visible_to(self.request.user)
        return Solution.objects.visible_to(self.request.user)

    def perform_content_negotiation(self, request, force: bool = False):
        # publiccode.yml answers text/yaml whatever Accept says; its errors stay JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "publiccode")

    def get_cursor_ordering(self, request, queryset: QuerySet) -> tuple[tuple[str, ...], str]:
        if self.action != "list":
            return self.cursor_ordering
        if reads_changes(request):
            return CHANGES_ORDERING
        searching = "rank" in queryset.query.annotations
        return SOLUTION_CURSOR_ORDERINGS[ordering_for(request.query_params.get("ordering", ""), searching=searching)]

    def list(self, request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        # Every parameter is checked before a 304 can answer: a malformed page size is a 400 whatever the ETag.
        self.paginator.get_page_size(request)
        version = etag.catalogue_version(request)
        state = ("version", version) if version else etag.solution_list_fingerprint(queryset)
        tag = etag.list_etag(etag.user_scope(request.user), etag.canonical_query(request.query_params), state)
        if etag.matches(request, tag):
            return not_modified(request, tag)
        kept = etag.kept_answer(request, tag)
        if kept is not None:
            return conditional(kept, request, tag)
        queryset = solutions_for_api(queryset).only(*SOLUTION_LIST_COLUMNS).annotate(
            release_key=Coalesce("latest_release_date", Value(NO_RELEASE), output_field=DateField()),
            vitality_key=Coalesce("vitality", Value(NO_VITALITY), output_field=IntegerField()),
        )
        if "rank" in queryset.query.annotations:
            # An integer key: a float rank would not survive the round trip through the cursor exactly.
            queryset = queryset.annotate(relevance_key=Cast(F("rank") * Value(1_000_000), IntegerField()))
        page = self.paginate_queryset(queryset)
        attach_codes(page)
        data = serializers.SolutionSerializer(page, many=True, context=self.get_serializer_context()).data
        response = self.get_paginated_response(data)
        etag.keep_answer(request, tag, response, from_version=bool(version))
        return conditional(response, request, tag)

    def retrieve(self, request, *args: Any, slug: str, **kwargs: Any) -> Response:
        version = etag.catalogue_version(request)
        if version:
            # The version changes with anything the answer shows, visibility included, and the scope with the
            # person: a tag the client holds for this version is this answer, with no query to prove it.
            tag = etag.detail_etag(etag.user_scope(request.user), slug, version)
            if etag.matches(request, tag):
                return not_modified(request, tag)
            kept = etag.kept_answer(request, tag)
            if kept is not None:
                return conditional(kept, request, tag)
            solution = solutions_for_api(self.get_queryset()).defer(*SOLUTION_DETAIL_UNSHOWN).filter(slug=slug).first()
        else:
            # The last change of any of its adoptions: a body going live while another retires keeps the count.
            adoptions_changed = (Adoption.objects.filter(solution=OuterRef("pk")).order_by()
                                 .values("solution").annotate(at=Max("status_changed_at")).values("at"))
            solution = (solutions_for_api(self.get_queryset()).defer(*SOLUTION_DETAIL_UNSHOWN)
                        .annotate(adoptions_changed_at=Subquery(adoptions_changed)).filter(slug=slug).first())
        if solution is None:
            raise Http404
        if not version:
            tag = etag.make_etag(
                "solution", etag.user_scope(request.user), solution.pk, solution.updated_at,
                solution.adoption_count, solution.adoptions_changed_at, solution.current_release_version,
                solution.current_release_date, solution.vitality,
            )
            if etag.matches(request, tag):
                return not_modified(request, tag)
        attach_codes([solution])
        attach_used_by(solution)
        data = serializers.SolutionDetailSerializer(solution, context=self.get_serializer_context()).data
        response = Response(data)
        etag.keep_answer(request, tag, response, from_version=bool(version))
        return conditional(response, request, tag)

    @extend_schema(
        summary=_("Modifica di una soluzione"),
        description=_(
            "Cambia i campi inviati (testi e scelte della scheda), con le stesse regole del modulo del portale; gli "
            "altri restano come sono. Chi può modificare la soluzione: i pubblicatori del suo ente e lo staff del "
            "CST. 422 se un campo che viene dal publiccode.yml raccolto dal repository cambierebbe (si modifica nel "
            "repository): nulla viene salvato."
        ),
        request=SolutionPatchSerializer,
        responses={
            200: serializers.SolutionDetailSerializer,
            422: OpenApiResponse(ERROR_422.response, description=_(
                "Un campo che viene dal publiccode.yml raccolto dal repository cambierebbe: nulla è salvato.")),
        },
        filters=False,
    )
    def partial_update(self, request, *args: Any, slug: str, **kwargs: Any) -> Response:
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        solution = get_solution_for(request.user, slug, edit=True)
        incoming = SolutionPatchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        patch_solution(solution, by=request.user, changes=dict(incoming.validated_data))
        solution = solutions_for_api(self.get_queryset()).get(pk=solution.pk)
        prefetch_related_objects([solution], "categories", "tags", used_by_prefetch())
        return Response(serializers.SolutionDetailSerializer(solution, context=self.get_serializer_context()).data)

    @extend_schema(
        summary=_("Rilasci di una soluzione"),
        description=_("Dal più recente. Il primo è il rilascio corrente."),
        responses={200: serializers.ReleaseSerializer(many=True)},
        filters=False,
    )
    @action(detail=True)
    def releases(self, request, *args: Any, slug: str, **kwargs: Any) -> Response:
        solution = get_solution_for(request.user, slug)
        self.cursor_ordering = (("-date", "-pk"), "date")
        page = self.paginate_queryset(Release.objects.filter(solution=solution))
        return self.get_paginated_response(serializers.ReleaseSerializer(page, many=True).data)

    @extend_schema(
        summary=_("publiccode.yml di una soluzione"),
        description=_("La soluzione come documento publiccode.yml 0.7, senza chiavi deprecate. I referenti sono "
                      "inclusi per chi può vederli; per gli altri il contatto è l'ente titolare."),
        parameters=[
            OpenApiParameter("Content-Disposition", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
                             description=_("Allegato di nome <slug>-publiccode.yml.")),
        ],
        responses={(200, PUBLICCODE_RESPONSE_TYPE): OpenApiResponse(
            OpenApiTypes.STR, description=_("Il documento YAML publiccode.yml, in UTF-8.")
        )},
        filters=False,
    )
    @action(detail=True)
    def publiccode(self, request, *args: Any, slug: str, **kwargs: Any) -> HttpResponse:
        solution = get_solution_for(request.user, slug)
        text = export_publiccode(
            solution, include_contacts=permissions.can_view_solution_contacts(request.user, solution))
        response = HttpResponse(text, content_type=f"{PUBLICCODE_RESPONSE_TYPE}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{solution.slug}-publiccode.yml"'
        return response


# --- releases -------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=_("Elenco dei rilasci"),
        description=_(
            "I rilasci delle soluzioni visibili a chi chiama, dal più recente; con updated_since, quelli registrati "
            "da quell'istante, dal più vecchio. I rilasci di una soluzione ritirata escono dall'elenco con la "
            "soluzione: l'elenco delle soluzioni con updated_since la riporta con stato retired."
        ),
    ),
)
class ReleaseViewSet(CursorOrderingMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    serializer_class = serializers.ReleaseListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ReleaseFilter
    pagination_class = CursorPage
    cursor_ordering = (("-created_at", "-pk"), "datetime")

    def get_queryset(self) -> QuerySet[Release]:
        visible = Solution.objects.visible_to(self.request.user).values("pk")
        return Release.objects.filter(solution__in=visible).select_related("solution")

    def get_cursor_ordering(self, request, queryset: QuerySet) -> tuple[tuple[str, ...], str]:
        if reads_changes(request):
            return (("created_at", "pk"), "datetime")
        return self.cursor_ordering


# --- adoptions ------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=_("Elenco delle adozioni"),
        description=_("Solo quelle che chi chiama può vedere: del proprio ente o delle soluzioni del proprio ente."),
    ),
    retrieve=extend_schema(summary=_("Scheda di un'adozione")),
    create=extend_schema(
        summary=_("Richiesta di adozione"),
        description=_(
            "Chiede l'adozione di una soluzione pubblicata per conto di un ente di cui si è referenti ICT. "
            "403 se non si può chiedere per quell'ente; 404 se la soluzione o l'ente non esistono; 409 se l'ente "
            "ha già un'adozione attiva della soluzione."
        ),
        request=serializers.AdoptionCreateSerializer,
        parameters=[LOCATION_HEADER],
        responses={201: serializers.AdoptionSerializer, 409: ERROR_409},
    ),
)
@extend_validation_errors(["invalid"], field_name="non_field_errors", actions=["transition"])
class AdoptionViewSet(CursorOrderingMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.AdoptionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.AdoptionFilter
    pagination_class = CursorPage
    lookup_value_regex = r"[0-9]+"
    cursor_ordering = (("-requested_at", "-pk"), "datetime")

    def get_queryset(self) -> QuerySet[Adoption]:
        return Adoption.objects.visible_to(self.request.user).select_related("solution", "body", "owner_body")

    def get_cursor_ordering(self, request, queryset: QuerySet) -> tuple[tuple[str, ...], str]:
        if self.action == "list" and reads_changes(request):
            return CHANGES_ORDERING
        return self.cursor_ordering

    def retrieve(self, request, *args: Any, pk: str, **kwargs: Any) -> Response:
        adoption = get_adoption_for(request.user, int(pk))
        return Response(self.get_serializer(adoption).data)

    def create(self, request, *args: Any, **kwargs: Any) -> Response:
        incoming = serializers.AdoptionCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        solution = get_solution_for(request.user, data["solution"])
        body = Body.objects.by_code(data["municipality"]).first()
        if body is None:
            raise exceptions.NotFound(_("Nessun ente con il codice %(code)s.") % {"code": data["municipality"]})
        adoption = adoption_services.request_adoption(solution=solution, body=body, by=request.user, note=data["note"])
        adoption = self.get_queryset().get(pk=adoption.pk)
        location = request.build_absolute_uri(reverse("api:adoption-detail", kwargs={"pk": adoption.pk}))
        return Response(self.get_serializer(adoption).data, status=status.HTTP_201_CREATED,
                        headers={"Location": location})

    @extend_schema(
        summary=_("Passo del flusso di adozione"),
        description=_(
            "Esegue un'azione (approve, reject, ask_info, answer, start, go_live, retire, withdraw); il corpo "
            "richiesto dipende dall'azione: reject, ask_info e answer chiedono una nota, go_live la versione e la "
            "data di avvio in produzione (non nel futuro). 400 se i dati non sono validi; 403 se il proprio ruolo "
            "non consente l'azione; 409 se lo stato attuale dell'adozione non la consente (codice "
            "not_allowed_from_status, per esempio una seconda approvazione) o se un'altra persona ha appena "
            "cambiato lo stato (codice conflict)."
        ),
        request=PolymorphicProxySerializer(
            component_name="AdoptionTransition",
            serializers=serializers.TRANSITION_REQUESTS,
            resource_type_field_name="action",
        ),
        responses={200: serializers.AdoptionSerializer, 409: ERROR_409},
        filters=False,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args: Any, pk: str, **kwargs: Any) -> Response:
        adoption = get_adoption_for(request.user, int(pk))  # not visible: 404
        incoming = serializers.TransitionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        action = Action(data["action"])
        fields = {}
        if action == Action.GO_LIVE:
            fields = {name: data[name] for name in serializers.TransitionSerializer.GO_LIVE_FIELDS if name in data}
        adoption_services.transition_adoption(adoption, action=action, by=request.user, note=data["note"], **fields)
        return Response(self.get_serializer(adoption).data)

    @extend_schema(
        summary=_("Cronologia di un'adozione"),
        responses={200: serializers.AdoptionEventSerializer(many=True)},
        filters=False,
    )
    @action(detail=True)
    def events(self, request, *args: Any, pk: str, **kwargs: Any) -> Response:
        adoption = get_adoption_for(request.user, int(pk))
        self.cursor_ordering = (("sequence", "pk"), "int")
        page = self.paginate_queryset(AdoptionEvent.objects.filter(adoption=adoption).select_related("actor"))
        return self.get_paginated_response(serializers.AdoptionEventSerializer(page, many=True).data)


# --- statistics -----------------------------------------------------------------------------------------------


@extend_validation_errors(["invalid"], field_name="date_from", methods=["get"])
@extend_validation_errors(["invalid"], field_name="date_to", methods=["get"])
@extend_validation_errors(["invalid_choice"], field_name="kind", methods=["get"])
class ProvinceStatsView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "head"]

    @extend_schema(
        summary=_("Cifre provinciali"),
        description=_("Le cifre del cruscotto provinciale. Per lo staff del CST e gli analisti provinciali."),
        parameters=[serializers.StatsQuerySerializer],
        responses={200: serializers.ProvinceStatsSerializer},
    )
    def get(self, request) -> Response:
        if not permissions.can_view_province_dashboard(request.user):
            raise exceptions.PermissionDenied(_("Le cifre provinciali sono per lo staff del CST e gli analisti."))
        query = serializers.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = province_stats(**query.validated_data)
        answer = {**figures, "computed_at": figures.computed_at, "stale": figures.stale}
        return Response(serializers.ProvinceStatsSerializer(answer).data)


# --- publiccode.yml import ------------------------------------------------------------------------------------


class PubliccodeImportView(APIView):
    permission_classes = [IsAuthenticated]
    http_method_names = ["post"]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary=_("Importazione di un publiccode.yml"),
        description=_(
            "Per le redazioni: crea una soluzione, inviata in revisione (o aggiorna quella con lo stesso repository) dal file "
            "publiccode.yml, inviato come parte «file» (nome .yml o .yaml) di un modulo multipart/form-data, con le "
            "stesse verifiche dell'interfaccia web. 400 se il caricamento non è valido (file mancante o oltre 1 MB, "
            "codice dell'ente malformato); 403 se non si pubblica per l'ente indicato; 404 se l'ente non esiste; "
            "422 se il nome del file non ha estensione .yml o .yaml (attr file) o se il contenuto non è un "
            "publiccode.yml valido (un errore per campo, con attr uguale al percorso nel file). 201 con Location se "
            "la soluzione è nuova, 200 se è aggiornata o è una verifica."
        ),
        request=serializers.PubliccodeImportSerializer,
        parameters=[LOCATION_HEADER],
        responses={
            201: serializers.PubliccodeImportResultSerializer,
            200: serializers.PubliccodeImportResultSerializer,
            422: ERROR_422,
        },
    )
    def post(self, request) -> Response:
        if not permissions.can_create_solution(request.user):
            raise exceptions.PermissionDenied(_("Solo le redazioni degli enti possono importare un publiccode.yml."))
        incoming = serializers.PubliccodeImportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        owner = None
        if data.get("owner"):
            owner = Body.objects.by_code(data["owner"]).filter(is_active=True).first()
            if owner is None:
                raise exceptions.NotFound(_("Nessun ente attivo con il codice %(code)s.") % {"code": data["owner"]})
            if not permissions.can_create_solution(request.user, owner):
                raise exceptions.PermissionDenied(
                    _("Non pubblichi soluzioni per conto di %(body)s.") % {"body": owner.name}
                )
        if data.get("file") is None:
            raise Unprocessable({"file": [_("Il file publiccode.yml è vuoto o non è stato inviato.")]})
        # The same extension rule as the web page's upload. A file name has no place in the OpenAPI schema, so
        # this is told like the file's content: a 422 on the file.
        if not data["file"].name.lower().endswith(ALLOWED_SUFFIXES):
            raise Unprocessable({"file": [_("Il file deve avere estensione .yml o .yaml.")]})
        result = import_publiccode(data["file"].read(), by=request.user, owner=owner, dry_run=data["dry_run"])
        if not result.ok:
            raise Unprocessable(_errors_by_path(result.errors))
        solution = None
        if result.solution is not None and not result.dry_run:
            solution = solutions_for_api(Solution.objects.filter(pk=result.solution.pk)).prefetch_related(
                "categories", "tags", used_by_prefetch()).first()
        body = {
            "created": result.created,
            "dry_run": result.dry_run,
            "solution": serializers.SolutionDetailSerializer(solution, context={"request": request}).data
            if solution is not None else None,
        }
        if result.created and solution is not None:
            location = request.build_absolute_uri(reverse("api:solution-detail", kwargs={"slug": solution.slug}))
            return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
        return Response(body, status=status.HTTP_200_OK)


def _errors_by_path(errors) -> dict[str, list[str]]:
    """One entry per path in the file (the whole file when the path is empty), messages in file order."""
    by_path: dict[str, list[str]] = {}
    for error in errors:
        by_path.setdefault(error.path or "file", []).append(error.message)
    return by_path
