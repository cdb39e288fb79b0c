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


class ApiAutoSchema(AutoSchema):
    """drf-standardized-errors' schema, documenting 403 on every operation: the views refuse through the policy
    (catalog.permissions) rather than through permission classes, and session clients get a CSRF 403 anywhere."""

    def _should_add_http403_error_response(self) -> bool:
        return True

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        """Every paginated list may refuse its page_size (400 on that parameter)."""
        extra = {name: set(codes) for name, codes in super()._get_extra_validation_errors().items()}
        if self.method == "GET" and self._get_paginator() is not None and self._is_list_view():
            extra.setdefault("page_size", set()).add("invalid")
        return extra
