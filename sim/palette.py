"""The one palette of everything that draws the model: the dashboard, the browser view and the reports.

Colour-blind safe: series and archetypes take the Okabe–Ito colours (Okabe & Ito, "Color Universal
Design", 2008), reputation runs along ColorBrewer's RdYlBu scale (red distrusted, blue trusted; a
diverging scale readable with every common colour-vision deficiency, where red→green is not). A measure
has the same colour on every chart, and an archetype the same colour and mark everywhere. Plain data
only (hex strings): each drawing library turns them into its own colour type.
"""

from __future__ import annotations

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "bluish_green": "#009E73", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7", "sky_blue": "#56B4E9", "yellow": "#F0E442", "grey": "#999999",
}

#: Each network measure's colour, the same on every chart.
MEASURE_COLORS: dict[str, str] = {
    "mean_trust": OKABE_ITO["blue"],
    "evidence_weight": OKABE_ITO["grey"],
    "generalized_trust": OKABE_ITO["orange"],
    "referral_trust": OKABE_ITO["reddish_purple"],
    "trust_accuracy": OKABE_ITO["bluish_green"],
    "referral_accuracy": OKABE_ITO["sky_blue"],
    "vouch_precision": OKABE_ITO["vermillion"],
    "promises_kept": OKABE_ITO["bluish_green"],
    "promises_broken": OKABE_ITO["vermillion"],
    "ties": OKABE_ITO["blue"],
    "mean_degree": OKABE_ITO["sky_blue"],
    "ties_broken": OKABE_ITO["vermillion"],
    "ties_faded": OKABE_ITO["grey"],
    "follower_gini": OKABE_ITO["orange"],
}

#: Archetypes in scenario order take these, in turn (yellow last: it is faint on a white page).
ARCHETYPE_COLORS: tuple[str, ...] = tuple(OKABE_ITO[name] for name in (
    "blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow", "grey"))
#: ... and these marks (the population map, the network picture, the tables).
ARCHETYPE_MARKS = "●▲■◆★✚▼♦"

#: Run A and run B when two are compared.
COMPARE_COLORS = (OKABE_ITO["blue"], OKABE_ITO["orange"])
#: Kept and broken commitments.
KEPT, BROKEN = OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]
#: Scenario events marked on time charts (a campaign's span is this, translucent).
EVENT = OKABE_ITO["grey"]
UNKNOWN = "#8a8a8a"          # an agent nobody holds an opinion of yet
#: A series of the whole population (the follower Gini, its Lorenz curve) drawn beside archetype lines in
#: a report: near-black ink, which no archetype takes, so that it is never read as one of them.
POPULATION = "#222222"

#: Reputation 0.3 and below is the first stop, 0.8 and above the last (ColorBrewer RdYlBu, 6 classes).
REPUTATION_STOPS: tuple[tuple[float, str], ...] = (
    (0.30, "#d73027"), (0.40, "#fc8d59"), (0.50, "#fee090"), (0.60, "#e0f3f8"), (0.70, "#91bfdb"),
    (0.80, "#4575b4"),
)


def hex_rgb(color: str) -> tuple[int, int, int]:
    """``#rrggbb`` as (r, g, b)."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def archetype_color(index: int) -> str:
    return ARCHETYPE_COLORS[index % len(ARCHETYPE_COLORS)]


def archetype_mark(index: int) -> str:
    return ARCHETYPE_MARKS[index % len(ARCHETYPE_MARKS)]


def reputation_rgb(value: float) -> tuple[int, int, int]:
    """The colour of a reputation, interpolated between the stops; grey-ish for NaN (nobody knows it)."""
    if value != value:
        return hex_rgb(UNKNOWN)
    stops = REPUTATION_STOPS
    if value <= stops[0][0]:
        return hex_rgb(stops[0][1])
    for (low, low_color), (high, high_color) in zip(stops, stops[1:], strict=False):
        if value <= high:
            t = (value - low) / (high - low)
            a, b = hex_rgb(low_color), hex_rgb(high_color)
            return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]
    return hex_rgb(stops[-1][1])


def reputation_hex(value: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*reputation_rgb(value))
