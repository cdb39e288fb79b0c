"""Shapes of the API: read serializers (every field read-only) and strict input serializers.

Input fields are strict about JSON types (a number is not a string and a string is not a number), so that what the
OpenAPI schema calls invalid is refused, and what it calls valid is accepted.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.models import Body

from .. import permissions
from ..models import Adoption, AdoptionEvent, Release, Solution
from ..workflow import ADOPTION_ACTIONS, Action

# --- strict input fields --------------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A JSON string only (DRF's CharField would also take 12 or 1.5 and turn them into text)."""

    default_error_messages = {"invalid": _("Serve una stringa di testo.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    default_error_messages = {"invalid_choice": _("«{input}» non è una scelta valida.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictDecimalField(serializers.DecimalField):
    """A decimal number written as a JSON string ("1250.00"), as the schema says."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(data)


# --- read fields ----------------------------------------------------------------------------------------------


class BlankAsNullMixin:
    """An empty text column is "not given": JSON null, so that a URL, an e-mail or a choice is always valid for
    its format when present."""

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)


class OptionalURLField(BlankAsNullMixin, serializers.URLField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)


class OptionalEmailField(BlankAsNullMixin, serializers.EmailField):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)


class OptionalChoiceField(BlankAsNullMixin, serializers.ChoiceField):
    def __init__(self, choices, **kwargs):
        super().__init__(choices, read_only=True, allow_null=True, **kwargs)


# --- references -----------------------------------------------------------------------------------------------


class BodyRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["istat_code", "ipa_code", "name"]
        read_only_fields = fields


class SolutionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Solution
        fields = ["slug", "name", "kind"]
        read_only_fields = fields


class CurrentReleaseSerializer(serializers.Serializer):
    version = serializers.CharField(read_only=True)
    date = serializers.DateField(read_only=True)


# --- bodies ---------------------------------------------------------------------------------------------------


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


# --- solutions ------------------------------------------------------------------------------------------------


class SolutionSerializer(serializers.ModelSerializer):
    """A solution in a list. Expects the queryset of `catalog.api.views.solutions_for_api`."""

    owner = BodyRefSerializer(read_only=True)
    categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    supports = serializers.ListField(child=serializers.CharField(), read_only=True)
    current_release = serializers.SerializerMethodField()
    repository_url = OptionalURLField()
    landing_url = OptionalURLField()
    documentation_url = OptionalURLField()
    used_by_count = serializers.IntegerField(
        source="adoption_count", read_only=True, help_text=_("Enti che la usano in produzione (adozioni verificate).")
    )

    class Meta:
        model = Solution
        fields = [
            "slug", "name", "kind", "status", "owner", "categories", "tags",
            "short_description_it", "short_description_en", "development_status", "origin", "licence",
            "repository_url", "landing_url", "documentation_url", "supports", "current_release", "used_by_count",
            "published_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CurrentReleaseSerializer(allow_null=True))
    def get_current_release(self, solution: Solution) -> dict | None:
        version = getattr(solution, "current_release_version", None)
        if version is None:
            return None
        return {"version": version, "date": solution.current_release_date}


class SolutionDetailSerializer(SolutionSerializer):
    contacts = serializers.SerializerMethodField(
        help_text=_("Referenti: solo per le persone degli enti del CST (altrimenti null).")
    )

    class Meta(SolutionSerializer.Meta):
        fields = [
            *SolutionSerializer.Meta.fields,
            "long_description_it", "long_description_en", "features_it", "features_en", "scope", "origin_other",
            "software_type", "maintenance_type", "maintenance_contractor", "maintenance_until", "platforms",
            "available_languages", "localisation_ready", "dependencies", "main_copyright_owner", "created_at",
            "contacts",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "array", "items": {"type": "object", "additionalProperties": True}, "nullable": True}
    )
    def get_contacts(self, solution: Solution) -> list | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return solution.contacts if permissions.can_view_solution_contacts(user, solution) else None


class ReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["version", "date", "notes"]
        read_only_fields = fields


# --- adoptions ------------------------------------------------------------------------------------------------


class AdoptionSerializer(serializers.ModelSerializer):
    solution = SolutionRefSerializer(read_only=True)
    municipality = BodyRefSerializer(source="body", read_only=True, help_text=_("Ente adottante."))
    owner = BodyRefSerializer(source="owner_body", read_only=True, help_text=_("Ente titolare della soluzione."))
    environment = OptionalChoiceField(Adoption.Environment.choices)
    savings = serializers.DecimalField(max_digits=13, decimal_places=2, read_only=True, allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("Le azioni che chi chiama può compiere ora su questa adozione.")
    )

    class Meta:
        model = Adoption
        fields = [
            "id", "solution", "municipality", "owner", "status", "requested_at", "decided_at", "started_at",
            "in_production_at", "closed_at", "status_changed_at", "adopted_version", "environment", "go_live_date",
            "agreement_reference", "estimated_cost", "actual_cost", "effort_days", "savings", "allowed_actions",
            "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Action.choices)))
    def get_allowed_actions(self, adoption: Adoption) -> list[str]:
        request = self.context.get("request")
        return [str(a.value) for a in permissions.allowed_actions(getattr(request, "user", None), adoption)]


class AdoptionEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    from_status = OptionalChoiceField(Adoption.Status.choices, help_text=_("null per un commento o la richiesta."))
    to_status = OptionalChoiceField(Adoption.Status.choices, help_text=_("null per un commento."))

    class Meta:
        model = AdoptionEvent
        fields = ["sequence", "action", "from_status", "to_status", "actor", "note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, event: AdoptionEvent) -> str:
        return str(event.actor) if event.actor_id else ""


class AdoptionCreateSerializer(serializers.Serializer):
    """Ask for the adoption of a published solution on behalf of one's body."""

    solution = StrictCharField(max_length=120, help_text=_("Slug della soluzione."))
    municipality = StrictCharField(
        min_length=6, max_length=6, help_text=_("Codice ISTAT dell'ente che chiede l'adozione.")
    )
    note = StrictCharField(max_length=4000, required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    """One step of the workflow. The go-live fields count only for the go_live action."""

    action = StrictChoiceField(choices=[(a.value, a.label) for a in ADOPTION_ACTIONS])
    note = StrictCharField(max_length=4000, required=False, allow_blank=True, default="")
    adopted_version = StrictCharField(max_length=50, required=False, allow_blank=True)
    environment = StrictChoiceField(choices=Adoption.Environment.choices, required=False)
    go_live_date = StrictDateField(required=False)
    agreement_reference = StrictCharField(max_length=200, required=False, allow_blank=True)
    estimated_cost = StrictDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False,
                                        allow_null=True)
    actual_cost = StrictDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False,
                                     allow_null=True)
    effort_days = StrictDecimalField(max_digits=8, decimal_places=1, min_value=Decimal("0"), required=False,
                                     allow_null=True)

    GO_LIVE_FIELDS = (
        "adopted_version", "environment", "go_live_date", "agreement_reference", "estimated_cost", "actual_cost",
        "effort_days",
    )


class PubliccodeImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("Il file publiccode.yml (al massimo 1 MB)."))
    owner = StrictCharField(
        max_length=20, required=False, allow_blank=True,
        help_text=_("Ente titolare (codice ISTAT o IPA), se diverso da quello indicato nel file."),
    )
    dry_run = serializers.BooleanField(required=False, default=False, help_text=_("Solo verifica, senza salvare."))


# --- statistics -----------------------------------------------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, help_text=_("Inizio del periodo (incluso)."))
    date_to = serializers.DateField(required=False, help_text=_("Fine del periodo (inclusa)."))
    kind = serializers.ChoiceField(choices=Solution.Kind.choices, required=False, help_text=_("Tipo di soluzione."))


class _KindCount(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Solution.Kind.choices)
    count = serializers.IntegerField()


class _CategoryCount(serializers.Serializer):
    category = serializers.CharField()
    count = serializers.IntegerField()


class _StatusCount(serializers.Serializer):
    status = serializers.ChoiceField(choices=Adoption.Status.choices)
    count = serializers.IntegerField()


class _Savings(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("Risparmi dichiarati (€)."))
    adoptions = serializers.IntegerField(help_text=_("Adozioni in produzione con i dati di costo."))


class _BodiesReached(serializers.Serializer):
    comuni = serializers.IntegerField()
    reached = serializers.IntegerField()
    share = serializers.FloatField()
    population_total = serializers.IntegerField()
    population_reached = serializers.IntegerField()
    population_share = serializers.FloatField()


class _SizeClassRow(serializers.Serializer):
    size_class = serializers.CharField()
    comuni = serializers.IntegerField()
    reached = serializers.IntegerField()
    adoptions = serializers.IntegerField()


class _MostReused(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Solution.Kind.choices)
    owner = serializers.CharField()
    count = serializers.IntegerField()


class _MonthCount(serializers.Serializer):
    month = serializers.DateField()
    count = serializers.IntegerField()


class _WaitingRow(serializers.Serializer):
    id = serializers.IntegerField()
    solution = serializers.CharField()
    solution_slug = serializers.CharField()
    body = serializers.CharField()
    owner = serializers.CharField()
    since = serializers.DateTimeField()


class _Waiting(serializers.Serializer):
    count = serializers.IntegerField()
    threshold_days = serializers.IntegerField()
    oldest = _WaitingRow(many=True)


class _StatsFilters(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    kind = serializers.ChoiceField(choices=Solution.Kind.choices, allow_null=True)


class ProvinceStatsSerializer(serializers.Serializer):
    filters = _StatsFilters()
    solutions_published = serializers.IntegerField()
    solutions_by_kind = _KindCount(many=True)
    solutions_by_category = _CategoryCount(many=True)
    adoptions_total = serializers.IntegerField()
    adoptions_by_status = _StatusCount(many=True)
    savings = _Savings()
    bodies_reached = _BodiesReached()
    size_classes = _SizeClassRow(many=True)
    most_reused = _MostReused(many=True)
    median_days = serializers.FloatField(allow_null=True, help_text=_("Giorni mediani dalla richiesta alla produzione."))
    median_sample = serializers.IntegerField()
    per_month = _MonthCount(many=True)
    waiting = _Waiting()


# --- notifications --------------------------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True, help_text=_("Il messaggio nella lingua della richiesta."))
    note = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text=_("Pagina del portale a cui si riferisce."))
    actor = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    is_read = serializers.BooleanField(read_only=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, notification) -> str:
        return str(notification.actor) if notification.actor_id else ""


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True, help_text=_("Quante notifiche sono state segnate come lette."))


class PubliccodeImportResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text=_("Vero se è stata creata una nuova soluzione (in bozza)."))
    dry_run = serializers.BooleanField(help_text=_("Vero se era solo una verifica: nulla è stato salvato."))
    solution = SolutionDetailSerializer(allow_null=True, help_text=_("La soluzione salvata (null in una verifica)."))
