"""A chart of the report: its name, what it shows, the data it draws, and how it draws it.

Each chart keeps the exact frame it plots (``data``), which the report also writes beside the figure as
CSV: the figure and its numbers can never disagree, and anyone can redraw it. Helpers shared by the
time charts (events marked on them, axis titles from :mod:`sim.measures`) live here too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import StrMethodFormatter
from matplotlib.transforms import blended_transform_factory

from .. import palette
from ..measures import ARCHETYPE_MEASURES, NETWORK_MEASURES, Measure
from ..scenario_events import ScenarioEvent
from . import style

MEASURES: dict[str, Measure] = {m.name: m for m in NETWORK_MEASURES}
ARCHETYPE: dict[str, Measure] = {m.name: m for m in ARCHETYPE_MEASURES}
#: The dashboard's trust chart: the four measures a talk opens with.
TRUST = ("mean_trust", "generalized_trust", "referral_trust", "trust_accuracy")
DAY = "day (since the start of the run)"


@dataclass(frozen=True)
class Chart:
    """One figure: written as ``figures/<name>.svg|png|pdf`` with its data as ``<name>.csv``.

    ``data`` maps a suffix to a frame ("" for ``<name>.csv``, "ties" for ``<name>-ties.csv``);
    ``draw`` makes the figure from exactly those frames.
    """

    name: str
    title: str
    caption: str
    sources: tuple[str, ...]
    data: dict[str, pl.DataFrame]
    draw: Callable[[dict[str, pl.DataFrame]], Figure]

    def figure(self) -> Figure:
        """The figure, drawn in the report's style."""
        with style.applied():
            return self.draw(self.data)

    def data_files(self) -> dict[str, pl.DataFrame]:
        """File name -> frame, for the CSV files beside the figure."""
        return {f"{self.name}{'-' + suffix if suffix else ''}.csv": frame for suffix, frame in self.data.items()}


def words(name: str) -> str:
    """A column name as words: ``mean_trust`` -> ``mean trust``."""
    return name.replace("_", " ")


def unit_label(measure: Measure) -> str:
    """A y-axis title from the measure's own metadata: its unit, or the 0-1 scale of a share; a running
    total says it counts every day so far, and a share taken over every day so far says so."""
    if not measure.cumulative:
        return measure.unit or "0–1"
    return f"{measure.unit}, total so far" if measure.unit else "share of all so far, 0–1"


def statement_label(statement: str, fallback: str, width: int = 90, lines: int = 2) -> str:
    """A hypothesis as a chart labels it: its statement in the scenario's own words, wrapped to ``width``
    characters on at most ``lines`` lines (shortened at a word, with an ellipsis, past that); its id only
    when it has no statement."""
    text = " ".join(str(statement or "").split())
    if not text:
        return fallback
    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > lines:
        wrapped = [*wrapped[:lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1:]), width, placeholder=" …")]
    return "\n".join(wrapped)


def thousands(ax: Axes) -> None:
    """Counts on the y axis with thousands separators (12,000, not 12000)."""
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def event_text(event: ScenarioEvent) -> str:
    """``day 120: the steady go public ...`` (a campaign gives its span)."""
    when = f"days {event.day:g}–{event.end:g}" if event.end > event.day else f"day {event.day:g}"
    return f"{when}: {event.describe()}"


def mark_events(ax: Axes, events: Sequence[ScenarioEvent], *, labels: bool = False) -> None:
    """Mark each event on a time axis: a campaign as a shaded span, anything else as a dashed line.

    With ``labels``, each mark is named just above the plot, in the scenario's own words.
    """
    above = blended_transform_factory(ax.transData, ax.transAxes)
    for event in events:
        if event.end > event.day:
            ax.axvspan(event.day, event.end, color=palette.EVENT, alpha=0.18, lw=0, zorder=0)
        else:
            ax.axvline(event.day, color=palette.EVENT, ls=(0, (5, 3)), lw=1.8, zorder=1)
        if labels:
            ax.text(event.day, 1.01, textwrap.fill(event.describe(), 34), transform=above, ha="left",
                    va="bottom", fontsize=12, color="#444444", clip_on=False)


def event_handles(events: Sequence[ScenarioEvent]) -> list:
    """Legend entries for the events (for charts of many panels, where labels would crowd)."""
    handles = []
    for event in events:
        text = textwrap.fill(event_text(event), 60)
        if event.end > event.day:
            handles.append(Patch(facecolor=palette.EVENT, alpha=0.3, label=text))
        else:
            handles.append(Line2D([], [], color=palette.EVENT, ls=(0, (5, 3)), lw=1.8, label=text))
    return handles


def day_axis(ax: Axes, days: pl.Series) -> None:
    """The x axis of a time chart: the run's days, no margin."""
    if days.len():
        ax.set_xlim(float(days.min()), max(float(days.max()), float(days.min()) + 1))


def tidy_grid(axes: Any, used: int, xlabel: str = "day", fontsize: float = 12) -> None:
    """Hide the unused panels of a grid, and give every panel with none below it its day axis."""
    rows, columns = axes.shape
    for index, ax in enumerate(axes.flat):
        if index >= used:
            ax.set_visible(False)
        elif index + columns >= used:          # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel(xlabel, fontsize=fontsize)
