"""OpenAPI extensions: how the token authentication, the path parameters, the constraints of query parameters and
the decimal strings appear in the schema."""

from __future__ import annotations

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer
from drf_standardized_errors.openapi import AutoSchema

from cstportal.api.fields import BODY_KEY_PATTERN, SLUG_MAX_LENGTH, SLUG_PATTERN


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "cstportal.apitokens.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Token personale creato dal profilo (o con manage.py create_api_token), inviato come "
                "`Authorization: Token <chiave>`. Un token revocato o scaduto riceve 401."
            ),
        }


# Path parameters: (view class, name) or name -> (description, extra schema keywords).
PATH_PARAMETERS: dict[tuple[str, str] | str, tuple[str, dict]] = {
    ("AdoptionViewSet", "id"): ("Identificativo dell'adozione.", {"minimum": 1}),
    ("NotificationViewSet", "id"): ("Identificativo della notifica.", {"minimum": 1}),
    ("WebhookViewSet", "id"): ("Identificativo del webhook.", {"minimum": 1}),
    "slug": ("Slug della soluzione (come nell'indirizzo della sua pagina).",
             {"pattern": SLUG_PATTERN, "maxLength": SLUG_MAX_LENGTH}),
    "key": ("Codice pubblico dell'ente: ISTAT per i comuni, altrimenti IPA in minuscolo, altrimenti slug.",
            {"pattern": BODY_KEY_PATTERN, "maxLength": 160}),
}


NO_NUL_PATTERN = "^[^\\x00]*$"


class ConstrainedFilterExtension(DjangoFilterExtension):
    """django-filter's parameters, with the length and pattern their form fields check (cstportal.api.filters)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        constraints = {}
        if filter_field.extra.get("max_length"):
            constraints["maxLength"] = filter_field.extra["max_length"]
        if filter_field.extra.get("pattern"):
            constraints["pattern"] = filter_field.extra["pattern"]
        for parameter in parameters:
            schema = {**parameter["schema"], **constraints}
            if schema.get("type") == "string" and "pattern" not in schema and "enum" not in schema \
                    and "format" not in schema:
                # Django's text fields refuse the NUL character (ProhibitNullCharactersValidator).
                schema["pattern"] = NO_NUL_PATTERN
            parameter["schema"] = schema
        return parameters


class DecimalStringScheme(OpenApiSerializerFieldExtension):
    """A StrictDecimalField is a string of digits: its pattern, which also rules out a sign (no minimum applies to
    a string)."""

    target_class = "cstportal.api.fields.StrictDecimalField"

    def map_serializer_field(self, auto_schema, direction):
        return {**build_basic_type(OpenApiTypes.STR), "format": "decimal", "pattern": self.target.pattern}


class ApiAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, documenting 403 on every operation: the views refuse through the policy
    (each app's permissions module) rather than through permission classes, and session clients get a CSRF 403 anywhere."""

    def _should_add_http403_error_response(self) -> bool:
        return True

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            name = parameter["name"]
            found = PATH_PARAMETERS.get((type(self.view).__name__, name)) or PATH_PARAMETERS.get(name)
            if found:
                description, keywords = found
                parameter.setdefault("description", description)
                parameter["schema"] = {**parameter["schema"], **keywords}
        return parameters

    def _get_request_for_media_type(self, serializer, direction="request"):
        """A body that is one of several shapes is required all the same: each shape has required fields."""
        schema, required = super()._get_request_for_media_type(serializer, direction)
        return schema, required or isinstance(serializer, PolymorphicProxySerializer)

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        """Every paginated list may refuse its page_size (400 on that parameter)."""
        extra = {name: set(codes) for name, codes in super()._get_extra_validation_errors().items()}
        if self.method == "GET" and self._get_paginator() is not None and self._is_list_view():
            extra.setdefault("page_size", set()).add("invalid")
        return extra
