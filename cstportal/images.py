"""Images that come from someone else (a solution's logo and screenshots named in its publiccode.yml): checked,
made harmless, stored under a name derived from their content, and served by `cstportal.media.image`.

The type is decided by the bytes, never by the file name or the Content-Type the remote server sent: PNG, JPEG, GIF
and WebP are recognised by their signature and opened with Pillow (which reads the header for the dimensions and
checks the structure) before any size limit lets them in; a document whose root element is `<svg>` is an SVG.

An SVG is a document that can carry script. Served from the portal's origin and opened directly, a hostile logo
could read the visitor's session-bound pages. Three layers keep that from happening:

1. `sanitize_svg` rebuilds the drawing from an allow-list: SVG elements and presentation attributes only; no
   script, foreignObject, animation (which can rewrite links), event handler, external reference (href only to
   `#fragment`, or a `data:` PNG/JPEG/GIF/WebP for an embedded picture), no CSS that loads anything or escapes
   characters. The parser is defusedxml's: no entity expansion, no external DTD.
2. `cstportal.media.image` serves it with `Content-Security-Policy: sandbox; default-src 'none'` and `nosniff`, so a
   script that slipped through would run in an opaque origin with nothing to load.
3. Pages show logos through `<img>`, where browsers never run an SVG's script.

No pure-Python SVG renderer is good enough to convert logos to PNG instead (cairosvg needs the Cairo C library).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # noqa: S405 - only to build and write the cleaned tree; parsing is defusedxml's

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring as parse_xml  # type: ignore[import-untyped]
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .errors import Invalid
from .fetch import fetch

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 5000  # pixels, either dimension
MAX_PIXELS = 25_000_000  # width × height: what decoding it would cost the visitor's browser
MAX_SVG_ELEMENTS = 20_000
MAX_SVG_DEPTH = 100

STORAGE_PREFIX = "images"
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}
ACCEPT = "image/png,image/jpeg,image/gif,image/webp,image/svg+xml;q=0.9,*/*;q=0.1"


class ImageRefused(Invalid):
    """The file is not an image the portal keeps, or is too large."""

    default_message = _("Il file non è un'immagine PNG, JPEG, GIF, WebP o SVG.")
    code = "image_refused"


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed `check_image`: `content` is what to store (an SVG already sanitised)."""

    content: bytes
    extension: str  # a key of CONTENT_TYPES
    width: int | None  # None for an SVG
    height: int | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


# --- recognising and checking ---------------------------------------------------------------------------------

_RASTER = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


def sniff(data: bytes) -> str | None:
    """The Pillow format name a raster image's first bytes announce, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def check_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE, max_pixels: int = MAX_PIXELS
) -> CheckedImage:
    """Recognise `data` by its content and check it. Raster images are kept as they are once Pillow has read their
    header and verified their structure; an SVG is rebuilt by `sanitize_svg`. Raises `ImageRefused`."""
    if not data:
        raise ImageRefused(_("Il file è vuoto."))
    if len(data) > max_bytes:
        raise ImageRefused(_("L'immagine supera il limite di %(size)s KB.") % {"size": max_bytes // 1024})
    fmt = sniff(data)
    if fmt is None:
        return CheckedImage(content=sanitize_svg(data), extension="svg", width=None, height=None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width > max_side or height > max_side or width * height > max_pixels:
                    raise ImageRefused(
                        _("L'immagine misura %(width)s×%(height)s pixel: il massimo è %(side)s per lato.")
                        % {"width": width, "height": height, "side": max_side}
                    )
                image.verify()
    except ImageRefused:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ):
        # Pillow reports a damaged file with any of these, SyntaxError included (its parsers' "not a PNG file").
        raise ImageRefused(_("Il file si presenta come immagine %(format)s ma è danneggiato.") % {"format": fmt})
    return CheckedImage(content=data, extension=_RASTER[fmt], width=width, height=height)


def fetch_image(url: str, *, max_bytes: int = MAX_BYTES, **limits: int) -> CheckedImage:
    """Fetch `url` through `cstportal.fetch` and check what arrives. The server's Content-Type is not trusted: a PNG
    named logo.svg and sent as image/svg+xml is a PNG. Raises `FetchError` or `ImageRefused` (both `Invalid`)."""
    fetched = fetch(url, max_bytes=max_bytes, accept=ACCEPT)
    return check_image(fetched.content, max_bytes=max_bytes, **limits)


# --- SVG ------------------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Drawing, text, paint servers, clipping and masking, filters. Not here, so removed with their content: script,
# foreignObject (HTML inside SVG), iframe, animate/animateMotion/animateTransform/set (they can turn a harmless href
# into javascript: after sanitising), handler, listener, metadata (RDF nobody shows), editor namespaces.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "switch", "view", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "image",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
        "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
        "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
        "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset",
        "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
    }
)  # fmt: skip
# A link is unwrapped: its content stays, the link (and its href) goes.
UNWRAPPED = frozenset({"a"})

# Geometry and presentation attributes, compared in lower case (as DOMPurify does); event handlers (on*) are not here.
SVG_ATTRIBUTES = frozenset(
    {
        "accent-height", "alignment-baseline", "amplitude", "azimuth", "basefrequency", "baseline-shift", "bias",
        "class", "clip", "clip-path", "clip-rule", "clippathunits", "color", "color-interpolation",
        "color-interpolation-filters", "color-rendering", "cx", "cy", "d", "diffuseconstant", "direction", "display",
        "divisor", "dominant-baseline", "dx", "dy", "edgemode", "elevation", "enable-background", "exponent", "fill",
        "fill-opacity", "fill-rule", "filter", "filterunits", "flood-color", "flood-opacity", "font-family",
        "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant", "font-weight", "fx", "fy",
        "fr", "gradienttransform", "gradientunits", "height", "id", "image-rendering", "in", "in2", "intercept", "k",
        "k1", "k2", "k3", "k4", "kernelmatrix", "kernelunitlength", "kerning", "lang", "lengthadjust",
        "letter-spacing", "lighting-color", "limitingconeangle", "marker-end", "marker-mid", "marker-start",
        "markerheight", "markerunits", "markerwidth", "mask", "maskcontentunits", "maskunits", "mode",
        "numoctaves", "offset", "opacity", "operator", "order", "orient", "overflow", "paint-order", "pathlength",
        "patterncontentunits", "patterntransform", "patternunits", "points", "pointsatx", "pointsaty", "pointsatz",
        "preservealpha", "preserveaspectratio", "primitiveunits", "r", "radius", "refx", "refy", "requiredfeatures",
        "requiredextensions", "result", "rotate", "rx", "ry", "scale", "seed", "shape-rendering", "slope",
        "spacing", "specularconstant", "specularexponent", "spreadmethod", "startoffset", "stddeviation",
        "stitchtiles", "stop-color", "stop-opacity", "stroke", "stroke-dasharray", "stroke-dashoffset",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "style",
        "surfacescale", "systemlanguage", "tablevalues", "targetx", "targety", "text-anchor", "text-decoration",
        "text-rendering", "textlength", "transform", "transform-origin", "type", "unicode-bidi", "values",
        "vector-effect", "version", "viewbox", "visibility", "width", "word-spacing", "writing-mode", "x", "x1",
        "x2", "xchannelselector", "y", "y1", "y2", "ychannelselector", "z",
    }
)  # fmt: skip
# The cleaned tree is written with plain names and its namespace declarations as attributes (ElementTree's own
# prefixes would be ns0:, ns1:): the namespaced attributes kept, under the prefixes every SVG tool expects.
_HREF = {"href": "href", f"{{{XLINK_NS}}}href": "xlink:href"}
_XML_ATTRIBUTES = {f"{{{XML_NS}}}space": "xml:space", f"{{{XML_NS}}}lang": "xml:lang"}
_EMBEDS_PICTURES = {"image", "feImage"}

_FRAGMENT = re.compile(r"#[A-Za-z_][\w.:-]*")
_DATA_PICTURE = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[\w.:-]+\1\s*\)""")
_URL = re.compile(
    r"url\s*\(|image-set\s*\(|@import|expression\s*\(|javascript:|vbscript:|data:|-moz-binding|behavior", re.IGNORECASE
)


def _safe_css(text: str) -> bool:
    """CSS (a style attribute, a <style> element, a paint value) that loads nothing: every url() points at an
    element of the drawing itself, and no escape (\\) hides a word from this check."""
    return "\\" not in text and not _URL.search(_LOCAL_URL.sub("", text))


def _safe_href(element: str, value: str) -> bool:
    value = value.strip()
    if _FRAGMENT.fullmatch(value):
        return True
    return element in _EMBEDS_PICTURES and _DATA_PICTURE.fullmatch(value) is not None


def _attributes(element: str, source: ET.Element) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in source.attrib.items():
        if name in _HREF:
            if _safe_href(element, value):
                kept[_HREF[name]] = value
        elif name in _XML_ATTRIBUTES:
            kept[_XML_ATTRIBUTES[name]] = value
        elif not name.startswith("{") and name.lower() in SVG_ATTRIBUTES and _safe_css(value):
            kept[name] = value
    if element == "style" and kept.get("type", "text/css").strip().lower() != "text/css":
        kept.pop("type")
    return kept


class _Rebuild:
    """Copies the allowed part of a parsed SVG into a new tree in the SVG namespace."""

    def __init__(self, namespaced: bool) -> None:
        self.namespaced = namespaced
        self.count = 0

    def local_name(self, tag: object) -> str | None:
        if not isinstance(tag, str):  # a comment or processing instruction
            return None
        if tag.startswith(f"{{{SVG_NS}}}"):
            return tag[len(SVG_NS) + 2 :]
        if not self.namespaced and not tag.startswith("{"):
            return tag  # a drawing written without xmlns: its elements are taken as SVG
        return None

    def copy_children(self, source: ET.Element, target: ET.Element, depth: int) -> None:
        if depth > MAX_SVG_DEPTH:
            raise ImageRefused(_("L'SVG è annidato troppo in profondità."))
        for child in source:
            self.count += 1
            if self.count > MAX_SVG_ELEMENTS:
                raise ImageRefused(_("L'SVG contiene troppi elementi."))
            name = self.local_name(child.tag)
            if name in UNWRAPPED:
                _append_text(target, child.text)
                self.copy_children(child, target, depth + 1)
            elif name in SVG_ELEMENTS and (name != "style" or _safe_css(child.text or "")):
                copy = ET.SubElement(target, name, _attributes(name, child))
                copy.text = child.text
                self.copy_children(child, copy, depth + 1)
            _append_text(target, child.tail)


def _append_text(target: ET.Element, text: str | None) -> None:
    """Keep text that followed or filled a removed element (words of a <text> inside a link)."""
    if not text:
        return
    if len(target):
        last = target[-1]
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


def sanitize_svg(data: bytes) -> bytes:
    """Rebuild an SVG from the allowed elements and attributes (see the module's docstring) and return it as UTF-8
    XML. Refuses (ImageRefused) what is not an SVG document, declares entities, or is too deep or too large.
    Sanitising the result again changes nothing."""
    try:
        root = parse_xml(data)
    except DefusedXmlException:
        raise ImageRefused(_("L'SVG dichiara entità XML, che non sono ammesse: esportalo di nuovo senza DTD."))
    except (ET.ParseError, ValueError):
        raise ImageRefused()
    namespaced = root.tag.startswith("{")
    rebuild = _Rebuild(namespaced)
    if rebuild.local_name(root.tag) != "svg":
        raise ImageRefused()
    clean = ET.Element("svg", {"xmlns": SVG_NS, **_attributes("svg", root)})
    clean.text = root.text
    rebuild.copy_children(root, clean, 1)
    if any(name == "xlink:href" for element in clean.iter() for name in element.attrib):
        clean.set("xmlns:xlink", XLINK_NS)
    return ET.tostring(clean, encoding="utf-8", xml_declaration=True)


# --- storing --------------------------------------------------------------------------------------------------


def storage_name(image: CheckedImage) -> str:
    """images/<first two hex digits>/<SHA-256 of the content>.<extension>: the same file is stored once, and a name
    never changes content, so it can be cached for ever."""
    digest = hashlib.sha256(image.content).hexdigest()
    return f"{STORAGE_PREFIX}/{digest[:2]}/{digest}.{image.extension}"


def store_image(image: CheckedImage) -> str:
    """Save a checked image in the default storage (MEDIA_ROOT) and return its storage name; idempotent."""
    name = storage_name(image)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(image.content))
        if saved != name:  # another process stored the same content meanwhile: the storage chose a new name
            default_storage.delete(saved)
    return name


def image_url(name: str) -> str:
    """The portal's URL of a stored image (served by `cstportal.media.image`)."""
    prefix, shard, filename = name.split("/")
    digest, extension = filename.split(".")
    if prefix != STORAGE_PREFIX:
        raise ValueError(name)
    return reverse("media-image", kwargs={"shard": shard, "digest": digest, "extension": extension})
