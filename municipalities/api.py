"""The registry's REST API: the bodies, public to everyone (mounted under /api/v1/ by cstportal.api.urls)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny

from cstportal.api.fields import OptionalEmailField, OptionalURLField
from cstportal.api.filters import ChoiceFilter, TextFilter, UpdatedSinceFilter
from cstportal.api.pagination import CursorPage
from cstportal.api.views import CHANGES_ORDERING, CursorOrderingMixin, reads_changes
from municipalities.models import Body, SizeClass

Q_MAX_LENGTH = 200


class BodyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["key", "istat_code", "ipa_code", "name"]
        read_only_fields = fields


def _list_url(request: Any, name: str, **params: str) -> str:
    url = f"{reverse(name)}?{urlencode(params)}"
    return request.build_absolute_uri(url) if request is not None else url


class MunicipalitySerializer(serializers.ModelSerializer):
    website = OptionalURLField()
    email = OptionalEmailField()
    pec = OptionalEmailField()
    member_bodies = serializers.SlugRelatedField(
        slug_field="key", many=True, read_only=True,
        help_text=_("Per un'unione di comuni: i codici pubblici dei comuni aderenti."),
    )
    # The lists of the API where the body is named: by name in the API's one namespace, whichever app serves them.
    solutions = serializers.SerializerMethodField(
        help_text=_("Le soluzioni di cui l'ente è titolare: l'elenco delle soluzioni filtrato per titolare."))
    uses = serializers.SerializerMethodField(
        help_text=_("Le soluzioni che l'ente usa in produzione: l'elenco delle soluzioni filtrato per ente che "
                    "la usa."))

    class Meta:
        model = Body
        fields = [
            "key", "istat_code", "ipa_code", "belfiore_code", "name", "slug", "kind", "is_member", "uri", "population",
            "size_class", "member_since", "is_active", "ceased_on", "website", "email", "pec", "member_bodies",
            "solutions", "uses",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"key": {"help_text": _("Codice pubblico: ISTAT per i comuni, altrimenti IPA, altrimenti slug.")}}


    @extend_schema_field(OpenApiTypes.URI)
    def get_solutions(self, body: Body) -> str:
        return _list_url(self.context.get("request"), "api:solution-list", owner=body.key)

    @extend_schema_field(OpenApiTypes.URI)
    def get_uses(self, body: Body) -> str:
        return _list_url(self.context.get("request"), "api:solution-list", used_by=body.key)


class MunicipalityFilter(filters.FilterSet):
    kind = ChoiceFilter(choices=Body.Kind.choices, help_text=_("Tipo di ente."))
    is_member = ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_member",
        help_text=_("Vero per i soci del CST, falso per gli enti esterni."),
    )
    size_class = ChoiceFilter(choices=SizeClass.choices, help_text=_("Classe demografica."))
    q = TextFilter(method="filter_q", max_length=Q_MAX_LENGTH, help_text=_("Nome, codice ISTAT o codice IPA."))
    updated_since = UpdatedSinceFilter(
        help_text=_(
            "Solo gli enti modificati da questo istante (RFC 3339) in poi, in ordine di modifica (updated_at, poi "
            "id). Gli enti non si cancellano: un ente cessato compare con is_active falso e la data di cessazione."
        )
    )

    class Meta:
        model = Body
        fields: list[str] = []

    def filter_member(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_member=value == "true")

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(istat_code=value) | Q(ipa_code__iexact=value))


@extend_schema_view(
    list=extend_schema(
        summary=_("Elenco degli enti"),
        description=_("Comuni, Provincia e unioni del CST, e gli enti esterni titolari di soluzioni del catalogo."),
    ),
    retrieve=extend_schema(
        summary=_("Scheda di un ente"),
        description=_("Per codice pubblico (ISTAT per i comuni, altrimenti IPA in minuscolo, altrimenti slug)."),
    ),
)
class MunicipalityViewSet(
    CursorOrderingMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [AllowAny]
    serializer_class = MunicipalitySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MunicipalityFilter
    pagination_class = CursorPage
    lookup_field = "key"
    lookup_value_regex = r"[-A-Za-z0-9_]+"
    cursor_ordering = (("name", "pk"), "str")

    def get_queryset(self) -> QuerySet[Body]:
        return Body.objects.prefetch_related(  # the registry is public
            Prefetch("member_bodies", queryset=Body.objects.only("pk", "key"))
        )

    def get_cursor_ordering(self, request, queryset: QuerySet) -> tuple[tuple[str, ...], str]:
        if self.action == "list" and reads_changes(request):
            return CHANGES_ORDERING
        return self.cursor_ordering

    def get_object(self) -> Body:
        """By any of the body's codes (its key, its IPA code in any case, its slug), as the pages read them."""
        body = self.get_queryset().filter(pk__in=Body.objects.by_code(self.kwargs["key"]).values("pk")).first()
        if body is None:
            raise Http404
        return body


municipalities = MunicipalityViewSet
urlpatterns = [
    path("municipalities/", municipalities.as_view({"get": "list"}), name="municipality-list"),
    path("municipalities/<str:key>/", municipalities.as_view({"get": "retrieve"}), name="municipality-detail"),
]
