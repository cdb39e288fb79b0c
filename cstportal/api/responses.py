"""API errors beyond DRF's own and their OpenAPI descriptions in drf-standardized-errors' shape. The services'
refusals are answered by the one exception handler, cstportal.api.handler."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from rest_framework import exceptions, serializers, status


class Unprocessable(exceptions.ValidationError):
    """Well-formed upload whose content is not valid (a publiccode.yml with errors): one error per path."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY


class ErrorCode409Enum(models.TextChoices):
    """The codes of cstportal.errors' Conflict and its subclasses."""

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
