"""Errors under /api/ are JSON in the API's error shape, whatever produced them: an unknown URL (Django's 404
handler), a request Django refuses before any view (400, 413), or an exception that escaped a view (500).
Never an HTML page."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

MESSAGES = {
    400: ("parse_error", _("Richiesta non valida.")),
    403: ("permission_denied", _("Non hai il permesso di eseguire questa azione.")),
    404: ("not_found", _("Risorsa non trovata.")),
    405: ("method_not_allowed", _("Metodo non consentito.")),
    413: ("request_too_large", _("Richiesta troppo grande.")),
    500: ("error", _("Errore del server.")),
}


def json_error(status: int) -> JsonResponse:
    code, detail = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    kind = "server_error" if status >= 500 else "client_error"
    return JsonResponse({"type": kind, "errors": [{"code": code, "detail": str(detail), "attr": None}]}, status=status)


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    return "json" in content_type


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400 or _is_json(response):
            return response
        replacement = json_error(response.status_code)
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return json_error(404)
        if isinstance(exception, PermissionDenied):
            return json_error(403)
        if isinstance(exception, RequestDataTooBig):
            return json_error(413)
        if isinstance(exception, SuspiciousOperation):
            return json_error(400)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error(500)
