"""How every report figure looks: slide-sized, large type, the project's palette, reproducible files.

A figure is 12.8 x 7.2 inches (16:9), saved as PNG at 150 dpi (1920 x 1080, a full-HD slide), as SVG
and as PDF. Type is sized for the back of a room: 15-point tick labels and legends at that size, larger
titles. Colours come from :mod:`sim.palette` only (the dashboard's), turned here into matplotlib's
types. Files carry no date and SVG ids come from a fixed salt, so the same input gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure

from .. import palette

SLIDE = (12.8, 7.2)          # inches: 16:9
DPI = 150                    # 12.8 x 150 = 1920 pixels wide
FORMATS = ("svg", "png", "pdf")

RC: dict[str, Any] = {
    "font.size": 15, "axes.titlesize": 17, "axes.labelsize": 15, "xtick.labelsize": 13,
    "ytick.labelsize": 13, "legend.fontsize": 13, "legend.title_fontsize": 13, "figure.titlesize": 20,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "lines.linewidth": 2.2, "figure.dpi": DPI, "savefig.dpi": DPI, "svg.fonttype": "path",
    "svg.hashsalt": "trustsim-report", "pdf.fonttype": 42, "legend.frameon": False,
}

#: The palette's archetype marks as matplotlib markers (the same shape, in matplotlib's own code).
MARKERS = {"●": "o", "▲": "^", "■": "s", "◆": "D", "★": "*", "✚": "P", "▼": "v", "♦": "d"}
#: No dates in the files, so that the same input gives the same bytes.
METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}, "png": {}}


def archetype_marker(index: int) -> str:
    """The matplotlib marker of the ``index``-th archetype (its palette mark)."""
    return MARKERS[palette.archetype_mark(index)]


def reputation_colormap() -> tuple[LinearSegmentedColormap, Normalize]:
    """The palette's reputation scale (red distrusted → blue trusted) and the range it spans."""
    stops = palette.REPUTATION_STOPS
    low, high = stops[0][0], stops[-1][0]
    cmap = LinearSegmentedColormap.from_list(
        "reputation", [((value - low) / (high - low), color) for value, color in stops])
    return cmap.with_extremes(bad=palette.UNKNOWN), Normalize(low, high, clip=True)


@contextmanager
def applied() -> Iterator[None]:
    """The report's style, for drawing and saving (matplotlib reads most of it when a text is made)."""
    with matplotlib.rc_context(RC):
        yield


def new(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = SLIDE,
        **kwargs: Any) -> tuple[Figure, Any]:
    """A slide-sized figure and its axes as a 2-D array (a plain Figure: no pyplot, no global state)."""
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def render(fig: Figure, fmt: str) -> bytes:
    """The figure's bytes in ``fmt`` (svg, png or pdf), without dates."""
    buffer = io.BytesIO()
    with applied():
        fig.savefig(buffer, format=fmt, metadata=METADATA[fmt])
    return buffer.getvalue()
