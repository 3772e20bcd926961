"""The key moments of a run in plain words: the weeks in which trust fell most, and what happened then,
told in the dashboard feed's own sentences.

A fall is a trust measure's change over :data:`WINDOW` days (a day's change is mostly noise). The
largest falls of the dashboard's four trust measures are taken, no two within a window of each other;
for each, the feed picks the telling events of that window (its own choice and wording: a broken promise
someone vouched for, a tie dropped in distrust, ...), and a scenario event in the window is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..narration import Narrator
from .chart import TRUST, words
from .inputs import RunFolder

WINDOW = 7          # days over which a fall is measured
MOMENTS = 5         # at most this many moments
SENTENCES = 3       # the feed's sentences per moment, besides scenario events


@dataclass(frozen=True)
class Moment:
    """A fall of ``measure`` from ``before`` (on day ``start``) to ``after`` (on day ``end``)."""

    measure: str
    start: int
    end: int
    before: float
    after: float
    events: tuple[str, ...]           # the scenario events of the window, described
    sentences: tuple[str, ...]        # the feed's sentences for the window's events

    @property
    def headline(self) -> str:
        return (f"Days {self.start}–{self.end}: {words(self.measure)} fell by {self.before - self.after:.3f} "
                f"({self.before:.3f} → {self.after:.3f})")


def largest_falls(metrics: pl.DataFrame, count: int = MOMENTS, window: int = WINDOW) -> pl.DataFrame:
    """The ``count`` largest falls of the trust measures over ``window`` days, at least a window apart.

    Columns: measure, start, end, before, after, change (negative), largest fall first.
    """
    measures = [m for m in TRUST if m in metrics.columns]
    if not measures or metrics.height < 2:
        return pl.DataFrame(schema={"measure": pl.String, "start": pl.Int64, "end": pl.Int64,
                                    "before": pl.Float64, "after": pl.Float64, "change": pl.Float64})
    ordered = metrics.sort("day")
    # the sample `window` days earlier (or the first one), found by day, so sparse sampling still works
    earlier = ordered.select(pl.col("day").alias("start")).with_columns(end=pl.col("start") + window)
    paired = (ordered.join_asof(earlier.sort("end"), left_on="day", right_on="end", strategy="backward")
              .with_columns(start=pl.col("start").fill_null(ordered["day"].min()).cast(pl.Int64)))
    frames = []
    for measure in measures:
        before = ordered.select(pl.col("day").cast(pl.Int64).alias("start"), pl.col(measure).alias("before"))
        frames.append(paired.select(pl.lit(measure).alias("measure"), "start", pl.col("day").cast(pl.Int64).alias("end"),
                                    pl.col(measure).alias("after"))
                      .join(before, on="start", how="left"))
    falls = (pl.concat(frames).with_columns(change=pl.col("after") - pl.col("before"))
             .filter(pl.col("change") < 0).drop_nulls().sort("change", "end", "measure"))
    return _apart(falls, count, window)


def _apart(falls: pl.DataFrame, count: int, window: int) -> pl.DataFrame:
    """The first ``count`` rows of ``falls`` (sorted, largest first) whose ends are a window apart."""
    ends = falls["end"].to_numpy()
    chosen: list[int] = []
    for row in range(len(ends)):
        if all(abs(ends[row] - ends[other]) >= window for other in chosen):
            chosen.append(row)
            if len(chosen) == count:
                break
    return falls[chosen].select("measure", "start", "end", "before", "after", "change")


def feed_sentences(events: dict[str, np.ndarray], archetype_of: np.ndarray, archetypes: Sequence[str],
                   budget: int) -> list[str]:
    """The dashboard feed's sentences for a batch of events: the same narrator's own choice and words."""
    return [str(sentence) for sentence in Narrator(archetypes).pick(events, archetype_of, budget)]


def window_events(run: RunFolder, start: int, end: int) -> dict[str, np.ndarray]:
    """The events logged in [start, end) as the feed's columns (kind codes, -1 and NaN for nulls)."""
    frame = run.collect(run.scan("events").filter((pl.col("time") >= start) & (pl.col("time") < end)), "events")
    kinds = frame["kind"].to_physical() if isinstance(frame["kind"].dtype, pl.Enum) else _kind_codes(frame["kind"])
    columns = {"time": frame["time"].to_numpy(), "kind": kinds.to_numpy().astype(np.int64)}
    for name in ("actor", "target", "subject"):
        columns[name] = frame[name].fill_null(-1).to_numpy().astype(np.int64)
    for name in ("trust_before", "trust_after"):
        columns[name] = frame[name].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    return columns


def _kind_codes(kinds: pl.Series) -> pl.Series:
    """Event kind names (a text format) as the engine's codes."""
    from ..eventlog import KIND_NAMES

    return kinds.cast(pl.String).replace_strict(list(KIND_NAMES), list(range(len(KIND_NAMES))),
                                                return_dtype=pl.Int64)


def key_moments(run: RunFolder) -> list[Moment]:
    """The run's largest falls of trust, each with its scenario events and the feed's sentences."""
    falls = largest_falls(run.table("metrics"))
    if falls.height == 0:
        return []
    agents = run.read("agents", ["agent", "archetype"]).sort("agent")
    archetypes = run.archetypes
    archetype_of = agents["archetype"].cast(pl.String).replace_strict(
        list(archetypes), list(range(len(archetypes))), return_dtype=pl.Int64).to_numpy()
    moments = []
    for measure, start, end, before, after, _ in falls.iter_rows():
        scenario = tuple(e.describe() for e in run.events if e.day <= end and e.end >= start)
        sentences = feed_sentences(window_events(run, start, end), archetype_of, archetypes, SENTENCES)
        moments.append(Moment(measure, start, end, before, after, scenario, tuple(sentences)))
    return moments
