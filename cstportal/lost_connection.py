"""A database connection lost during a request answers 503 with Retry-After, never 500; a read is tried once more.

Why: `CONN_HEALTH_CHECKS` replaces a connection that died between two requests, but one that dies during a request
(a database restart or failover, a backend terminated by an administrator, a network cut) made the next query raise
OperationalError or InterfaceError, and the request answered 500. Nothing was wrong with the request: the client
should simply try again in a moment, which is what 503 with Retry-After says. Refusing a write this way leaves
nothing half done: every service runs in one transaction, and the database rolls back the transaction of a
connection that goes away.

The error is recognised in one place, `is_connection_lost()`: on PostgreSQL by its SQLSTATE (connection errors,
server shut down), elsewhere by a connection that could not be opened; so a statement timeout, "database is locked"
or a missing table stay the 500 they are. Three places answer:

- the DRF views, through the API's exception handler (cstportal.api.handler): the API's JSON error shape with
  code `service_unavailable`;
- every other view and middleware, through the 500 handler (`cstportal.views.error_500`), which asks
  `database_unavailable_response()` first: the error page, or the same JSON under /api/;
- `RetryReadsMiddleware`, outermost, which runs a GET or HEAD request once more on a new connection when its first
  attempt got that 503. A write is never repeated: its COMMIT may have been applied before the connection went.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
SAFE_METHODS = ("GET", "HEAD")
API_PREFIX = "/api/"
# Set on a 503 answered for a lost connection, so that the outermost middleware knows it may try the read again.
LOST_CONNECTION_ATTRIBUTE = "database_connection_lost"

# SQLSTATE class 08 (connection exception), then admin_shutdown, crash_shutdown, cannot_connect_now.
LOST_CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")
_NOT_POSTGRESQL = object()

MESSAGE = _("Il servizio è momentaneamente non disponibile: riprova tra qualche secondo.")


def is_connection_lost(exc: BaseException) -> bool:
    """True for a database error that means the connection went away (or could not be opened)."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    # PostgreSQL (psycopg 3) says why: an error without SQLSTATE comes from the client library, about the
    # connection itself; the server's own are class 08 or the shutdown codes. (The connection cannot be asked
    # afterwards: leaving the outermost atomic block already replaced a broken one with a new connection.)
    sqlstate = getattr(exc.__cause__, "sqlstate", _NOT_POSTGRESQL)
    if sqlstate is not _NOT_POSTGRESQL:
        return sqlstate is None or sqlstate.startswith(LOST_CONNECTION_SQLSTATES)
    # Other databases (SQLite): a connection of the request that could not be opened or no longer works.
    return any(
        connection.connection is None or not connection.is_usable()
        for connection in connections.all(initialized_only=True)
    )


def marked_as_lost(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    setattr(response, LOST_CONNECTION_ATTRIBUTE, True)
    return response


def database_unavailable_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse | None:
    """The 503 for a request whose database connection was lost (JSON under /api/, else the error page); None when
    `exc` is something else."""
    if exc is None or not is_connection_lost(exc):
        return None
    if request.path.startswith(API_PREFIX):
        body = {"type": "server_error", "errors": [{"code": "service_unavailable", "detail": str(MESSAGE), "attr": None}]}
        return marked_as_lost(JsonResponse(body, status=status.HTTP_503_SERVICE_UNAVAILABLE))
    # No context processors, as for the 500 page: they would query the database that just went away.
    page = loader.get_template("errors/503.html").render({})
    return marked_as_lost(HttpResponse(page, status=status.HTTP_503_SERVICE_UNAVAILABLE))


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = MESSAGE
    default_code = "service_unavailable"
    wait = RETRY_AFTER_SECONDS  # drf-standardized-errors turns it into Retry-After


class RetryReadsMiddleware:
    """Run a GET or HEAD request once more, on new connections, when it lost its database connection.

    First in MIDDLEWARE, so that the second attempt goes through every other middleware afresh (session, user).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in SAFE_METHODS and getattr(response, LOST_CONNECTION_ATTRIBUTE, False):
            logger.warning("database connection lost during %s %s: trying once more", request.method, request.path)
            close_connections()
            response = self.get_response(request)
        return response


def close_connections() -> None:
    """Close this thread's database connections, so that the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            with contextlib.suppress(DatabaseError):
                connection.close()
