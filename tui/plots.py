"""What the run charts draw: a :class:`~tui.widgets.Chart` calls one of these with the :class:`~tui.track.Runs`
it holds. The Dashboard and Charts tabs show the same three charts (:func:`run_charts`), the Compare tab
overlays runs A and B (:func:`draw_compare`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from textual_plotext.plot import Plot

from sim import ARCHETYPE_COLUMNS

from .palette import LINE_COLORS, glyph
from .track import Runs, Track
from .widgets import Chart, Legend

TRUST_LINES = (("mean_trust", "mean", "green"), ("generalized_trust", "generalized", "cyan"),
               ("referral_trust", "referral", "magenta"), ("trust_accuracy", "accuracy", "orange"))


def thin(x: np.ndarray, y: np.ndarray, points: int) -> tuple[list[float], list[float]]:
    """At most ``points`` evenly spaced points (always keeping the last), NaN dropped, as lists."""
    if len(x) > points > 0:
        picks = np.unique(np.concatenate((np.linspace(0, len(x) - 1, points).astype(int), [len(x) - 1])))
        x, y = x[picks], y[picks]
    keep = np.isfinite(y)
    return x[keep].tolist(), y[keep].tolist()


def days_axis(plt: Plot, days: np.ndarray) -> None:
    """Integer day ticks. (plotext's ``xlim`` clips lines wrongly, so the axis grows with the run.)"""
    last = int(days[-1]) if len(days) else 1
    plt.xticks(sorted({int(days[0]) if len(days) else 0, last // 2, last}))


def draw_trust(plt: Plot, runs: Runs, width: int) -> Legend:
    """The network measures of run A: mean, generalized and referral trust, and trust accuracy."""
    track = runs.main
    low = 0.0
    for name, _, color in TRUST_LINES:
        x, y = thin(*track.series(name), width * 2)
        if x:
            plt.plot(x, y, color=color, marker="braille")
            low = min(low, min(y))
    # 0..1 unless trust accuracy (a rank correlation) goes negative
    plt.ylim(low if low >= 0 else max(-1.0, low - 0.05), 1.0)
    days_axis(plt, track.metrics["day"])
    return [(label, color) for _, label, color in TRUST_LINES]


def draw_commitments(plt: Plot, runs: Runs, width: int) -> Legend:
    """Kept and broken commitments per day of run A (7-day mean)."""
    lines = (("promises_kept", "kept", "green"), ("promises_broken", "broken", "red"))
    for name, _, color in lines:
        x, y = thin(*runs.main.daily(name), width * 2)
        if x:
            plt.plot(x, y, color=color, marker="braille")
    days_axis(plt, runs.main.metrics["day"])
    return [(label, color) for _, label, color in lines]


def draw_archetypes(plt: Plot, runs: Runs, width: int) -> Legend:
    """One reputation line per archetype of run A."""
    track, column = runs.main, ARCHETYPE_COLUMNS.index("reputation")
    for k in range(len(track.names)):
        x, y = thin(track.archetype_days, track.archetype_rows[:, k, column], width * 2)
        if x:
            plt.plot(x, y, color=LINE_COLORS[k % len(LINE_COLORS)], marker="braille")
    plt.ylim(0.0, 1.0)
    days_axis(plt, track.metrics["day"])
    return [(f"{glyph(k)} {name}", LINE_COLORS[k % len(LINE_COLORS)]) for k, name in enumerate(track.names)]


def run_charts(suffix: str) -> tuple[Chart, Chart, Chart]:
    """The three charts of run A: trust, commitments per day, reputation per archetype.

    Their ids are ``trust-chart{suffix}``, ``commit-chart{suffix}`` and ``arch-chart{suffix}``.
    """
    return (Chart(draw_trust, "Trust in the network", id=f"trust-chart{suffix}"),
            Chart(draw_commitments, "Commitments per day", id=f"commit-chart{suffix}"),
            Chart(draw_archetypes, "Archetype reputation", id=f"arch-chart{suffix}"))


def draw_compare(metrics: Sequence[str], daily: bool = False) -> Callable[[Plot, Runs, int], Legend]:
    """The same measure(s) of runs A and B, overlaid (A solid braille, B dotted)."""

    def draw(plt: Plot, runs: Runs, width: int) -> Legend:
        legend: Legend = []
        low, high = math.inf, -math.inf
        for t, track in enumerate(runs.tracks[:2]):
            for m, metric in enumerate(metrics):
                x, y = thin(*_series(track, metric, daily), width * 2)
                if x:
                    color = ("green", "red", "cyan", "magenta")[m * 2 + t] if len(metrics) > 1 else \
                        ("cyan", "orange")[t]
                    name = metric.replace("promises_", "").replace("_", " ")
                    label = f"{'AB'[t]} {name}" if len(metrics) > 1 else f"{'AB'[t]}: {track.label}"
                    plt.plot(x, y, color=color, marker="braille" if t == 0 else "dot")
                    legend.append((label, color) if t == 0 else ("• " + label, color))
                    low, high = min(low, min(y)), max(high, max(y))
        if not daily and high >= low:
            # at least 0.2 of trust on the axis, so a hair's difference does not look like a gulf
            middle, span = (low + high) / 2, max(high - low, 0.2)
            plt.ylim(middle - span * 0.55, middle + span * 0.55)
        days_axis(plt, runs.main.metrics["day"])
        return legend

    return draw


def _series(track: Track, metric: str, daily: bool) -> tuple[np.ndarray, np.ndarray]:
    return track.daily(metric) if daily else track.series(metric)
