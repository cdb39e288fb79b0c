"""API errors beyond DRF's own, the one place that turns the services' errors into answers, and their OpenAPI
descriptions in drf-standardized-errors' shape."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import ErrorDetail

from cstportal.lost_connection import ApiExceptionHandler as LostConnectionHandler

from ..services import adoptions as adoption_services


class Conflict(exceptions.APIException):
    """Someone else changed the object first (compare-and-set lost), or an equal active object exists."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("L'oggetto è stato modificato da un'altra richiesta: ricaricalo e riprova.")
    default_code = "conflict"


class StatusConflict(Conflict):
    """The object's current status does not allow the action (a second approval finds it approved already)."""

    default_code = "not_allowed_from_status"


class Unprocessable(exceptions.ValidationError):
    """Well-formed upload whose content is not valid (a publiccode.yml with errors): one error per path."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class ErrorCode409Enum(models.TextChoices):
    CONFLICT = "conflict"
    NOT_ALLOWED_FROM_STATUS = "not_allowed_from_status"


class Error409Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ErrorCode409Enum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = Error409Serializer(many=True)


class Error422Serializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(help_text=_("Percorso del campo nel file publiccode.yml (file: il file intero)."))


class ErrorResponse422Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
    errors = Error422Serializer(many=True)


ERROR_409 = OpenApiResponse(ErrorResponse409Serializer, description=_("Conflitto con lo stato attuale."))
ERROR_422 = OpenApiResponse(ErrorResponse422Serializer, description=_("Il contenuto del file non è valido."))


# --- the exception handler ------------------------------------------------------------------------------------


def api_error_for(error: adoption_services.WorkflowError) -> exceptions.APIException:
    """The API answer to a refusal of the workflow services (the HTML pages show the same message)."""
    message = error.message
    if isinstance(error, adoption_services.NotAllowedFromStatus):
        return StatusConflict(message)
    if isinstance(error, (adoption_services.AlreadyChanged, adoption_services.DuplicateAdoption)):
        return Conflict(message)
    if isinstance(error, adoption_services.UnknownAction):
        return exceptions.ValidationError({"action": [ErrorDetail(message, code="invalid_choice")]})
    if isinstance(error, adoption_services.InvalidData):
        return exceptions.ValidationError(error.errors or {"non_field_errors": [message]})
    if isinstance(error, adoption_services.NotAllowed):
        return exceptions.PermissionDenied(message)
    return exceptions.ValidationError({"non_field_errors": [message]})


class ApiExceptionHandler(LostConnectionHandler):
    """drf-standardized-errors' handler (DRF_STANDARDIZED_ERRORS["EXCEPTION_HANDLER_CLASS"]), which also knows the
    services' errors: views call a service and let its refusal through, and this is the only place that decides
    the status code of each. A lost database connection is the parent's 503."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, adoption_services.WorkflowError):
            return api_error_for(exc)
        return super().convert_known_exceptions(exc)
