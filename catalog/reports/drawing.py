"""The dashboards' charts drawn without a browser: once as shapes, then as PDF drawing (fpdf2) or as inline SVG.

The dashboards draw their charts with Chart.js in the visitor's browser; a report is built by a worker, so it lays out
the same chart itself. `layout` turns a chart into a few shapes in millimetres (bars, lines, doughnut sectors, text)
and the two back ends only translate them: the PDF and the HTML version of a report show one picture. Text widths
are estimated (half the font size per character), so labels are wrapped and shortened the same way in both.

A chart is never the only place of its figures: every report gives, beside each chart, a sentence with the figures
(its text alternative) and the table with the same data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from catalog.reports.documents import Chart

# The palette of static/js/charts.js (Bootstrap Italia colours, enough contrast against white).
COLOURS = ["#0066CC", "#008055", "#995C00", "#5C6F82", "#CC334D", "#17324D", "#00665E", "#7A2E8A"]
INK = "#1A1A1A"
GRID = "#C5C7C9"
PT = 0.3528  # millimetres in a typographic point
WIDTH = 180.0  # within the PDF's text width (A4 less 10 mm margins); the SVG scales to its container


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    colour: str


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 0.2


@dataclass(frozen=True)
class Sector:
    cx: float
    cy: float
    r: float
    start: float  # degrees, clockwise from twelve o'clock
    end: float
    colour: str


@dataclass(frozen=True)
class Disc:
    cx: float
    cy: float
    r: float
    colour: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = 7.0  # points
    anchor: str = "start"  # start, middle, end
    bold: bool = False


Shape = Rect | Line | Sector | Disc | Text


@dataclass
class Drawing:
    width: float
    height: float
    shapes: list[Shape]


def _number(value: float) -> str:
    from catalog.reports.documents import display  # documents imports this module: read it when drawing

    return display(int(value) if float(value).is_integer() else round(float(value), 1))


def _fit(text: str, width: float, size: float, *, lines: int = 1) -> list[str]:
    """`text` wrapped at word boundaries into at most `lines` lines of `width` mm; the last one shortened with …"""
    per_line = max(int(width / (size * PT * 0.5)), 4)
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= per_line:
            line += " " + words.pop(0)
        out.append(line)
    if words or (out and len(out[-1]) > per_line):
        out[-1] = out[-1][: per_line - 1].rstrip() + "…"
    return out


def _top(values: list[float]) -> float:
    """The value axis' top: a whole number, even from 2 up, so that the middle tick is a whole number too."""
    top = math.ceil(max(values, default=0.0))
    return float(top + top % 2 if top > 1 else 1)


def _legend(series: list[tuple[str, list[float]]], y: float) -> list[Shape]:
    shapes: list[Shape] = []
    x = 0.0
    for i, (label, _values) in enumerate(series):
        shapes.append(Rect(x, y - 2.6, 3, 3, COLOURS[i % len(COLOURS)]))
        shapes.append(Text(x + 4.5, y, label, 7.5))
        x += 4.5 + len(label) * 7.5 * PT * 0.5 + 8
    return shapes


def _value_axis(x0: float, x1: float, y0: float, height: float, top: float) -> list[Shape]:
    shapes: list[Shape] = []
    steps = [0.0, top / 2, top] if top >= 2 else [0.0, top]
    for value in steps:
        y = y0 + height - height * value / top
        shapes.append(Line(((x0, y), (x1, y)), GRID, 0.15))
        shapes.append(Text(x0 - 1.5, y + 1, _number(value), 6.5, "end"))
    return shapes


def _columns(chart: Chart, series: list[tuple[str, list[float]]], width: float) -> Drawing:
    """Vertical bars (grouped when there is more than one series) or, for a line chart, points joined by a line."""
    legend = 7.0 if len(series) > 1 else 0.0
    x0, x1, y0, plot_h = 12.0, width - 2, legend + 3, 46.0
    top = _top([v for _label, values in series for v in values])
    shapes: list[Shape] = _legend(series, 4) if legend else []
    shapes += _value_axis(x0, x1, y0, plot_h, top)
    n = max(len(chart.labels), 1)
    step = (x1 - x0) / n
    base = y0 + plot_h
    if chart.type == "line":
        every = max(math.ceil(n / 12), 1)
        for s, (_label, values) in enumerate(series):
            colour = COLOURS[s % len(COLOURS)]
            points = tuple((x0 + step * (i + 0.5), base - plot_h * v / top) for i, v in enumerate(values))
            if len(points) > 1:
                shapes.append(Line(points, colour, 0.6))
            shapes += [Rect(x - 0.8, y - 0.8, 1.6, 1.6, colour) for x, y in points]
        for i, label in enumerate(chart.labels):
            if i % every == 0:
                shapes.append(Text(x0 + step * (i + 0.5), base + 4, label, 6.5, "middle"))
        label_lines = 1
    else:
        bar = step * 0.7 / len(series)
        for s, (_label, values) in enumerate(series):
            colour = COLOURS[s % len(COLOURS)]
            for i, v in enumerate(values):
                h = plot_h * v / top
                x = x0 + step * i + step * 0.15 + bar * s
                shapes.append(Rect(x, base - h, bar, h, colour))
                shapes.append(Text(x + bar / 2, base - h - 1, _number(v), 6, "middle"))
        label_lines = 3
        for i, label in enumerate(chart.labels):
            for j, line in enumerate(_fit(label, step - 1, 6.5, lines=label_lines)):
                shapes.append(Text(x0 + step * (i + 0.5), base + 3.5 + j * 2.8, line, 6.5, "middle"))
    shapes.append(Line(((x0, base), (x1, base)), INK, 0.3))
    return Drawing(width, base + 2 + label_lines * 2.8, shapes)


def _rows(chart: Chart, series: list[tuple[str, list[float]]], width: float) -> Drawing:
    """Horizontal bars: one row per label, the label on the left, the value after the bar."""
    legend = 7.0 if len(series) > 1 else 0.0
    label_w, x0, x1 = 62.0, 64.0, width - 12
    row_h = max(6.0, 2.2 * len(series) + 1.5)
    top = _top([v for _label, values in series for v in values])
    shapes: list[Shape] = _legend(series, 4) if legend else []
    y = legend + 1
    bar = (row_h - 1.5) / len(series)
    for i, label in enumerate(chart.labels):
        lines = _fit(label, label_w, 6.5, lines=2)
        for j, line in enumerate(lines):
            shapes.append(Text(label_w, y + row_h / 2 + 1 - (len(lines) - 1) * 1.3 + j * 2.6, line, 6.5, "end"))
        for s, (_label, values) in enumerate(series):
            w = (x1 - x0) * values[i] / top
            by = y + 0.75 + bar * s
            shapes.append(Rect(x0, by, w, bar, COLOURS[s % len(COLOURS)]))
            shapes.append(Text(x0 + w + 1.2, by + bar / 2 + 1, _number(values[i]), 6.5))
        y += row_h
    shapes.append(Line(((x0, legend + 1), (x0, y)), INK, 0.3))
    return Drawing(width, y + 1, shapes)


def _doughnut(chart: Chart, series: list[tuple[str, list[float]]], width: float) -> Drawing:
    values = series[0][1]
    total = sum(values)
    r, inner, cx, cy = 24.0, 13.0, 28.0, 27.0
    shapes: list[Shape] = []
    angle = 0.0
    for i, v in enumerate(values):
        if v <= 0:
            continue
        sweep = 360.0 * v / total
        colour = COLOURS[i % len(COLOURS)]
        shapes.append(Disc(cx, cy, r, colour) if sweep >= 359.99 else Sector(cx, cy, r, angle, angle + sweep, colour))
        angle += sweep
    shapes.append(Disc(cx, cy, inner, "#FFFFFF"))
    y = 8.0
    for i, (label, v) in enumerate(zip(chart.labels, values, strict=True)):
        share = _number(round(100 * v / total, 1)) if total else "0"
        shapes.append(Rect(62, y - 2.6, 3, 3, COLOURS[i % len(COLOURS)]))
        shapes.append(Text(67, y, f"{label}: {_number(v)} ({share}%)", 7.5))
        y += 6
    return Drawing(width, max(2 * cy, y), shapes)


def layout(chart: Chart, *, width: float = WIDTH) -> Drawing | None:
    """The chart as shapes, or None when there is nothing to draw (no rows, or a doughnut of zeros)."""
    series = [(label, [float(v or 0) for v in values]) for label, values in chart.series]
    if not chart.labels or not series:
        return None
    if chart.type == "doughnut":
        return _doughnut(chart, series, width) if sum(series[0][1]) > 0 else None
    if chart.horizontal:
        return _rows(chart, series, width)
    return _columns(chart, series, width)


# --- PDF --------------------------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def draw_pdf(pdf: Any, drawing: Drawing, *, x: float, y: float, font: str) -> None:
    """Draw at (x, y) on the current page of an fpdf2 document (the caller made room for `drawing.height`). Colours,
    line width and font are the drawing's own: the document's are restored afterwards."""
    with pdf.local_context():
        _draw_pdf_shapes(pdf, drawing, x=x, y=y, font=font)


def _draw_pdf_shapes(pdf: Any, drawing: Drawing, *, x: float, y: float, font: str) -> None:
    for shape in drawing.shapes:
        if isinstance(shape, Rect):
            if shape.w > 0 and shape.h > 0:
                pdf.set_fill_color(*_rgb(shape.colour))
                pdf.rect(x + shape.x, y + shape.y, shape.w, shape.h, style="F")
        elif isinstance(shape, Line):
            pdf.set_draw_color(*_rgb(shape.colour))
            pdf.set_line_width(shape.width)
            pdf.polyline([(x + px, y + py) for px, py in shape.points])
        elif isinstance(shape, Sector):
            pdf.set_fill_color(*_rgb(shape.colour))
            # fpdf2 counts angles counter-clockwise from three o'clock, with y pointing down the page.
            pdf.solid_arc(
                x + shape.cx - shape.r,
                y + shape.cy - shape.r,
                2 * shape.r,
                shape.start - 90,
                shape.end - 90,
                clockwise=False,
                style="F",
            )
        elif isinstance(shape, Disc):
            pdf.set_fill_color(*_rgb(shape.colour))
            pdf.circle(x + shape.cx, y + shape.cy, shape.r, style="F")
        else:
            pdf.set_font(font, "B" if shape.bold else "", shape.size)
            pdf.set_text_color(*_rgb(INK))
            left = x + shape.x
            if shape.anchor != "start":
                width = pdf.get_string_width(shape.text)
                left -= width / 2 if shape.anchor == "middle" else width
            pdf.text(left, y + shape.y, shape.text)


# --- SVG --------------------------------------------------------------------------------------------------------


def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _sector_path(s: Sector) -> str:
    def point(angle: float) -> str:
        rad = math.radians(angle)
        return f"{_f(s.cx + s.r * math.sin(rad))} {_f(s.cy - s.r * math.cos(rad))}"

    large = 1 if s.end - s.start > 180 else 0
    return f"M{_f(s.cx)} {_f(s.cy)} L{point(s.start)} A{_f(s.r)} {_f(s.r)} 0 {large} 1 {point(s.end)} Z"


_BOLD = ' font-weight="bold"'
_SVG_SHAPES: dict[type, Callable[[Any], str]] = {
    Rect: lambda s: (
        f'<rect x="{_f(s.x)}" y="{_f(s.y)}" width="{_f(s.w)}" height="{_f(s.h)}" fill="{s.colour}"/>'
        if s.w > 0 and s.h > 0
        else ""
    ),
    Line: lambda s: (
        f'<polyline points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in s.points)}" fill="none" '
        f'stroke="{s.colour}" stroke-width="{_f(s.width)}"/>'
    ),
    Sector: lambda s: f'<path d="{_sector_path(s)}" fill="{s.colour}"/>',
    Disc: lambda s: f'<circle cx="{_f(s.cx)}" cy="{_f(s.cy)}" r="{_f(s.r)}" fill="{s.colour}"/>',
    Text: lambda s: (
        f'<text x="{_f(s.x)}" y="{_f(s.y)}" font-size="{_f(s.size * PT)}" text-anchor="{s.anchor}"'
        f"{_BOLD if s.bold else ''}>{escape(s.text)}</text>"
    ),
}


def svg(drawing: Drawing, *, dom_id: str, title: str, description: str) -> str:
    """Inline SVG (units: millimetres of the PDF's layout) named by its title and described by the chart's summary."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(drawing.width)} {_f(drawing.height)}" '
        f'role="img" aria-labelledby="{dom_id}-t {dom_id}-d" id={quoteattr(dom_id)} class="chart" '
        f'font-family="Titillium Web, Geneva, Tahoma, sans-serif" fill="{INK}">',
        f'<title id="{dom_id}-t">{escape(title)}</title>',
        f'<desc id="{dom_id}-d">{escape(description)}</desc>',
    ]
    parts += [_SVG_SHAPES[type(shape)](shape) for shape in drawing.shapes]
    parts.append("</svg>")
    return "".join(parts)
