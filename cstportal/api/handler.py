"""The REST API's one exception handler (drf-standardized-errors' handler class, named in settings).

It turns the services' refusals (cstportal.errors) into answers — NotAllowed 403, NotVisible 404, Invalid 400 with a
message per field, Conflict 409 — each with the error class's code, and a database connection lost during the
request into 503 (cstportal.lost_connection). Views call a service and let its refusal through: no view maps an
exception to a status code by hand.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail

from cstportal.errors import Conflict, Invalid, NotAllowed, NotVisible, ServiceError
from cstportal.lost_connection import DatabaseUnavailable, is_connection_lost, marked_as_lost


class ConflictError(exceptions.APIException):
    """A refusal because of what is stored now (compare-and-set lost, status, an equal object exists)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = Conflict.default_message
    default_code = Conflict.code


def api_exception_for(error: ServiceError) -> exceptions.APIException:
    """The API answer to a service's refusal (the HTML pages show the same message)."""
    if isinstance(error, Invalid):
        if error.errors:
            return exceptions.ValidationError(
                {name: [ErrorDetail(text, code=error.code)] for name, text in error.errors.items()}
            )
        return exceptions.ValidationError({"non_field_errors": [ErrorDetail(error.message, code=error.code)]})
    if isinstance(error, Conflict):
        return ConflictError(error.message, code=error.code)
    if isinstance(error, NotVisible):
        return exceptions.NotFound(error.message)
    if isinstance(error, NotAllowed):
        return exceptions.PermissionDenied(error.message)
    return exceptions.ValidationError({"non_field_errors": [ErrorDetail(error.message, code=error.code)]})


class ApiExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, ServiceError):
            return api_exception_for(exc)
        if is_connection_lost(exc):
            return DatabaseUnavailable()
        return super().convert_known_exceptions(exc)

    def get_response(self, exc: exceptions.APIException, data: dict) -> HttpResponse:
        response = super().get_response(exc, data)
        return marked_as_lost(response) if isinstance(exc, DatabaseUnavailable) else response
