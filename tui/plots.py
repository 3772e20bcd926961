"""What the run charts draw: a :class:`~tui.widgets.Chart` calls one of these with the :class:`~tui.track.Runs`
it holds. The Dashboard and Charts tabs show the same three charts (:func:`run_charts`), the Compare tab
overlays runs A and B (:func:`draw_compare`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from textual.geometry import Size
from textual_plotext.plot import Plot

from sim import ARCHETYPE_COLUMNS
from sim.scenario_events import ScenarioEvent

from .palette import (
    BROKEN,
    COMPARE_COLORS,
    EVENT,
    KEPT,
    LABEL,
    archetype_color,
    glyph,
    measure_color,
    rgb,
)
from .track import Runs, Track
from .widgets import Chart, Legend

#: The four network measures of "Trust in the network", each in a panel of its own (reading order).
TRUST_LINES = (("mean_trust", "mean"), ("generalized_trust", "generalized"),
               ("referral_trust", "referral"), ("trust_accuracy", "accuracy"))


def thin(x: np.ndarray, y: np.ndarray, points: int) -> tuple[list[float], list[float]]:
    """At most ``points`` evenly spaced points (always keeping the last), NaN dropped, as lists."""
    if len(x) > points > 0:
        picks = np.unique(np.concatenate((np.linspace(0, len(x) - 1, points).astype(int), [len(x) - 1])))
        x, y = x[picks], y[picks]
    keep = np.isfinite(y)
    return x[keep].tolist(), y[keep].tolist()


def days_axis(plt: Plot, days: np.ndarray, labels: bool = True) -> None:
    """Integer day ticks (none but the axis when ``labels`` is False). (plotext's ``xlim`` clips lines
    wrongly, so the axis grows with the run.)"""
    last = int(days[-1]) if len(days) else 1
    ticks = sorted({int(days[0]) if len(days) else 0, last // 2, last})
    # the last tick says the unit ("day 150"): an x axis of bare numbers could be anything
    names = [str(t) for t in ticks[:-1]] + [f"day {ticks[-1]}"]
    plt.xticks(ticks if labels else [], names if labels else [])


def count_ticks(plt: Plot, top: float, rows: int) -> None:
    """Whole-number ticks on an axis of counts from 0 to ``top`` (a count of 75.4 reads as an error), as
    many as the ``rows`` of the chart hold with a row between them."""
    most = max(2, rows // 2)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 10**9)
                if top / s <= most)
    ticks = list(range(0, int(top) + 1, step))
    plt.yticks(ticks, [f"{t:,}" for t in ticks])


def fitted(values: list[float], rows: int) -> tuple[float, float]:
    """A y range that fits ``values`` with one spare row on top (for the panel's name), at least 0.02 tall
    so a flat line sits mid-panel instead of on an axis."""
    low, high = min(values), max(values)
    if high - low < 0.02:
        middle = (low + high) / 2
        low, high = middle - 0.01, middle + 0.01
    plot_rows = max(2, rows)
    return low, high + (high - low) / (plot_rows - 1)


def happened(track: Track) -> list[ScenarioEvent]:
    """The scenario events of ``track`` that have happened by the last day it holds (an event of day d is
    applied at the start of day d, before that day is measured)."""
    days = track.metrics["day"]
    last = float(days[-1]) if len(days) else -1.0
    return [event for event in track.scenario.events if event.day <= last]


def mark_events(plt: Plot, events: Sequence[ScenarioEvent], days: np.ndarray, low: float, top: float,
                columns: int, reserved: int = 0) -> None:
    """Mark scenario events on a time chart, beneath its lines: a vertical line where each begins, and
    for a campaign another where it ends (once the run has got there), each labelled on whichever side of it
    has more room (the first ``reserved`` columns of the top row are taken): with its name in the
    scenario's own words if that fits whole, else with its kind ("campaign"), never a name cut short (the
    status line and the feed say it whole as it happens)."""
    if not len(days) or not events:
        return
    first, last = float(days[0]), float(days[-1])
    per_column = max(last - first, 1.0) / max(columns - 6, 1)
    for event in events:
        plt.vline(event.day, rgb(EVENT))
        if event.day < event.end <= last:
            plt.vline(event.end, rgb(EVENT))
        # the name goes on whichever side of the mark has more room
        right = int((last - event.day) / per_column) - 1
        left = int((event.day - first) / per_column) - 1 - reserved
        if left < 0:        # the line is within the reserved columns: its name starts after them
            right = int((last - first) / per_column) - reserved - 1
        room = max(right, left)
        name = next((n for n in (event.describe(), event.kind) if len(n) <= room), "")
        if name:
            start = max(event.day, first + per_column * reserved)
            plt.text(name, start + per_column if right >= left else event.day - per_column, top,
                     alignment="left" if right >= left else "right", color=rgb(EVENT), background="default")


def draw_trust(plt: Plot, runs: Runs, size: Size) -> Legend:
    """The network measures of run A as small multiples: mean, generalized and referral trust, and trust
    accuracy, each in its own panel with a y range fitted to it and its scale on the axis, so every line is
    seen however close their values are (in one shared 0..1 panel three of them overlap)."""
    track = runs.main
    days = track.metrics["day"]
    plt.subplots(2, 2)
    panel_width = max(10, size.width // 2)
    plot_rows = max(2, size.height // 2 - 2)
    for i, (name, label) in enumerate(TRUST_LINES):
        panel = plt.subplot(i // 2 + 1, i % 2 + 1)
        panel.xaxes(True, False)
        panel.yaxes(True, False)
        x, y = thin(*track.series(name), panel_width * 2)
        days_axis(panel, days, labels=i >= 2)
        if not x:
            continue
        low, top = fitted(y, plot_rows - (0 if i >= 2 else -1))
        panel.ylim(low, top)
        mark_events(panel, happened(track), days, low, top, panel_width, reserved=len(label) + 1)
        high = max(y)
        panel.yticks([low, high] if high > low else [low], [f"{low:.2f}", f"{high:.2f}"] if high > low
                     else [f"{low:.2f}"])
        panel.plot(x, y, color=rgb(measure_color(name)), marker="braille")
        panel.text(label, x[0], top, alignment="left", color=rgb(LABEL), background="default")
    return [(label, measure_color(name)) for name, label in TRUST_LINES]


def draw_commitments(plt: Plot, runs: Runs, size: Size) -> Legend:
    """Commitments kept and broken each day by run A (a 7-day mean of the per-day counts)."""
    lines = (("promises_kept", "kept", KEPT), ("promises_broken", "broken", BROKEN))
    drawn = [(thin(*runs.main.daily(name), size.width * 2), color) for name, _, color in lines]
    top = max((max(y) for (_, y), _ in drawn if y), default=1.0) or 1.0
    mark_events(plt, happened(runs.main), runs.main.metrics["day"], 0.0, top, size.width)
    for (x, y), color in drawn:
        if x:
            plt.plot(x, y, color=rgb(color), marker="braille")
    plt.ylim(0.0, top)
    count_ticks(plt, top, size.height - 3)
    days_axis(plt, runs.main.metrics["day"])
    return [(label, color) for _, label, color in lines]


def draw_archetypes(plt: Plot, runs: Runs, size: Size) -> Legend:
    """One reputation line per archetype of run A, in the archetype's colour."""
    track, column = runs.main, ARCHETYPE_COLUMNS.index("reputation")
    mark_events(plt, happened(track), track.metrics["day"], 0.0, 1.0, size.width)
    for k in range(len(track.names)):
        x, y = thin(track.archetype_days, track.archetype_rows[:, k, column], size.width * 2)
        if x:
            plt.plot(x, y, color=rgb(archetype_color(k)), marker="braille")
    plt.ylim(0.0, 1.0)
    days_axis(plt, track.metrics["day"])
    return [(f"{glyph(k)} {name}", archetype_color(k)) for k, name in enumerate(track.names)]


def run_charts(suffix: str) -> tuple[Chart, Chart, Chart]:
    """The three charts of run A: trust, commitments per day, reputation per archetype.

    Their ids are ``trust-chart{suffix}``, ``commit-chart{suffix}`` and ``arch-chart{suffix}``.
    """
    return (Chart(draw_trust, "Trust in the network", id=f"trust-chart{suffix}"),
            Chart(draw_commitments, "Commitments per day", id=f"commit-chart{suffix}"),
            Chart(draw_archetypes, "Archetype reputation", id=f"arch-chart{suffix}"))


def draw_compare(metrics: Sequence[str], daily: bool = False) -> Callable[[Plot, Runs, Size], Legend]:
    """The same measure(s) of runs A and B, overlaid: both in braille, each in its own colour."""

    def draw(plt: Plot, runs: Runs, size: Size) -> Legend:
        legend: Legend = []
        lines = []
        low, high = math.inf, -math.inf
        for t, track in enumerate(runs.tracks[:2]):
            for metric in metrics:
                x, y = thin(*_series(track, metric, daily), size.width * 2)
                if x:
                    # A and B by colour (and A solid, B dotted); several measures by their own colours
                    color = measure_color(metric) if len(metrics) > 1 else COMPARE_COLORS[t]
                    name = metric.replace("promises_", "").replace("_", " ")
                    label = f"{'AB'[t]} {name}" if len(metrics) > 1 else f"{'AB'[t]}: {track.label}"
                    # both at braille resolution: B told apart by its colour and its legend mark (•)
                    lines.append((x, y, color, "braille"))
                    legend.append((label, color) if t == 0 else ("• " + label, color))
                    low, high = min(low, min(y)), max(high, max(y))
        if high >= low:
            bottom, top = (0.0, high) if daily else (low, high)
            if daily:
                plt.ylim(0.0, top)
                count_ticks(plt, top, size.height - 3)
            else:
                # at least 0.2 of trust on the axis, so a hair's difference does not look like a gulf
                middle, span = (low + high) / 2, max(high - low, 0.2)
                bottom, top = middle - span * 0.55, middle + span * 0.55
                plt.ylim(bottom, top)
            # the events of both runs (once each, if they share them)
            events = {(e.day, e.describe()): e for track in runs.tracks[:2] for e in happened(track)}
            mark_events(plt, list(events.values()), runs.main.metrics["day"], bottom, top, size.width)
        for x, y, color, marker in lines:
            plt.plot(x, y, color=rgb(color), marker=marker)
        days_axis(plt, runs.main.metrics["day"])
        return legend

    return draw


def _series(track: Track, metric: str, daily: bool) -> tuple[np.ndarray, np.ndarray]:
    return track.daily(metric) if daily else track.series(metric)
