"""Charts drawn on the server as inline SVG (matplotlib, no JavaScript, no network), each with
a text alternative and the data table it was drawn from, so that a page and an exported file
show the same thing, a screen reader reads it, and a reader can copy the numbers.

matplotlib is used through its object API (``Figure`` and the SVG canvas, never ``pyplot``):
no global figure state, so two requests can draw at once.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

#: The dashboard's palette (colour-blind safe: Okabe-Ito), one colour per series in order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")


@dataclass(frozen=True, slots=True)
class Table:
    """The numbers behind a chart: column headings and rows of cells (already formatted)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart as the pages show it.

    Attributes:
        id: an id for the page's anchors (unique on a page).
        title: its heading.
        alt: the text alternative (what the chart shows, in a sentence or two).
        svg: the drawing, inline SVG (empty when there is nothing to draw).
        table: the data it was drawn from.
        note: a line under it (how the figures were computed).
    """

    id: str
    title: str
    alt: str
    svg: str
    table: Table
    note: str = ""


@dataclass(frozen=True, slots=True)
class Series:
    """One named series of values (one per label)."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Drawing:
    """What to draw: labels along one axis, one or more series, and how."""

    labels: tuple[str, ...]
    series: tuple[Series, ...]
    kind: str = "bar"  # "bar", "stacked", "barh", "line"
    ylabel: str = ""
    size: tuple[float, float] = (7.0, 3.2)


_HEAD = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def draw(drawing: Drawing, *, chart_id: str) -> str:
    """``drawing`` as inline SVG (no XML prologue), text as paths so the file needs no fonts.

    Raises:
        ValueError: an unknown ``kind`` (programmer misuse).
    """
    if drawing.kind not in ("bar", "stacked", "barh", "line"):
        raise ValueError(f"unknown chart kind {drawing.kind!r}; use bar, stacked, barh or line")
    if not drawing.labels:
        return ""
    import matplotlib

    # ids inside the SVG derive from the salt: one per chart keeps ids unique on a page
    with matplotlib.rc_context(
        {"svg.fonttype": "path", "svg.hashsalt": f"ke-matcher-{chart_id}", "font.size": 9}
    ):
        return _scoped(_presentational(_render(drawing)), chart_id)


_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)


def _presentational(svg: str) -> str:
    """``svg`` with matplotlib's CSS (``style`` attributes and its ``<style>`` element) turned
    into SVG presentation attributes, which the pages' Content-Security-Policy (``style-src
    'self'``, no inline styles) lets through."""

    def attributes(css: str) -> str:
        pairs = [p.split(":", 1) for p in css.split(";") if ":" in p]
        return "".join(f' {k.strip()}="{v.strip()}"' for k, v in pairs if k.strip())

    rules = _STYLE_ELEMENT.search(svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTR.sub(lambda m: attributes(m.group(1)), svg)
    if rules:  # matplotlib's one rule is for every element (``*{...}``): inherited from the root
        body = rules.group(1).split("{", 1)[-1].split("}", 1)[0]
        svg = svg.replace("<svg ", "<svg" + attributes(body) + " ", 1)
    return svg


_ID = re.compile(r'\bid="([^"]+)"')


def _scoped(svg: str, chart_id: str) -> str:
    """``svg`` with every id (and every reference to one) prefixed by ``chart_id``: inline SVGs
    share one document, where matplotlib's glyph and clip-path ids would repeat."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    names = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    prefix = f"c-{chart_id}-"
    svg = re.sub(rf'\bid="({names})"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(rf'href="#({names})"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    return re.sub(rf"url\(#({names})\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)


def _render(drawing: Drawing) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=drawing.size, layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    positions = list(range(len(drawing.labels)))
    bottom = [0.0] * len(positions)
    width = 0.8 / max(1, len(drawing.series)) if drawing.kind == "bar" else 0.8
    for number, series in enumerate(drawing.series):
        colour = PALETTE[number % len(PALETTE)]
        values = list(series.values)
        if drawing.kind == "line":
            axes.plot(positions, values, marker="o", color=colour, label=series.name)
        elif drawing.kind == "barh":
            axes.barh(positions, values, color=colour, label=series.name)
        elif drawing.kind == "stacked":
            axes.bar(positions, values, 0.8, bottom=bottom, color=colour, label=series.name)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        else:
            shift = (number - (len(drawing.series) - 1) / 2) * width
            axes.bar([p + shift for p in positions], values, width, color=colour, label=series.name)
    _axes_labels(axes, drawing, positions)
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return _HEAD.sub("", out.getvalue(), count=1)


def _axes_labels(axes: object, drawing: Drawing, positions: list[int]) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)  # the caller made it
    many = len(drawing.labels) > 8
    if drawing.kind == "barh":
        axes.set_yticks(positions, list(drawing.labels))
        axes.invert_yaxis()
        axes.set_xlabel(drawing.ylabel)
    else:
        step = max(1, len(positions) // 12)  # at most about a dozen labels on the axis
        shown = positions[::step]
        axes.set_xticks(
            shown, [drawing.labels[p] for p in shown], rotation=45 if many else 0, ha="right"
        )
        axes.set_ylabel(drawing.ylabel)
    axes.spines[["top", "right"]].set_visible(False)
    if len(drawing.series) > 1:
        axes.legend(frameon=False, fontsize=8)


def number(value: float | int | None, *, digits: int = 0, percent: bool = False) -> str:
    """A figure as a table shows it (``–`` for none)."""
    if value is None:
        return "–"
    if percent:
        return f"{value * 100:.{digits}f}%"
    return f"{value:,.{digits}f}"


def table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
    """A :class:`Table` from cells of any type (``None`` shown as ``–``)."""
    return Table(
        tuple(columns),
        tuple(tuple("–" if c is None else str(c) for c in row) for row in rows),
    )


# ----------------------------------------------------------------- the gap report's histogram

#: Width of a bin of the best-score histogram (on the gap measure's scale: robust standard
#: deviations from the typical best score).
HISTOGRAM_WIDTH = 0.5


@dataclass(frozen=True, slots=True)
class Histogram:
    """A histogram's bins: edges (``len(counts) + 1`` of them) and counts."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]


def histogram(
    values: Sequence[float],
    *,
    marks: Sequence[float] = (),
    width: float = HISTOGRAM_WIDTH,
    limits: tuple[float, float] = (-10.0, 10.0),
) -> Histogram:
    """Counts of ``values`` in bins of ``width``, from a whole number of widths below the
    lowest value (or mark: the thresholds are always on the axis) to above the highest, within
    ``limits``."""
    data = np.clip(np.asarray(values, dtype=float), *limits)
    span = np.concatenate([data, np.asarray(marks, dtype=float)])
    if span.size == 0:
        span = np.array([-1.0, 1.0])
    low = max(limits[0], float(np.floor(span.min() / width)) * width - width)
    high = min(limits[1], float(np.ceil(span.max() / width)) * width + width)
    count = max(1, round((high - low) / width))
    counts, edges = np.histogram(data, bins=count, range=(low, low + count * width))
    return Histogram(tuple(round(float(e), 3) for e in edges), tuple(int(c) for c in counts))


def _accessible(svg: str, title: str, description: str) -> str:
    """The SVG without its XML prologue, as ``role="img"`` with a title and description."""
    body = svg[svg.index("<svg") :]
    body = re.sub(
        r"<svg\b", '<svg role="img" aria-labelledby="chart-title chart-desc"', body, count=1
    )
    head = (
        f'<title id="chart-title">{html.escape(title)}</title>'
        f'<desc id="chart-desc">{html.escape(description)}</desc>'
    )
    return re.sub(r"(<svg[^>]*>)", r"\1" + head.replace("\\", "\\\\"), body, count=1)


def histogram_svg(
    data: Histogram, *, served: float, weak: float, title: str, description: str
) -> str:
    """The histogram of best scores with the two thresholds drawn as lines, as inline SVG."""
    # a Figure of its own (no pyplot: no global state, no display backend)
    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.subplots()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "ke-matcher"}):  # text stays text
        lefts = np.array(data.edges[:-1])
        width = float(data.edges[1] - data.edges[0]) if len(data.edges) > 1 else 0.05
        axes.bar(lefts, data.counts, width=width, align="edge", color="#4a6fa5", edgecolor="white")
        axes.axvline(weak, color="#b35900", linestyle="--", label=f"weakly served from {weak:+.1f}")
        axes.axvline(served, color="#1b7837", linestyle="-", label=f"served from {served:+.1f}")
        axes.set_xlim(data.edges[0], data.edges[-1])
        axes.set_xlabel("best academic score: spreads from the typical best of its type")
        axes.set_ylabel("needs and challenges")
        axes.legend(loc="upper left", frameon=False, fontsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    # no inline styles (the pages' Content-Security-Policy), ids unique on the page
    return _scoped(_presentational(_accessible(buffer.getvalue(), title, description)), "gaps")
