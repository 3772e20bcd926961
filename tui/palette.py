"""The dashboard's marks and colours, all taken from :mod:`sim.palette` (the one colour-blind-safe palette
of the terminal, the browser and the report figures), so the map, the tables, the charts, the inspector
and the feed agree: an archetype has one mark and one colour everywhere, a measure one colour on every
chart, reputation runs red (distrusted) → blue (trusted) everywhere, and an event's kind decides the
colour of its sentence in the feed.

Colours are ``#rrggbb`` strings (Rich markup takes them as they are); :func:`rgb` turns one into the
(r, g, b) tuple plotext draws with, so a chart's line and its legend are the same colour exactly.
"""

from __future__ import annotations

from sim import EventKind
from sim.narration import ANNOUNCEMENT
from sim.palette import (
    ARCHETYPE_MARKS,
    BROKEN,
    COMPARE_COLORS,
    EVENT,
    KEPT,
    MEASURE_COLORS,
    OKABE_ITO,
    UNKNOWN,
    archetype_color,
    archetype_mark,
    hex_rgb,
    reputation_hex,
)
from sim.palette import reputation_rgb as _reputation_rgb

GLYPHS = ARCHETYPE_MARKS
LABEL = "#a0a0a0"            # words drawn inside a chart (a panel's name): plain, so colour means a line

#: The colour of an event's key phrase in the feed; kinds not listed are told in the feed's plain colour.
KIND_COLORS: dict[int, str] = {
    EventKind.broken: BROKEN, EventKind.untie: BROKEN, EventKind.renege: BROKEN, EventKind.kept: KEPT,
    EventKind.vouch: OKABE_ITO["reddish_purple"], EventKind.testify: OKABE_ITO["yellow"],
    EventKind.reform: OKABE_ITO["sky_blue"], EventKind.campaign: OKABE_ITO["sky_blue"],
    EventKind.influx: OKABE_ITO["sky_blue"], ANNOUNCEMENT: OKABE_ITO["sky_blue"],
}

__all__ = ["ANNOUNCEMENT", "BROKEN", "COMPARE_COLORS", "EVENT", "GLYPHS", "KEPT", "KIND_COLORS", "LABEL", "MEASURE_COLORS", "UNKNOWN",
           "archetype_color", "glyph", "measure_color", "reputation_color", "reputation_rgb", "rgb"]


def rgb(color: str) -> tuple[int, int, int]:
    """A palette colour as plotext draws it."""
    return hex_rgb(color)


def glyph(index: int) -> str:
    """The mark of archetype ``index``."""
    return archetype_mark(index)


def measure_color(name: str) -> str:
    """A network measure's colour, the same on every chart."""
    return MEASURE_COLORS[name]


def reputation_rgb(value: float) -> tuple[int, int, int]:
    """ColorBrewer RdYlBu: red (distrusted) through pale yellow to blue (trusted); grey when unknown (NaN)."""
    return _reputation_rgb(value)


def reputation_color(value: float) -> str:
    """A Rich colour for a reputation, or the unknown grey (NaN)."""
    return reputation_hex(value)
