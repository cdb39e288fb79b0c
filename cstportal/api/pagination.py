"""Cursor pagination for every list of the API: stable under inserts, no COUNT(*), page size capped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# How to read back the position stored in a cursor, per kind of ordering key. A position that does not convert
# is a forged or stale cursor: a 404 "invalid cursor", never a database error.
def _bounded_int(raw: str) -> int:
    value = int(raw)
    if not -(2**63) < value < 2**63:  # what the database can compare
        raise OverflowError
    return value


POSITION_PARSERS: dict[str, Callable[[str], Any]] = {
    "int": _bounded_int,
    "str": str,
    "date": dt.date.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
    "float": float,
}


class CursorPage(pagination.CursorPagination):
    """Pages of `page_size` items (default 20, at most 100) in the order the view chooses.

    The view's `get_cursor_ordering(request, queryset)` returns (order_by fields, type of the position): the first
    field is the cursor position, the last a unique tie-breaker so that pages never overlap.
    """

    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = _("Numero di elementi per pagina (predefinito 20; oltre 100 si ricevono 100).")
    cursor_query_description = _("Cursore della pagina, come ricevuto nei campi next e previous.")
    invalid_cursor_message = _("Cursore non valido.")
    ordering = ("-pk",)
    position_type = "int"

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Indica un numero intero maggiore di zero.")]}, code="invalid"
            )
        return min(value, self.max_page_size)

    def get_ordering(self, request, queryset, view):
        ordering, self.position_type = view.get_cursor_ordering(request, queryset)
        return tuple(ordering)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            parse = POSITION_PARSERS[self.position_type]
            try:
                if "\x00" in cursor.position:
                    raise ValueError
                parse(cursor.position)
            except (TypeError, ValueError, OverflowError):
                raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(self.cursor_query_description),
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(self.page_size_query_description),
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
