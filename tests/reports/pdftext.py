"""Extract the text of an uncompressed PDF written by fpdf2 with an embedded TrueType font.

fpdf2 writes text as glyph codes (Identity-H) in literal strings, and a ToUnicode CMap per font that maps each code
back to its character: enough to read our own reports without a PDF library.
"""

from __future__ import annotations

import re

_BFCHAR = re.compile(rb"beginbfchar\s*(.*?)\s*endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        ch = raw[i : i + 1]
        if ch != b"\\":
            out += ch
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4]).group(0)
            out.append(int(digits, 8))
            i += 1 + len(digits)
        else:
            i += 1
    return bytes(out)


def _cmap(block: bytes) -> dict[int, str]:
    cmap: dict[int, str] = {}
    for chars in _BFCHAR.findall(block):
        for src, dst in _PAIR.findall(chars):
            cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return cmap


def _fonts(data: bytes, objects: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    # Resource name (/F1) -> font object -> its ToUnicode CMap: each font numbers its glyphs on its own.
    fonts: dict[bytes, dict[int, str]] = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        font = objects.get(int(ref), b"")
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
        if to_unicode:
            fonts[name] = _cmap(objects.get(int(to_unicode.group(1)), b""))
    return fonts


def _text(chunk: bytes, fonts: dict[bytes, dict[int, str]]) -> str:
    pieces, current = [], {}
    # Font switches, single strings (Tj) and arrays of strings with spacing (TJ), in the order they are drawn.
    for font, single, array in re.findall(
        rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)\s*Tj|\[((?:\\.|[^\\\]])*)\]\s*TJ", chunk, re.S
    ):
        if font:
            current = fonts.get(font, {})
            continue
        literals = [single] if single or not array else re.findall(rb"\(((?:\\.|[^\\)])*)\)", array, re.S)
        text = ""
        for literal in literals:
            raw = _unescape(literal)
            text += "".join(current.get(int.from_bytes(raw[i : i + 2], "big"), "?") for i in range(0, len(raw) - 1, 2))
        pieces.append(text)
    return "\n".join(pieces)


def _objects(data: bytes) -> dict[int, bytes]:
    assert data.startswith(b"%PDF"), "not a PDF"
    # The embedded font stays compressed; the page contents must not be (build the PDF with compress=False).
    assert b" Tj" in data, "no readable text: build the PDF with compress=False"
    return {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}


def pdf_text(data: bytes) -> str:
    objects = _objects(data)
    return _text(data, _fonts(data, objects))


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, in page order (the page tree's /Kids), each page's strings one a line."""
    objects = _objects(data)
    fonts = _fonts(data, objects)
    tree = next(body for body in objects.values() if b"/Type /Pages" in body)
    pages = []
    for ref in re.findall(rb"(\d+) 0 R", re.search(rb"/Kids \[(.*?)\]", tree, re.S).group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[int(ref)])
        pages.append(_text(objects[int(contents.group(1))], fonts))
    return pages
