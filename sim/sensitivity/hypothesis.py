"""Where a hypothesis holds in the box, and which parameters decide it.

At every sample point the hypothesis is judged as ``trustsim check`` judges it (the same code,
:func:`sim.batch.statistics.paired_effect` and :meth:`sim.hypotheses.Hypothesis.holds`): the paired effect
over the replicates (this point's run minus its comparison's, seed by seed, or minus the fixed value), its
95% Student's t interval, and whether that interval lies beyond the minimal effect in the stated
direction. A point where it cannot be judged (fewer than two pairs
defined) counts as not holding, as in ``check``.

The share of points where it holds estimates the share of the box where it holds (for a Sobol' sample,
whose points spread evenly over the box; a Morris sample sits on a grid of levels, so its share is
coarser).

Which parameters decide it: a classification of holds / does not hold against each parameter alone,
chosen because each number can be explained in a sentence and needs no model fitting:

- ``rank_biserial``: Mann-Whitney's effect size, 2 U / (n_holds n_fails) - 1, from -1 (every point
  where it holds has a lower value than every point where it does not) to +1 (higher); 0: no relation.
  The parameters are ranked by its size. ``p_value`` is Mann-Whitney's two-sided test (scipy).
- ``mean_holds`` / ``mean_fails``: the mean position in the range (0 at LOW, 1 at HIGH) of the points
  where it holds and where it does not.
- a one-split rule (a decision "stump"): "it holds where the parameter is above (or below)
  ``threshold``", the split with the best balanced accuracy: ``holds_right`` is the share of the points
  where it holds that the rule puts on the holding side, ``fails_right`` the same for the others, and
  ``balanced_accuracy`` their mean (0.5: no better than a coin; 1: a perfect split). Balanced, because
  a hypothesis that holds at 5% of the points would otherwise be "predicted" at 95% by never holding.

One parameter at a time: a verdict that needs two parameters together (it holds only when both are high)
shows as two moderate deciders, not as one strong one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from ..batch.statistics import paired_effect
from .plan import Plan
from .space import Parameter

VERDICT_COLUMNS: dict[str, pl.DataType] = {
    "value": pl.Float64(), "control_value": pl.Float64(), "effect": pl.Float64(), "ci_low": pl.Float64(),
    "ci_high": pl.Float64(), "paired": pl.Int64(), "holds": pl.Boolean()}
DECIDER_COLUMNS: dict[str, pl.DataType] = {
    "parameter": pl.String(), "rank": pl.Int64(), "rank_biserial": pl.Float64(), "p_value": pl.Float64(),
    "mean_holds": pl.Float64(), "mean_fails": pl.Float64(), "rule": pl.String(), "threshold": pl.Float64(),
    "holds_right": pl.Float64(), "fails_right": pl.Float64(), "balanced_accuracy": pl.Float64()}


def verdicts(plan: Plan, runs: pl.DataFrame) -> list[dict[str, Any]]:
    """The verdict for every sample point (its :data:`VERDICT_COLUMNS`), from the runs table's observed and
    comparison columns."""
    if plan.comparison is None:
        raise ValueError("the plan has no hypothesis to judge")
    hypothesis = plan.comparison.hypothesis
    observed = runs.select("point", "replicate", "observed", "comparison").rows()
    mine = {(p, r): v for p, r, v, _ in observed}
    theirs = {(p, r): c for p, r, _, c in observed}
    replicates = range(len(plan.seeds))
    rows = []
    for p in range(len(plan.points)):
        values = np.array([_number(mine.get((p, r))) for r in replicates])
        compared = (np.array([_number(theirs.get((p, r))) for r in replicates]) if plan.compared
                    else np.full(len(values), hypothesis.than))
        effect = paired_effect(values, compared)
        rows.append({**vars(effect), "holds": hypothesis.holds(effect.ci_low, effect.ci_high)})
    return rows


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def verdict_table(plan: Plan, samples: pl.DataFrame, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per sample point: its values, the effect with its interval, ``paired`` and ``holds``."""
    judged = pl.DataFrame({c: pl.Series(c, [row[c] for row in rows], dtype=t) for c, t in VERDICT_COLUMNS.items()})
    judged = judged.with_columns(pl.col([c for c, t in VERDICT_COLUMNS.items() if t == pl.Float64()]).fill_nan(None))
    return pl.concat([samples.sort("point"), judged], how="horizontal")


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank."""
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x), dtype=np.float64)
    sorted_x = x[order]
    start = 0
    while start < len(x):
        end = start
        while end + 1 < len(x) and sorted_x[end + 1] == sorted_x[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return ranks


def rank_biserial(x: np.ndarray, holds: np.ndarray) -> float:
    """2 U / (n1 n0) - 1 with U the Mann-Whitney statistic of the holding points' values."""
    n1, n0 = int(holds.sum()), int((~holds).sum())
    u = _average_ranks(x)[holds].sum() - n1 * (n1 + 1) / 2.0
    return float(2.0 * u / (n1 * n0) - 1.0)


def stump(x: np.ndarray, holds: np.ndarray) -> tuple[str, float, float, float]:
    """The one-split rule with the best balanced accuracy: (rule, threshold, holds_right, fails_right).

    ``rule`` "above": holds where x > threshold; "below": where x < threshold. Thresholds lie midway
    between neighbouring distinct values, so no point sits on one; on a tie, the lowest threshold and
    "above" win. Needs points on both sides (some holding, some not) and two distinct values.
    """
    order = np.argsort(x, kind="stable")
    xs, hs = x[order], holds[order]
    last = np.flatnonzero(np.diff(xs) > 0)       # the last point of each run of equal values but the top one
    if not len(last):
        return "", math.nan, math.nan, math.nan
    n_holds, n_fails = hs.sum(), (~hs).sum()
    holds_above = (n_holds - np.cumsum(hs)[last]) / n_holds     # "above t" puts these on the holding side
    fails_below = np.cumsum(~hs)[last] / n_fails                # ... and these on the other
    balanced = (holds_above + fails_below) / 2.0
    thresholds = (xs[last] + xs[last + 1]) / 2.0
    up, down = int(np.argmax(balanced)), int(np.argmin(balanced))
    if balanced[up] >= 1.0 - balanced[down]:
        return "above", float(thresholds[up]), float(holds_above[up]), float(fails_below[up])
    return "below", float(thresholds[down]), float(1.0 - holds_above[down]), float(1.0 - fails_below[down])


def decider_table(params: tuple[Parameter, ...], values: np.ndarray, holds: np.ndarray) -> pl.DataFrame:
    """Per parameter: how well it alone separates the points where the hypothesis holds (see module doc).

    ``values``: the points as run (points x parameters); ``holds``: the verdict at each point.
    """
    from scipy.stats import mannwhitneyu

    holds = np.asarray(holds, dtype=bool)
    both = 0 < holds.sum() < len(holds)
    values = np.asarray(values, dtype=np.float64).reshape(len(holds), len(params))
    rows: dict[str, list[Any]] = {c: [] for c in DECIDER_COLUMNS}
    for j, param in enumerate(params):
        x = values[:, j]
        position = param.normalized(x)
        rule, threshold, holds_right, fails_right = stump(x, holds) if both else ("", math.nan, math.nan, math.nan)
        rows["parameter"].append(param.key)
        rows["rank_biserial"].append(rank_biserial(x, holds) if both else None)
        rows["p_value"].append(float(mannwhitneyu(x[holds], x[~holds], alternative="two-sided").pvalue)
                               if both else None)
        rows["mean_holds"].append(float(position[holds].mean()) if holds.any() else None)
        rows["mean_fails"].append(float(position[~holds].mean()) if (~holds).any() else None)
        rows["rule"].append(rule or None)
        for name, value in (("threshold", threshold), ("holds_right", holds_right), ("fails_right", fails_right),
                            ("balanced_accuracy", (holds_right + fails_right) / 2.0)):
            rows[name].append(None if math.isnan(value) else value)
    strength = [abs(v) if v is not None else -1.0 for v in rows["rank_biserial"]]
    order = sorted(range(len(params)), key=lambda j: -strength[j])
    rank = {j: i + 1 for i, j in enumerate(order)}
    rows["rank"] = [rank[j] if both else None for j in range(len(params))]
    return pl.DataFrame({c: pl.Series(c, rows[c], dtype=t) for c, t in DECIDER_COLUMNS.items()})
