"""OpenAPI extensions: how the token authentication appears in the schema."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_standardized_errors.openapi import AutoSchema


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
    "slug": ("Slug della soluzione (come nell'indirizzo della sua pagina).", {"pattern": "^[-a-zA-Z0-9_]+$"}),
    "istat_code": ("Codice ISTAT dell'ente (6 cifre).", {"pattern": "^[0-9]{6}$"}),
}


class ApiAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, documenting 403 on every operation: the views refuse through the policy
    (catalog.permissions) rather than through permission classes, and session clients get a CSRF 403 anywhere."""

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

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        """Every paginated list may refuse its page_size (400 on that parameter)."""
        extra = {name: set(codes) for name, codes in super()._get_extra_validation_errors().items()}
        if self.method == "GET" and self._get_paginator() is not None and self._is_list_view():
            extra.setdefault("page_size", set()).add("invalid")
        return extra
