"""publiccode.yml in and out: the schema, the parser, the import service and the export.

`parse_publiccode` and the schema need no database beyond the IPA look-up; the import service lives in
`catalog.publiccode.services`, the export in `catalog.publiccode.export`.
"""

from catalog.publiccode.parser import FieldError, ParseResult, parse_publiccode

__all__ = ["FieldError", "ParseResult", "parse_publiccode"]
