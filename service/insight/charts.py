"""Charts drawn on the server with matplotlib (Agg, SVG text): they work offline, in the page
and in the exported HTML file. Each chart is an ``<svg role="img">`` with a title and a
description (its text alternative); callers put a data table beside it."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

#: Bins of the best-score histogram (on the strength scale, 0–1).
HISTOGRAM_BINS = 20


@dataclass(frozen=True, slots=True)
class Histogram:
    """A histogram's bins: edges (``len(counts) + 1`` of them) and counts."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]


def histogram(values: Sequence[float], *, bins: int = HISTOGRAM_BINS) -> Histogram:
    """Counts of ``values`` in ``bins`` equal bins over [0, 1]."""
    counts, edges = np.histogram(
        np.clip(np.asarray(values, dtype=float), 0, 1), bins=bins, range=(0, 1)
    )
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
        axes.axvline(weak, color="#b35900", linestyle="--", label=f"weakly served from {weak:.2f}")
        axes.axvline(served, color="#1b7837", linestyle="-", label=f"served from {served:.2f}")
        axes.set_xlim(0, 1)
        axes.set_xlabel("best academic match (calibrated strength)")
        axes.set_ylabel("needs and challenges")
        axes.legend(loc="upper left", frameon=False, fontsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _accessible(buffer.getvalue(), title, description)
