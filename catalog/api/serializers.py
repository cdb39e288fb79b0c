"""Shapes of the API: read serializers (every field read-only) and strict input serializers.

Input fields are strict about JSON types (a number is not a string and a string is not a number), so that what the
OpenAPI schema calls invalid is refused, and what it calls valid is accepted.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.relations import MANY_RELATION_KWARGS

from catalog import permissions
from catalog.adoptions.forms import GoLiveFieldsForm
from catalog.adoptions.services import GO_LIVE_FIELDS, NOTE_MAX_LENGTH
from catalog.models import Adoption, AdoptionEvent, Release, Solution
from catalog.workflow import ADOPTION_ACTIONS, Action, transition_for
from cstportal.api.fields import (
    BODY_CODE_PATTERN,
    OptionalChoiceField,
    OptionalURLField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictDecimalField,
    body_code_field,
    slug_field,
    text_field,
)
from municipalities.api import BodyRefSerializer

# --- references -----------------------------------------------------------------------------------------------


class SolutionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Solution
        fields = ["slug", "name", "kind"]
        read_only_fields = fields


class CurrentReleaseSerializer(serializers.Serializer):
    version = serializers.CharField(read_only=True)
    date = serializers.DateField(read_only=True)


# --- solutions ------------------------------------------------------------------------------------------------


class Codes(list):
    """The codes (or slugs) of a solution's categories or tags, read by `catalog.api.views.attach_codes` in one flat
    query for a whole page instead of a model instance each."""


class _ManyCodesField(serializers.ManyRelatedField):
    def get_attribute(self, instance):
        codes = getattr(instance, f"api_{self.field_name}", None)
        return codes if codes is not None else super().get_attribute(instance)

    def to_representation(self, iterable):
        if isinstance(iterable, Codes):
            return list(iterable)
        return super().to_representation(iterable)


class CodeRelatedField(serializers.SlugRelatedField):
    """A SlugRelatedField (many=True) that takes the codes from `api_<field name>` when the view attached them."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return _ManyCodesField(**list_kwargs)



class FieldsBuiltOnce:
    """A ModelSerializer whose fields are worked out from the model once per process and class, then copied for each
    serializer: ModelSerializer reads the model's fields and builds each serializer field for every instance (the
    list builds them once a page, the detail once a request), the most of a detail's Python time."""

    _built_fields: ClassVar[dict[type, dict[str, serializers.Field]]] = {}

    def get_fields(self):
        built = FieldsBuiltOnce._built_fields.get(type(self))
        if built is None:
            built = FieldsBuiltOnce._built_fields[type(self)] = super().get_fields()
        return copy.deepcopy(built)


def _choice_representation(field: serializers.ChoiceField) -> Callable[[Any], Any]:
    lookup = field.choice_strings_to_values.get

    def represent(value: Any) -> Any:
        return value if value == "" else lookup(str(value), value)

    return represent


def _list_representation(field: serializers.ListField) -> Callable[[Any], Any] | None:
    child = _value_representation(field.child)
    if child is None or isinstance(child, _Fallback):
        return None
    return lambda values: [None if item is None else child(item) for item in values]


class _Fallback:
    """The field's own `to_representation`, for a type read without a shortcut."""

    __slots__ = ("represent",)

    def __init__(self, field: serializers.Field):
        self.represent = field.to_representation

    def __call__(self, value: Any) -> Any:
        return self.represent(value)


def _value_representation(field: serializers.Field) -> Callable[[Any], Any] | None:
    """How a field turns a non-null value into JSON, the same as its `to_representation` (tested), in one call:
    `str` for text, `int` for integers, the choices' own lookup; None when only the field itself can say."""
    kind = type(field)
    if kind in (serializers.CharField, serializers.SlugField):
        return str
    if kind is serializers.IntegerField:
        return int
    if kind is serializers.ChoiceField:
        return _choice_representation(field)
    if kind is serializers.ListField:
        return _list_representation(field)
    return None


# A step of RowRepresentation's plan: (JSON name, kind, attribute or method name, how to represent a non-null value).
_ATTRIBUTE, _NESTED, _METHOD, _CODES, _WHOLE = range(5)


class _Unplanned(Exception):
    """The instance is not what the plan reads (another type, an attribute missing): DRF's own way then."""


class RowRepresentation:
    """A read serializer whose `to_representation` reads each field straight from the instance, by a plan worked out
    once per class from its fields: DRF's per-field `get_attribute` / `to_representation` dispatch (and the copy of
    the fields for every serializer) were most of a list page's Python time. Text, integers, choices and lists of
    text are written as their fields would; other types call the field's own `to_representation`, nested model
    serializers follow their own plan, method fields call the method. Anything else (a field with another source,
    an instance of another type, a missing attribute, codes not attached by the view) goes through DRF as before.
    The output is DRF's (tests/api/test_solutions.py compares them)."""

    _plans: ClassVar[dict[type, tuple | None]] = {}

    @classmethod
    def representation_plan(cls) -> tuple | None:
        try:
            return RowRepresentation._plans[cls]
        except KeyError:
            plan = RowRepresentation._plans[cls] = _plan_for(cls(), methods=True)
            return plan

    def to_representation(self, instance):
        plan = type(self).representation_plan()
        if plan is not None:
            try:
                return _represent(self, instance, plan)
            except (_Unplanned, AttributeError, KeyError, ObjectDoesNotExist):
                pass
        return super().to_representation(instance)


def _plan_for(serializer: serializers.Serializer, *, methods: bool) -> tuple | None:
    model = serializer.Meta.model
    steps: list[tuple] = [(None, _NESTED, model, None)]
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.SerializerMethodField):
            if not methods:
                return None
            steps.append((name, _METHOD, field.method_name, None))
            continue
        attrs = field.source_attrs
        on_model = getattr(model, attrs[0], None) if len(attrs) == 1 else None
        if len(attrs) != 1 or (callable(on_model) and not isinstance(on_model, type)):
            return None  # a dotted source or a method: only the field reads it as DRF does
        if isinstance(field, _ManyCodesField):
            steps.append((name, _CODES, f"api_{attrs[0]}", None))
        elif isinstance(field, serializers.ModelSerializer):
            nested = _plan_for(field, methods=False)
            if nested is None or type(field).to_representation is not serializers.Serializer.to_representation:
                return None
            steps.append((name, _NESTED, attrs[0], nested))
        elif type(field) is serializers.ModelField:
            steps.append((name, _WHOLE, None, field.to_representation))  # reads the model field from the instance
        elif isinstance(field, serializers.BaseSerializer | serializers.RelatedField | serializers.ManyRelatedField) or (
            type(field).get_attribute is not serializers.Field.get_attribute
        ):
            return None
        else:
            steps.append((name, _ATTRIBUTE, attrs[0], _value_representation(field) or _Fallback(field)))
    return tuple(steps)


def _represent(serializer: serializers.Serializer, instance: Any, plan: tuple) -> dict[str, Any]:
    if type(instance) is not plan[0][2]:
        raise _Unplanned
    ret: dict[str, Any] = {}
    for name, kind, attr, how in plan[1:]:
        if kind == _ATTRIBUTE:
            value = getattr(instance, attr)
            ret[name] = None if value is None else how(value)
        elif kind == _NESTED:
            value = getattr(instance, attr)
            ret[name] = None if value is None else _represent(serializer, value, how)
        elif kind == _CODES:
            codes = getattr(instance, attr, None)
            if not isinstance(codes, Codes):
                raise _Unplanned
            ret[name] = list(codes)
        elif kind == _WHOLE:
            ret[name] = how(instance)
        else:
            ret[name] = getattr(serializer, attr)(instance)
    return ret


class SolutionSerializer(RowRepresentation, FieldsBuiltOnce, serializers.ModelSerializer):
    """A solution in a list. Expects the queryset of `catalog.api.views.solutions_for_api`."""

    owner = BodyRefSerializer(read_only=True)
    categories = CodeRelatedField(slug_field="code", many=True, read_only=True)
    tags = CodeRelatedField(slug_field="slug", many=True, read_only=True)
    supports = serializers.ListField(child=serializers.CharField(), read_only=True)
    current_release = serializers.SerializerMethodField()
    repository_url = OptionalURLField()
    landing_url = OptionalURLField()
    documentation_url = OptionalURLField()
    used_by_count = serializers.IntegerField(
        source="adoption_count", read_only=True, help_text=_("Enti che la usano in produzione (adozioni verificate).")
    )
    vitality = serializers.IntegerField(
        read_only=True, allow_null=True, min_value=0, max_value=100,
        help_text=_("Indice di vitalità del repository (0-100), come lo calcola il catalogo nazionale, all'ultima "
                    "raccolta; null per una soluzione non raccolta da un repository."),
    )

    class Meta:
        model = Solution
        fields = [
            "slug", "name", "kind", "status", "owner", "categories", "tags",
            "short_description_it", "short_description_en", "development_status", "origin", "licence",
            "repository_url", "landing_url", "documentation_url", "supports", "current_release", "used_by_count",
            "vitality", "published_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CurrentReleaseSerializer(allow_null=True))
    def get_current_release(self, solution: Solution) -> dict | None:
        version = getattr(solution, "current_release_version", None)
        if version is None:
            return None
        return {"version": version, "date": solution.current_release_date}


class UserBodySerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, help_text=_("Codice pubblico dell'ente."))
    name = serializers.CharField(read_only=True)
    url = serializers.URLField(read_only=True, help_text=_("La scheda dell'ente nelle API."))


_KEY_MARK = "key-mark-0"


class SolutionDetailSerializer(SolutionSerializer):
    """Expects `in_production`, the solution's adoptions in production with their body (catalog.api.views)."""

    used_by = serializers.SerializerMethodField(
        help_text=_("Gli enti che la usano in produzione (adozioni verificate), per nome: used_by_count è il loro "
                    "numero.")
    )
    contacts = serializers.SerializerMethodField(
        help_text=_("Referenti: solo per le persone degli enti del CST (altrimenti null).")
    )

    class Meta(SolutionSerializer.Meta):
        fields = [
            *SolutionSerializer.Meta.fields,
            "long_description_it", "long_description_en", "features_it", "features_en", "scope", "origin_other",
            "software_type", "maintenance_type", "maintenance_contractor", "maintenance_until", "platforms",
            "available_languages", "localisation_ready", "dependencies", "main_copyright_owner", "created_at",
            "used_by", "contacts",
        ]
        read_only_fields = fields

    @extend_schema_field(UserBodySerializer(many=True))
    def get_used_by(self, solution: Solution) -> list[dict[str, str]]:
        # (key, name) of each body: `api_used_by` when the view read them as such (catalog.api.views.attach_used_by),
        # else the prefetched adoptions (`in_production`).
        bodies = getattr(solution, "api_used_by", None)
        if bodies is None:
            bodies = [(adoption.body.key, adoption.body.name) for adoption in solution.in_production]
        if not bodies:
            return []
        # One address made and completed for all: a body's key is written in characters a URL takes as they are.
        request = self.context.get("request")
        head, tail = reverse("api:municipality-detail", kwargs={"key": _KEY_MARK}).rsplit(_KEY_MARK, 1)
        if request is not None:
            head = request.build_absolute_uri(head)
        return [{"key": key, "name": name, "url": f"{head}{key}{tail}"} for key, name in bodies]

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


class ReleaseListSerializer(serializers.ModelSerializer):
    """A release in the list of every solution's releases: which solution, and when it was recorded."""

    solution = SolutionRefSerializer(read_only=True)
    created_at = serializers.DateTimeField(
        read_only=True, help_text=_("Quando il rilascio è stato registrato nel portale (il confronto di updated_since).")
    )

    class Meta:
        model = Release
        fields = ["solution", "version", "date", "notes", "created_at"]
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
        fields = ["sequence", "action", "from_status", "to_status", "actor", "by_portal", "note", "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, event: AdoptionEvent) -> str:
        return str(event.actor) if event.actor_id else ""


class AdoptionCreateSerializer(serializers.Serializer):
    """Ask for the adoption of a published solution on behalf of one's body."""

    solution = slug_field(help_text=_("Slug della soluzione."))
    municipality = body_code_field(help_text=_("Codice dell'ente che chiede l'adozione (ISTAT, IPA o codice pubblico)."))
    note = text_field(max_length=NOTE_MAX_LENGTH, default="")


def go_live_fields(*, as_go_live: bool) -> dict[str, serializers.Field]:
    """The go-live fields of a transition body, as JSON shapes with GoLiveFieldsForm's limits (the Adoption
    model's). With `as_go_live`, what the schema shows for go_live (version and date required); without, what the
    server reads for any action, leaving what is missing to GoLiveFieldsForm."""
    form = GoLiveFieldsForm.base_fields

    def decimal(name: str, help_text) -> StrictDecimalField:
        field = form[name]
        return StrictDecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places, required=False,
                                  allow_null=True, help_text=help_text)

    version_length = form["adopted_version"].max_length
    return {
        "adopted_version": text_field(max_length=version_length, required_text=as_go_live,
                                      help_text=_("Versione messa in produzione.")),
        "go_live_date": StrictDateField(required=as_go_live,
                                        help_text=_("Data di avvio in produzione (non nel futuro).")),
        "environment": StrictChoiceField(choices=Adoption.Environment.choices, required=False),
        "agreement_reference": text_field(max_length=form["agreement_reference"].max_length,
                                          help_text=_("Riferimento dell'accordo (art. 15 L. 241/1990).")),
        "estimated_cost": decimal("estimated_cost", _("Costo stimato di realizzarla o acquistarla (€).")),
        "actual_cost": decimal("actual_cost", _("Costo effettivo dell'adattamento (€).")),
        "effort_days": decimal("effort_days", _("Impegno (giornate/persona).")),
    }


class TransitionSerializer(serializers.Serializer):
    """One step of the workflow, as the server reads it: every field of every action. The go-live fields count
    only for the go_live action, which GoLiveFieldsForm validates (the form of the adoption page); the note is
    required by some actions (catalog.workflow), which the service checks. The schema describes each action apart
    (TransitionRequest below)."""

    action = StrictChoiceField(choices=[(a.value, a.label) for a in ADOPTION_ACTIONS])
    note = text_field(max_length=NOTE_MAX_LENGTH, default="")
    GO_LIVE_FIELDS = GO_LIVE_FIELDS

    def get_fields(self) -> dict:
        return {**super().get_fields(), **go_live_fields(as_go_live=False)}

    def validate(self, attrs: dict) -> dict:
        if attrs.get("action") != Action.GO_LIVE:
            return attrs
        form = GoLiveFieldsForm(data={name: attrs[name] for name in GO_LIVE_FIELDS if name in attrs})
        if not form.is_valid():
            raise serializers.ValidationError({
                name: [ErrorDetail(str(message), code=error.code or "invalid") for error in errors
                       for message in error.messages]
                for name, errors in form.errors.as_data().items()
            })
        return {**attrs, **form.go_live_fields()}


# How the schema describes a transition: one shape per kind of action, told apart by `action`. The server reads
# them all with TransitionSerializer; these only say, per action, what is required.


def _action_field(actions) -> StrictChoiceField:
    return StrictChoiceField(choices=[(a.value, a.label) for a in actions])


def _transition_request(name: str, actions, *, note_required: bool, go_live: bool):
    fields: dict = {
        "action": _action_field(actions),
        "note": text_field(max_length=NOTE_MAX_LENGTH, required_text=True) if note_required
        else text_field(max_length=NOTE_MAX_LENGTH, default=""),
    }
    if go_live:
        fields.update(go_live_fields(as_go_live=True))
    return type(name, (serializers.Serializer,), {**fields, "__module__": __name__})


def _transition_request_shapes() -> dict[str, type[serializers.Serializer]]:
    """action value -> the serializer describing its body, from the workflow table."""
    plain = [a for a in ADOPTION_ACTIONS if a != Action.GO_LIVE and not transition_for(a).note_required]
    with_note = [a for a in ADOPTION_ACTIONS if a != Action.GO_LIVE and transition_for(a).note_required]
    shapes = {
        "Transition": (plain, False, False),
        "TransitionWithNote": (with_note, True, False),
        "GoLive": ([Action.GO_LIVE], False, True),
    }
    by_action: dict[str, type[serializers.Serializer]] = {}
    for name, (actions, note_required, go_live) in shapes.items():
        serializer = _transition_request(name, actions, note_required=note_required, go_live=go_live)
        by_action.update({a.value: serializer for a in actions})
    return by_action


TRANSITION_REQUESTS = _transition_request_shapes()


class PubliccodeImportSerializer(serializers.Serializer):
    # Not required by the serializer: an empty upload may reach the server as no file part at all (multipart
    # clients drop an empty file), so "no file" and "an empty file" are one case, told as the content: 422.
    file = serializers.FileField(
        allow_empty_file=True, required=False,
        help_text=_("Il file publiccode.yml (al massimo 1 MB, nome con estensione .yml o .yaml)."),
    )
    owner = StrictCharField(
        max_length=20, required=False, allow_blank=True, pattern=BODY_CODE_PATTERN, pattern_message=_("Indica un codice ISTAT o IPA."),
        help_text=_("Ente titolare (codice ISTAT o IPA), se diverso da quello indicato nel file."),
    )
    dry_run = serializers.BooleanField(required=False, default=False, help_text=_("Solo verifica, senza salvare."))

    def validate_file(self, upload):
        if upload.size > settings.PUBLICCODE_MAX_BYTES:
            raise serializers.ValidationError(_("Il file supera la dimensione massima di 1 MB."), code="max_length")
        return upload


# --- statistics -----------------------------------------------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    date_from = StrictDateField(required=False, help_text=_("Inizio del periodo (incluso)."))
    date_to = StrictDateField(required=False, help_text=_("Fine del periodo (inclusa)."))
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
    computed_at = serializers.DateTimeField(
        help_text=_(
            "Quando le cifre sono state calcolate. Subito dopo una modifica si ricevono le ultime cifre "
            "calcolate, mentre vengono ricalcolate."
        )
    )
    stale = serializers.BooleanField(
        help_text=_(
            "Vero se i dati possono essere cambiati da allora (o le cifre hanno più di cinque minuti): il "
            "ricalcolo è in corso."
        )
    )


class PubliccodeImportResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text=_("Vero se è stata creata una nuova soluzione (in bozza)."))
    dry_run = serializers.BooleanField(help_text=_("Vero se era solo una verifica: nulla è stato salvato."))
    solution = SolutionDetailSerializer(allow_null=True, help_text=_("La soluzione salvata (null in una verifica)."))
