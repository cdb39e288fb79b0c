"""The peer of the portal's solution API: what a typical Django team writes for the same list and detail.

Routed only by the benchmark's URLconf (bench/urls.py) at /_bench/drf/solutions/, it serves the same published
solutions with the same fields, the same filters and the same order as `/api/v1/solutions/`, under the same
middleware and the same DRF defaults (authentication, throttling, exception handler) as the portal's API, so that
the only difference the benchmark measures is the view, the query and the serializer:

- a `ModelSerializer` with a nested owner, slug fields for categories and tags, the current release read from a
  prefetched list, the bodies using it in production counted by a correlated subquery (the Django idiom for a
  count on a big related table: the first thing a team writes, `annotate(Count("adoptions", filter=...))`, groups
  the whole catalogue joined to its 1,000,000 adoptions before taking a page — 4.8 s a page, measured — and no
  team ships that);
- `select_related("owner")` and `prefetch_related` of categories, tags and releases: a fixed number of queries
  per page, whatever its size;
- django-filter's FilterSet for the filters, DRF's `CursorPagination` ordered by name (as the portal's default),
  `page_size` up to 100 — the cursors of the two lists are interchangeable.

No ETag, no cache, no full-text search: the plain thing the portal has to beat.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django_filters import rest_framework as filters
from rest_framework import generics, pagination, serializers

from catalog import permissions
from catalog.models import Adoption, Release, Solution
from catalog.vocabulary import SUPPORTS
from municipalities.models import Body


class OwnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["key", "istat_code", "ipa_code", "name"]


class PeerSolutionSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer(read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    supports = serializers.ListField(child=serializers.CharField(), read_only=True)
    current_release = serializers.SerializerMethodField()
    used_by_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Solution
        fields = [
            "slug", "name", "kind", "status", "owner", "categories", "tags",
            "short_description_it", "short_description_en", "development_status", "origin", "licence",
            "repository_url", "landing_url", "documentation_url", "supports", "current_release", "used_by_count",
            "vitality", "published_at", "updated_at",
        ]

    def get_current_release(self, solution: Solution) -> dict | None:
        releases = solution.releases.all()  # prefetched, newest first
        if not releases:
            return None
        return {"version": releases[0].version, "date": releases[0].date}


class PeerSolutionDetailSerializer(PeerSolutionSerializer):
    used_by = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()

    class Meta(PeerSolutionSerializer.Meta):
        fields = [
            *PeerSolutionSerializer.Meta.fields,
            "long_description_it", "long_description_en", "features_it", "features_en", "scope", "origin_other",
            "software_type", "maintenance_type", "maintenance_contractor", "maintenance_until", "platforms",
            "available_languages", "localisation_ready", "dependencies", "main_copyright_owner", "created_at",
            "used_by", "contacts",
        ]

    def get_used_by(self, solution: Solution) -> list[dict[str, str]]:
        request = self.context.get("request")
        return [
            {"key": a.body.key, "name": a.body.name,
             "url": request.build_absolute_uri(reverse("api:municipality-detail", kwargs={"key": a.body.key}))}
            for a in solution.in_production
        ]

    def get_contacts(self, solution: Solution) -> list | None:
        request = self.context.get("request")
        return solution.contacts if permissions.can_view_solution_contacts(request.user, solution) else None


class PeerSolutionFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Solution.Kind.choices)
    category = filters.CharFilter(field_name="categories__code")
    owner = filters.CharFilter(field_name="owner__istat_code")
    development_status = filters.ChoiceFilter(choices=Solution.DevelopmentStatus.choices)
    origin = filters.ChoiceFilter(choices=Solution.Origin.choices)
    tag = filters.CharFilter(field_name="tags__slug")
    supports = filters.MultipleChoiceFilter(choices=SUPPORTS, method="filter_supports")

    class Meta:
        model = Solution
        fields: list[str] = []

    def filter_supports(self, queryset, name, value):
        return queryset.filter(**{f"supports_{code}": True for code in value})


class PeerCursorPagination(pagination.CursorPagination):
    ordering = ("name", "id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def peer_queryset():
    in_production = (
        Adoption.objects.filter(solution=OuterRef("pk"), status="in_production")
        .order_by()
        .values("solution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Solution.objects.filter(status="published")
        .select_related("owner")
        .prefetch_related("categories", "tags", Prefetch("releases", queryset=Release.objects.order_by("-date", "-pk")))
        .annotate(used_by_count=Coalesce(Subquery(in_production), Value(0)))
    )


class PeerSolutionList(generics.ListAPIView):
    serializer_class = PeerSolutionSerializer
    pagination_class = PeerCursorPagination
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = PeerSolutionFilter

    def get_queryset(self):
        return peer_queryset()


class PeerSolutionDetail(generics.RetrieveAPIView):
    serializer_class = PeerSolutionDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        in_production = Adoption.objects.filter(status="in_production").select_related("body").order_by("body__name", "pk")
        return peer_queryset().prefetch_related(Prefetch("adoptions", queryset=in_production, to_attr="in_production"))
