"""The dashboard's marks and colours, in one place so the map, the tables, the charts, the inspector and the
feed agree: an archetype has one mark everywhere, reputation runs red → green everywhere, and an event's
kind decides the colour of its sentence in the feed.
"""

from __future__ import annotations

from sim import EventKind

GLYPHS = "●▲■◆★✚▼♦"
#: One line colour per archetype, in archetype order (plotext colour names).
LINE_COLORS = ("green", "cyan", "magenta", "orange", "blue", "yellow", "red", "white")
#: plotext colour names that Rich spells differently (for legends drawn with Rich markup).
RICH_COLORS = {"orange": "dark_orange"}
UNKNOWN = "grey42"           # an agent nobody has an opinion of yet

#: The colour of an event's key phrase in the feed; kinds not listed are told in the feed's plain colour.
KIND_COLORS: dict[int, str] = {
    EventKind.broken: "red", EventKind.untie: "red", EventKind.kept: "green", EventKind.vouch: "magenta",
    EventKind.testify: "yellow", EventKind.reform: "cyan", EventKind.campaign: "cyan", EventKind.influx: "cyan",
}


def glyph(index: int) -> str:
    """The mark of archetype ``index``."""
    return GLYPHS[index % len(GLYPHS)]


def reputation_rgb(value: float) -> tuple[int, int, int]:
    """Red (distrusted) through amber to green (trusted); 0.3 and below is fully red, 0.8 up fully green."""
    t = min(1.0, max(0.0, (value - 0.3) / 0.5))
    if t < 0.5:
        return 220, int(60 + 300 * t), 60
    return int(220 - 340 * (t - 0.5)), 210, int(60 + 40 * (t - 0.5))


def reputation_color(value: float) -> str:
    """A Rich colour for a reputation: ``rgb(r,g,b)``, or grey when it is unknown (NaN)."""
    return f"rgb{reputation_rgb(value)}" if value == value else UNKNOWN
