"""The registry's REST API: the bodies, public to everyone (mounted under /api/v1/ by cstportal.api.urls)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny

from cstportal.api.fields import OptionalEmailField, OptionalURLField
from cstportal.api.filters import ChoiceFilter, TextFilter
from cstportal.api.pagination import CursorPage
from cstportal.api.views import CursorOrderingMixin
from municipalities.models import Body, SizeClass

Q_MAX_LENGTH = 200


class BodyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["istat_code", "ipa_code", "name"]
        read_only_fields = fields


class MunicipalitySerializer(serializers.ModelSerializer):
    website = OptionalURLField()
    email = OptionalEmailField()
    pec = OptionalEmailField()

    class Meta:
        model = Body
        fields = [
            "istat_code", "ipa_code", "belfiore_code", "name", "slug", "kind", "population", "size_class",
            "member_since", "is_active", "ceased_on", "website", "email", "pec",
        ]
        read_only_fields = fields


class MunicipalityFilter(filters.FilterSet):
    kind = ChoiceFilter(choices=Body.Kind.choices, help_text=_("Tipo di ente."))
    size_class = ChoiceFilter(choices=SizeClass.choices, help_text=_("Classe demografica."))
    q = TextFilter(method="filter_q", max_length=Q_MAX_LENGTH, help_text=_("Nome, codice ISTAT o codice IPA."))

    class Meta:
        model = Body
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(istat_code=value) | Q(ipa_code__iexact=value))


@extend_schema_view(
    list=extend_schema(summary=_("Elenco degli enti"), description=_("Comuni, Provincia e unioni del CST.")),
    retrieve=extend_schema(summary=_("Scheda di un ente"), description=_("Per codice ISTAT.")),
)
class MunicipalityViewSet(
    CursorOrderingMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [AllowAny]
    serializer_class = MunicipalitySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MunicipalityFilter
    pagination_class = CursorPage
    lookup_field = "istat_code"
    lookup_value_regex = r"[0-9]{6}"
    cursor_ordering = (("name", "pk"), "str")

    def get_queryset(self) -> QuerySet[Body]:
        return Body.objects.all()  # the registry is public


municipalities = MunicipalityViewSet
urlpatterns = [
    path("municipalities/", municipalities.as_view({"get": "list"}), name="municipality-list"),
    path("municipalities/<str:istat_code>/", municipalities.as_view({"get": "retrieve"}), name="municipality-detail"),
]
