"""The key moments of a run, chosen by its scenario's hypotheses and events, not by the largest daily changes.

- each scenario event, on its day, with what the hypotheses' measures did in the :data:`SPAN` days after it
  and the dashboard feed's own sentences for its first week (the same narrator's choice and words);
- each measure a hypothesis reads that the run's tables hold: where it moved most over SPAN days (the way
  its hypotheses say it goes), with its course over the whole run;
- for a hypothesis against a fixed level, the day it lay beyond that level on :data:`sim.story.HOLD` days in
  a row, as the story mode tells it (:class:`sim.story.Separation`).

A run folder holds one run and none of its comparisons, so a moment of a comparison or an ablation says
what this run did; ``trustsim story`` shows where each measure separates from its own comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import polars as pl

from ..narration import Narrator
from ..story import HOLD, Separation, number
from .chart import words
from .inputs import RunFolder
from .page import Section

SPAN = 30           # days over which a moment's change is read (a day's change is mostly noise)
WEEK = 7            # the feed tells the first week after an event
SENTENCES = 3       # the feed's sentences per event


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


@dataclass(frozen=True)
class Moment:
    """A day of the run worth telling, and why: a scenario event, or a hypothesis's measure moving."""

    day: int
    headline: str
    details: tuple[str, ...] = ()


def _series(run: RunFolder, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(days, values) of a network measure or ``archetype.NAME.COLUMN`` in the run's tables, if it has them."""
    if not name.startswith("archetype."):
        metrics = run.table("metrics")
        return (metrics["day"].to_numpy(), metrics[name].to_numpy()) if name in metrics.columns else None
    _, archetype, column = name.split(".")
    table = run.table("archetypes")
    if column not in table.columns:
        return None
    rows = table.filter(pl.col("archetype").cast(pl.String) == archetype).sort("day")
    return rows["day"].to_numpy(), rows[column].to_numpy().astype(np.float64)


def _at(days: np.ndarray, values: np.ndarray, day: float) -> float:
    found = np.flatnonzero(days == int(day))
    return float(values[found[0]]) if found.size else math.nan


def _steepest(days: np.ndarray, values: np.ndarray, want: str) -> tuple[int, int, float] | None:
    """The SPAN days over which the series moved most in the wanted way ("lower": fell most)."""
    if len(days) <= SPAN:
        return None
    change = values[SPAN:] - values[:-SPAN]
    finite = np.isfinite(change)
    if not finite.any():
        return None
    pick = int(np.nanargmin(change) if want == "lower" else np.nanargmax(change))
    return int(days[pick]), int(days[pick + SPAN]), float(change[pick])


def key_moments(run: RunFolder) -> list[Moment]:
    """The moments of this run chosen by its scenario's hypotheses and events, in the order of their days."""
    scenario = run.scenario
    measured = {}                       # each series measure the hypotheses read, with the claims reading it
    for hypothesis in scenario.hypotheses:
        if _series(run, hypothesis.observable.name) is not None:
            measured.setdefault(hypothesis.observable.name, []).append(hypothesis)
    moments = []
    archetype_of = _archetype_codes(run) if run.events else np.empty(0, dtype=np.int64)
    for event in run.events:
        after = []
        for name in measured:
            days, values = _series(run, name)  # type: ignore[misc]
            end = min(event.day + SPAN, float(days[-1]))
            before, later = _at(days, values, event.day), _at(days, values, end)
            if math.isfinite(before) and math.isfinite(later) and end > event.day:
                after.append(f"{words(name)}: {number(before)} on day {event.day:g}, {number(later)} on day "
                             f"{end:g} ({later - before:+.3f})")
        said = feed_sentences(window_events(run, int(event.day), int(event.day) + WEEK), archetype_of,
                              run.archetypes, SENTENCES)
        moments.append(Moment(int(event.day), f"Day {event.day:g}: {event.describe()} (a scenario event)",
                              (*after, *said)))
    for name, hypotheses in measured.items():
        days, values = _series(run, name)  # type: ignore[misc]
        said = "; ".join(f"“{h.statement}”" for h in hypotheses)
        want = "higher" if all(h.direction == "higher" for h in hypotheses) else "lower"
        steepest = _steepest(days, values, want)
        course = f"{number(values[0])} on day {days[0]} → {number(values[-1])} on day {days[-1]}"
        if steepest is not None and (steepest[2] > 0) == (want == "higher") and steepest[2] != 0:
            start, end, change = steepest
            moments.append(Moment(start, f"Days {start}–{end}: {words(name)} {'rose' if change > 0 else 'fell'} "
                                         f"most, by {abs(change):.3f} ({course} over the run)",
                                  (f"the measure of {said}",)))
        else:
            # it never moved the way its hypotheses look for within this run (a comparison's gap can be
            # there from day 0: the spin-up settles the network before it)
            moments.append(Moment(int(days[0]), f"{words(name)}: {course}; it never {'rose' if want == 'higher' else 'fell'} "
                                                f"over {SPAN} days in this run",
                                  (f"the measure of {said}",)))
        for hypothesis in hypotheses:
            if hypothesis.than is None or hypothesis.observable.since is not None:
                continue
            follow = Separation(hypothesis)
            for day, value in zip(days, values, strict=True):
                told = follow.update(int(day), value - hypothesis.than)
                if told is not None:
                    kind, first = told
                    side = "above" if (value > hypothesis.than) else "below"
                    what = ("came back across" if kind in ("closes", "returns") else f"lay {side}")
                    moments.append(Moment(int(day), f"Day {day}: {words(name)} {what} the level {hypothesis.than:g} "
                                                    f"on {HOLD} days in a row, since day {first} (at {number(value)})",
                                          (f"“{hypothesis.statement}”",)))
    return sorted(moments, key=lambda m: m.day)


def _archetype_codes(run: RunFolder) -> np.ndarray:
    agents = run.read("agents", ["agent", "archetype"]).sort("agent")
    return agents["archetype"].cast(pl.String).replace_strict(
        list(run.archetypes), list(range(len(run.archetypes))), return_dtype=pl.Int64).to_numpy()


def moments_section(run: RunFolder) -> Section:
    moments = key_moments(run)
    if not moments:
        return Section("Key moments", "<p>None: the scenario schedules no events and its hypotheses read no "
                       "measure this run's tables hold.</p>")
    items = []
    for moment in moments:
        details = "".join(f"<li>{escape(d)}</li>" for d in moment.details)
        items.append(f"<li><strong>{escape(moment.headline)}</strong><ul>{details}</ul></li>")
    return Section("Key moments", "<p>Chosen by the scenario's hypotheses and events: each event with what the "
                   f"hypotheses' measures did in the {SPAN} days after it, and each measure a hypothesis reads, where "
                   f"it moved most over {SPAN} days (and, for a fixed level, when it lay beyond it on {HOLD} days in "
                   "a row). This run holds none of the comparisons: <code>trustsim story</code> shows where each "
                   f'measure separates from its own.</p><ol class="moments">{"".join(items)}</ol>')


__all__ = ["Moment", "feed_sentences", "key_moments", "moments_section", "window_events"]
