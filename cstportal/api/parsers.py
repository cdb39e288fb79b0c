"""The API's JSON parser: DRF's, after a check that the document is not nested deeper than MAX_DEPTH.

Python's json module (and everything that walks the result afterwards: validation, error messages) recurses once per
level, so a small body of ten thousand "[" ends in RecursionError, a 500. No request of this API needs more than a
few levels, so anything deeper is refused as a malformed body (400) before json.loads sees it. The depth is counted
without recursion: one scan over the brackets that are not inside a string.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32

# A JSON string (escapes included) or one bracket. Strings are matched whole so that brackets inside them are
# skipped; an unterminated string matches nothing, and json.loads refuses it afterwards.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True if `text` opens more than `limit` arrays or objects inside one another."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        found = match.group()
        if found in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif found in "]}":
            depth -= 1
    return False


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSONParser, refusing documents nested deeper than MAX_DEPTH with a ParseError (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("Il corpo della richiesta non è un JSON valido."))
        if json_depth_exceeds(text):
            raise ParseError(
                _("Il JSON è annidato troppo in profondità (al massimo %(max)d livelli).") % {"max": MAX_DEPTH}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
