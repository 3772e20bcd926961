"""A run's report opens with its story: what its scenario claims, and what was found.

- :func:`hypotheses_section`: each hypothesis's statement, kind and recorded verdict (:mod:`sim.claims`), and
  what the check's cache holds of it (``trustsim check`` keeps every run it made), or how to get that;
- :func:`hypothesis_charts`: for each hypothesis the cache holds, one figure of its measure against its
  comparison, seed by seed (the same paired seeds the verdict is drawn from).

The key moments that follow (:mod:`.moments`) are chosen by the same hypotheses and the scenario's events.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass
from html import escape

import numpy as np
import polars as pl
from matplotlib.figure import Figure

from .. import check, claims, palette
from ..config import Scenario
from ..errors import TrustsimError
from ..hypotheses import Hypothesis
from . import style
from .chart import Chart, words
from .inputs import RunFolder
from .page import Section

# ---------------------------------------------------------------- what the check's cache holds

@dataclass(frozen=True)
class Checked:
    """One hypothesis as the check's cache holds it: its verdict row and each paired seed's two values."""

    hypothesis: Hypothesis
    row: dict
    values: pl.DataFrame            # seed, value, control_value


def checked(scenario: Scenario) -> dict[str, Checked]:
    """Each hypothesis of ``scenario`` whose runs are all in the check's cache, by id; the others are left
    out (nothing is run here). The runs are those ``trustsim check`` makes of it: of a shipped scenario, at
    its registered size and length (``trustsim check NAME``), whatever this run's; of one's own, as the run
    had it (``trustsim check FILE``)."""
    if not scenario.hypotheses:
        return {}
    try:
        planned = check.plan_of(claims.shipped(scenario) or scenario)
    except TrustsimError:       # e.g. a hypothesis reading a day beyond this run's length: nothing cached
        return {}
    values = check.cached_values(planned, check.default_cache())
    found = {}
    for trial in planned.trials:
        key = trial.hypothesis.observable.key()

        def read(side: check.Side | None, seed: int, trial: check.Trial = trial, key: str = key) -> float:
            if side is None:
                return float(trial.hypothesis.than)         # type: ignore[arg-type]
            run = values.get(f"{side.key}-{seed}")
            return math.nan if run is None or key not in run else run[key]

        frame = pl.DataFrame({"seed": trial.seeds, "value": [read(trial.side, s) for s in trial.seeds],
                              "control_value": [read(trial.other, s) for s in trial.seeds]},
                             schema={"seed": pl.UInt64, "value": pl.Float64, "control_value": pl.Float64})
        if frame.select(pl.col("value").is_nan().any() | pl.col("control_value").is_nan().any()).item():
            continue
        found[trial.hypothesis.id] = Checked(trial.hypothesis, check.judge(trial, values), frame)
    return found


def _verdict_html(holds: bool | None, said: str) -> str:
    if holds is None:
        return escape(said)
    return f'<span class="{"holds" if holds else "fails"}">{escape(said if holds else "does not hold")}</span>'


def hypotheses_section(run: RunFolder, found: dict[str, Checked]) -> Section:
    """Every hypothesis: statement, kind, recorded verdict, and what the check's cache says of it."""
    scenario = run.scenario
    if not scenario.hypotheses:
        return Section("What this scenario claims", "<p>It states no hypotheses, so this run illustrates "
                       "nothing in particular: a scenario states them in <code>[[hypotheses]]</code>.</p>")
    items = []
    target = escape(_check_target(run))
    for hypothesis in scenario.hypotheses:
        row, why = claims.for_hypothesis(scenario, hypothesis)
        recorded = (f"recorded verdict: {_verdict_html(bool(row['holds']), claims.verdict(row))}, effect "
                    f"{escape(check.interval_text(row))}" if row is not None else _code(escape(why)))
        mine = found.get(hypothesis.id)
        if mine is not None:
            cached = (f"The check's cache ({mine.row['seeds']} paired seeds at {mine.row['agents']:,} agents, "
                      f"{mine.row['days']:,} days): {_verdict_html(bool(mine.row['holds']), 'holds')}, effect "
                      f"{escape(check.interval_text(mine.row))}; figure <em>{escape(chart_name(hypothesis))}</em> "
                      "below.")
        else:
            cached = "Not in the check's cache."
        items.append(f"<li><strong>{escape(hypothesis.statement)}</strong> <em>({hypothesis.kind}: "
                     f"{escape(hypothesis.observable.describe())} against {escape(hypothesis.against)})</em><br>"
                     f"{recorded}.<br>{cached}</li>")
    missing = sum(h.id not in found for h in scenario.hypotheses)
    how = (f"<p>{missing} of them {'is' if missing == 1 else 'are'} not in the check's cache: <code>trustsim check "
           f"{target}</code> runs {'it' if missing == 1 else 'them'} and keeps every run, and this report then draws "
           "each one's measure against its comparison.</p>" if missing else "")
    return Section("What this scenario claims", "<p>The scenario's hypotheses, each with the verdict "
                   "<code>trustsim check</code> recorded for it (many paired seeds; this run is one seed), and "
                   "what the check's cache holds of it. <code>trustsim story "
                   f"{target}</code> plays them out beside their comparisons.</p>"
                   f'<ol class="moments">{"".join(items)}</ol>{how}')


def _code(text: str) -> str:
    """`command` in already escaped text as <code>command</code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def _check_target(run: RunFolder) -> str:
    from .. import config

    name = run.scenario.name
    return name if name in config.available() else "YOUR-SCENARIO.toml"


def chart_name(hypothesis: Hypothesis) -> str:
    return f"claim-{hypothesis.id}"


def draw_paired(data: dict[str, pl.DataFrame], hypothesis: Hypothesis, scenario: str, row: dict) -> Figure:
    """Each paired seed's value here and on its comparison, joined by a line; the means marked."""
    frame = data[""]
    fig, axes = style.new(1, 1, figsize=(style.SLIDE[0] * 0.62, style.SLIDE[1] * 0.8))
    ax = axes[0, 0]
    here, there = frame["value"].to_numpy(), frame["control_value"].to_numpy()
    threshold = hypothesis.than is not None
    for a, b in zip(here, there, strict=True):
        ax.plot([0, 1], [a, b], color="#999999", lw=1.2, zorder=1)
    ax.scatter(np.zeros(len(here)), here, color=palette.COMPARE_COLORS[0], s=40, zorder=2)
    ax.scatter(np.ones(len(there)), there, color=palette.COMPARE_COLORS[1], s=40, zorder=2,
               marker="_" if threshold else "o")
    ax.plot([-0.12, 0.12], [here.mean()] * 2, color=palette.COMPARE_COLORS[0], lw=4)
    ax.plot([0.88, 1.12], [there.mean()] * 2, color=palette.COMPARE_COLORS[1], lw=4)
    against = f"the level {hypothesis.than:g}" if threshold else hypothesis.against
    ax.set_xticks([0, 1], [scenario, textwrap.fill(against, 28)])
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylabel(textwrap.fill(words(hypothesis.observable.describe()), 40))
    verdict = "holds" if row["holds"] else "does not hold"
    ax.set_title(f"{textwrap.fill(hypothesis.statement, 60)}\n{verdict}: effect {check.interval_text(row)} "
                 f"({hypothesis.direction}{'' if hypothesis.direction == 'within' else ' by >'} "
                 f"{hypothesis.min_effect:g})", fontsize=13)
    return fig


def hypothesis_charts(run: RunFolder, found: dict[str, Checked]) -> list[Chart]:
    """One figure per hypothesis the check's cache holds: its measure here against its comparison."""
    charts = []
    for hypothesis in run.scenario.hypotheses:
        mine = found.get(hypothesis.id)
        if mine is None:
            continue
        charts.append(Chart(
            chart_name(hypothesis), hypothesis.statement,
            f"{hypothesis.statement}: {words(hypothesis.observable.describe())} of {run.scenario.name} against "
            f"{hypothesis.against or f'the level {hypothesis.than:g}'}, each of the {mine.row['seeds']} paired seeds a "
            "line (the same seed on both sides), the means as bars; from the check's cache, not from this run.",
            ("check cache",), {"": mine.values},
            lambda d, h=hypothesis, r=mine.row: draw_paired(d, h, run.scenario.name, r)))
    return charts


__all__ = ["Checked", "chart_name", "checked", "hypotheses_section", "hypothesis_charts"]
