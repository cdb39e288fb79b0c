"""Images from third parties (cstportal/images.py): recognised by their content, limited in size, and an SVG rebuilt
without anything that could run or load: the logo of someone else's solution never runs script on the portal."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

import pytest
from PIL import Image

from cstportal import images
from cstportal.errors import Invalid

from . import http_servers as hs

SVG_NS = "{http://www.w3.org/2000/svg}"


def raster(fmt: str, size: tuple[int, int] = (40, 20), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "1" else 1).save(buffer, fmt)
    return buffer.getvalue()


def svg(body: str, *, root: str = 'width="10" height="10"') -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {root}>{body}</svg>'
    ).encode()


def clean(body: str, **kwargs: str) -> str:
    return images.sanitize_svg(svg(body, **kwargs)).decode()


# --- raster images --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "extension", "content_type"),
    [("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg"), ("GIF", "gif", "image/gif"),
     ("WEBP", "webp", "image/webp")],
)  # fmt: skip
def test_each_raster_type_is_recognised_by_its_content(fmt, extension, content_type):
    data = raster(fmt)
    checked = images.check_image(data)
    assert (checked.extension, checked.content_type, checked.width, checked.height) == (
        extension, content_type, 40, 20,
    )  # fmt: skip
    assert checked.content == data  # kept as it is


def test_a_png_named_svg_and_sent_as_svg_is_a_png(settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    logo = raster("PNG")
    with hs.running({"/logo.svg": hs.body(logo, "image/svg+xml")}) as server:
        checked = images.fetch_image(server.url("/logo.svg"))
    assert (checked.extension, checked.content_type, checked.content) == ("png", "image/png", logo)


def test_an_svg_named_png_is_an_svg_and_is_sanitised(settings):
    settings.FETCH_ALLOWED_HOSTS = ["127.0.0.1"]
    hostile = svg('<script>alert(1)</script><rect width="5" height="5"/>')
    with hs.running({"/logo.png": hs.body(hostile, "image/png")}) as server:
        checked = images.fetch_image(server.url("/logo.png"))
    assert checked.extension == "svg"
    assert b"script" not in checked.content
    assert b"<rect" in checked.content


def test_fetching_an_image_keeps_the_address_rules(settings):
    settings.FETCH_ALLOWED_HOSTS = []
    with hs.running({"/logo.png": hs.body(raster("PNG"), "image/png")}) as server:
        with pytest.raises(Invalid):
            images.fetch_image(server.url("/logo.png"))
        assert server.seen == []


@pytest.mark.parametrize(
    "data",
    [b"<!doctype html><html><body><svg></svg><script>alert(1)</script></body></html>",
     b"<html xmlns='http://www.w3.org/1999/xhtml'><script>alert(1)</script></html>",
     b"GIF8", b"just some text", b"%PDF-1.7\n", b"\x00\x01\x02",
     b"<?xml version='1.0'?><note><svg xmlns='http://www.w3.org/2000/svg'/></note>"],
    ids=["html", "xhtml", "short gif", "text", "pdf", "binary", "xml with an svg inside"],
)  # fmt: skip
def test_what_is_not_an_image_is_refused(data):
    with pytest.raises(images.ImageRefused) as refused:
        images.check_image(data)
    assert refused.value.code == "image_refused"


def test_an_empty_file_is_refused():
    with pytest.raises(images.ImageRefused, match="vuoto"):
        images.check_image(b"")


def test_a_damaged_png_is_refused():
    data = raster("PNG")
    damaged = data[:40] + bytes(b ^ 0xFF for b in data[40:80]) + data[80:]
    with pytest.raises(images.ImageRefused, match="danneggiato"):
        images.check_image(damaged)


def test_a_signature_followed_by_nothing_is_refused():
    with pytest.raises(images.ImageRefused):
        images.check_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)


def test_a_file_beyond_the_byte_limit_is_refused():
    with pytest.raises(images.ImageRefused, match="1 KB"):
        images.check_image(raster("PNG", (300, 300), "RGB") + b"\x00" * 2048, max_bytes=1024)


def test_dimensions_beyond_the_limits_are_refused_from_the_header():
    # 6000×6000 at one bit per pixel is 4 KB of PNG and 36 million pixels once decoded.
    with pytest.raises(images.ImageRefused, match="6000×6000"):
        images.check_image(raster("PNG", (6000, 6000), "1"))
    with pytest.raises(images.ImageRefused):
        images.check_image(raster("PNG", (400, 100)), max_side=300)
    with pytest.raises(images.ImageRefused):
        images.check_image(raster("PNG", (300, 300)), max_pixels=80_000)


# --- SVG ------------------------------------------------------------------------------------------------------


def test_a_script_element_is_removed_with_its_content():
    out = clean(
        '<script>alert(document.cookie)</script><script xlink:href="https://evil.example/x.js"/><circle r="4"/>'
    )
    assert "script" not in out and "alert" not in out and "evil" not in out
    assert "<circle" in out


def test_event_handlers_are_removed_in_any_case():
    out = clean(
        '<rect width="5" height="5" onclick="alert(1)" ONMOUSEOVER="alert(2)" onfocusin="alert(3)"/>',
        root='width="10" onload="alert(4)"',
    )
    assert "alert" not in out and "on" not in out.lower().replace("version", "")
    assert '<rect width="5" height="5" />' in out


def test_javascript_links_are_removed():
    out = clean(
        '<a xlink:href="javascript:alert(1)"><text x="1" y="9">Comune di Fano</text></a>'
        '<a href="javascript:alert(2)">tail</a>'
        '<use xlink:href="javascript:alert(3)"/>'
    )
    assert "javascript" not in out and "alert" not in out and "<a" not in out
    assert ">Comune di Fano</text>" in out  # the link's content stays
    assert "tail" in out


def test_foreign_objects_and_animations_are_removed():
    out = clean(
        '<foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml">'
        '<iframe src="https://evil.example/"/><script>alert(1)</script></body></foreignObject>'
        '<a><animate attributeName="href" values="javascript:alert(2)"/>x</a>'
        '<set attributeName="onclick" to="alert(3)"/>'
        '<animateTransform attributeName="transform" type="rotate"/>'
        '<handler type="application/ecmascript">alert(4)</handler>'
    )
    for word in ("foreignObject", "iframe", "script", "animate", "set", "handler", "alert", "evil"):
        assert word not in out, word


def test_external_references_are_removed_and_internal_ones_kept():
    out = clean(
        '<defs><linearGradient id="g1"><stop offset="0" stop-color="#123456"/></linearGradient>'
        '<path id="p1" d="M0 0 L5 5"/></defs>'
        '<use xlink:href="#p1"/><use href="https://evil.example/sprite.svg#icon"/>'
        '<use xlink:href="sprite.svg#icon"/>'
        '<rect width="5" height="5" fill="url(#g1)" style="stroke: url(\'#g1\')"/>'
        '<rect width="5" height="5" fill="url(https://evil.example/track.svg#g)"/>'
        '<rect width="5" height="5" style="fill:red; background-image: url(//evil.example/x.png)"/>'
        '<image width="1" height="1" href="https://evil.example/pixel.png"/>'
        '<image width="1" height="1" xlink:href="data:image/png;base64,iVBORw0KGgo="/>'
        '<image width="1" height="1" href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0Lz48L3N2Zz4="/>'
        '<feImage href="https://evil.example/x.png"/>'
    )
    assert "evil" not in out and "sprite" not in out and "svg+xml" not in out
    assert 'xlink:href="#p1"' in out and 'xmlns:xlink="http://www.w3.org/1999/xlink"' in out
    assert 'fill="url(#g1)"' in out and "stroke: url('#g1')" in out
    assert 'xlink:href="data:image/png;base64,iVBORw0KGgo="' in out


def test_style_sheets_that_load_or_escape_are_removed():
    out = clean(
        "<style>.a { fill: url(#g) } .b { stroke: #000 }</style>"
        '<style>@import url("https://evil.example/x.css");</style>'
        "<style>.c { background: u\\72l(https://evil.example/) }</style>"
        "<style>.d { behavior: url(x.htc) }</style>"
        "<style><![CDATA[ .e { fill: url(data:image/png;base64,AAAA) } ]]></style>"
    )
    assert out.count("<style>") == 1
    assert ".a { fill: url(#g) } .b { stroke: #000 }" in out
    assert "evil" not in out and "import" not in out and "behavior" not in out and "data:" not in out


def test_editor_namespaces_and_metadata_are_dropped():
    out = clean(
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>'
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"/>'
        '<g xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:label="Livello 1">'
        '<path d="M0 0h5v5z" xml:space="preserve"/></g>'
    )
    assert "rdf" not in out and "sodipodi" not in out and "inkscape" not in out and "metadata" not in out
    assert '<g><path d="M0 0h5v5z" xml:space="preserve" /></g>' in out


def test_entity_declarations_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + svg("&b;")
    with pytest.raises(images.ImageRefused, match="entità"):
        images.sanitize_svg(bomb)
    external = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg("&x;")
    with pytest.raises(images.ImageRefused):
        images.sanitize_svg(external)


def test_the_standard_doctype_of_an_svg_is_accepted():
    data = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        + svg('<rect width="1" height="1"/>')
    )
    assert images.check_image(data).extension == "svg"


def test_the_result_is_an_svg_document_and_sanitising_it_again_changes_nothing():
    out = images.sanitize_svg(
        svg(
            '<title>Logo del Comune</title><defs><radialGradient id="r"><stop offset="1"/></radialGradient></defs>'
            '<switch><foreignObject requiredExtensions="http://ns.adobe.com/AdobeIllustrator/10.0/"/>'
            '<g><text x="0" y="5" font-family="Titillium Web">Città di Urbino <tspan>àèì</tspan></text></g></switch>'
            '<a xlink:href="#r"><circle r="2" fill="url(#r)" onclick="x()"/></a>',
            root='viewBox="0 0 100 40" width="100" height="40" preserveAspectRatio="xMidYMid meet" onload="x()"',
        )
    )
    root = ET.fromstring(out)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 100 40" and root.get("onload") is None
    assert root.find(f"{SVG_NS}switch/{SVG_NS}g/{SVG_NS}text").text == "Città di Urbino "
    assert images.sanitize_svg(out) == out


def test_an_svg_without_namespace_is_written_in_the_svg_namespace():
    out = images.sanitize_svg(b'<svg width="4" height="4"><rect width="4" height="4" onclick="x()"/></svg>')
    root = ET.fromstring(out)
    assert root.tag == f"{SVG_NS}svg" and root[0].tag == f"{SVG_NS}rect"
    assert root[0].attrib == {"width": "4", "height": "4"}


def test_elements_in_other_case_are_not_taken_for_allowed_ones():
    out = clean("<SCRIPT>alert(1)</SCRIPT><Script>alert(2)</Script><foreignobject>alert(3)</foreignobject>")
    assert "alert" not in out


def test_an_svg_with_too_many_elements_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_SVG_ELEMENTS", 100)
    with pytest.raises(images.ImageRefused, match="troppi elementi"):
        images.sanitize_svg(svg('<rect width="1" height="1"/>' * 101))


def test_a_deeply_nested_svg_is_refused():
    with pytest.raises(images.ImageRefused, match="profondità"):
        images.sanitize_svg(svg("<g>" * 150 + "</g>" * 150))


def test_malformed_xml_is_refused():
    with pytest.raises(images.ImageRefused):
        images.check_image(b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>')
