"""The indices, computed by SALib from the samples and runs tables exactly as anyone can from the files.

The response of a measure at a sample point is its final value averaged over the point's replicates
(those where it is defined: a measure can be undefined in a run, e.g. vouch precision with no vouch
resolved). Inputs are the ``samples`` table's values as run (integer keys rounded), in point order:

- Morris: ``SALib.analyze.morris.analyze(problem, X, Y, num_resamples, conf_level, num_levels, seed)``
  gives ``mu`` (mean elementary effect, signed), ``mu_star`` (mean absolute effect), ``mu_star_conf``
  (half-width of its bootstrap interval) and ``sigma`` (spread of the effects: non-linearity or
  interaction). An elementary effect is the change of the measure when one parameter moves by
  L / (2 (L - 1)) of its range, divided by that fraction: measure units per whole range.
- Sobol': ``SALib.analyze.sobol.analyze(problem, Y, calc_second_order, num_resamples, conf_level, seed)``
  gives ``S1`` (share of the variance a parameter explains alone), ``ST`` (with all its interactions),
  each with its interval half-width ``_conf``, and ``S2`` per pair of parameters when asked.

``num_resamples`` is 1000, ``conf_level`` 0.95, and the bootstrap's seed is the manifest's
``analysis.seed`` (the same for every measure). A measure undefined at some point (no replicate defined)
has null indices.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import polars as pl

from ..measures import METRICS
from .design import CONFIDENCE, NUM_RESAMPLES, problem
from .plan import Plan

MORRIS = ("mu", "mu_star", "mu_star_conf", "sigma")
SOBOL = ("S1", "S1_conf", "ST", "ST_conf")
SECOND = ("S2", "S2_conf")
RANKED_BY = {"morris": "mu_star", "sobol": "ST"}


def responses(runs: pl.DataFrame, points: int) -> dict[str, np.ndarray]:
    """Per measure, its mean over the replicates at each point where it is defined (NaN where none is)."""
    means = runs.group_by("point").agg([pl.col(m).cast(pl.Float64).mean() for m in METRICS])
    every = pl.DataFrame({"point": pl.Series(np.arange(points, dtype=np.int64), dtype=pl.Int64)})
    full = every.join(means, on="point", how="left").sort("point")
    return {m: full[m].cast(pl.Float64).fill_null(np.nan).to_numpy() for m in METRICS}


def inputs(plan: Plan, samples: pl.DataFrame) -> np.ndarray:
    """The sample as run (points x parameters, float64), in point order: SALib's X."""
    return samples.sort("point").select([pl.col(k).cast(pl.Float64) for k in plan.keys]).to_numpy()


def salib(plan: Plan, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """SALib's own analysis of one measure's responses ``y`` at the points ``x`` (warnings silenced: a
    measure that does not vary gives zeros, which the summary reports as such)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if plan.design.method == "morris":
            from SALib.analyze import morris

            return dict(morris.analyze(problem(plan.params), x, y, num_resamples=NUM_RESAMPLES,
                                       conf_level=CONFIDENCE, num_levels=plan.design.levels,
                                       seed=plan.analysis_seed))
        from SALib.analyze import sobol

        return dict(sobol.analyze(problem(plan.params), y, calc_second_order=plan.design.second_order,
                                  num_resamples=NUM_RESAMPLES, conf_level=CONFIDENCE, seed=plan.analysis_seed))


def columns(plan: Plan) -> dict[str, pl.DataType]:
    """The indices table's schema for the plan's method."""
    schema: dict[str, pl.DataType] = {"measure": pl.String(), "parameter": pl.String()}
    if plan.design.second_order:
        schema["other"] = pl.String()
    schema["rank"] = pl.Int64()
    names = MORRIS if plan.design.method == "morris" else SOBOL + (SECOND if plan.design.second_order else ())
    return schema | dict.fromkeys(names, pl.Float64())


def _ranks(values: np.ndarray) -> list[int | None]:
    """1 for the largest value, 2 for the next...; ties keep --param order; None where undefined."""
    order = sorted((i for i in range(len(values)) if np.isfinite(values[i])), key=lambda i: -values[i])
    ranks: list[int | None] = [None] * len(values)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks


def _measure_rows(plan: Plan, measure: str, result: dict[str, Any] | None) -> dict[str, list[Any]]:
    """The rows of one measure (columns as lists): one per parameter, then one per pair for S2."""
    d = len(plan.params)
    names = _numbers(plan)
    first = {c: ([float(v) for v in np.asarray(result[c], dtype=np.float64)] if result and c in result
                 and c not in SECOND else [None] * d) for c in names}
    key = RANKED_BY[plan.design.method]
    ranks = _ranks(np.array([np.nan if v is None else v for v in first[key]], dtype=np.float64))
    rows = {"measure": [measure] * d, "parameter": list(plan.keys), "rank": ranks, **first}
    if plan.design.second_order:
        rows["other"] = [None] * d
        for i in range(d):
            for j in range(i + 1, d):
                rows["measure"].append(measure)
                rows["parameter"].append(plan.keys[i])
                rows["other"].append(plan.keys[j])
                rows["rank"].append(None)
                for c in names:
                    rows[c].append(float(result[c][i][j]) if result and c in SECOND else None)
    return rows


def indices_table(plan: Plan, samples: pl.DataFrame, runs: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, str]]:
    """Every measure's indices per parameter (and pair), and a note for each measure without any."""
    x = inputs(plan, samples)
    found = responses(runs, len(plan.values))
    schema = columns(plan)
    table: dict[str, list[Any]] = {c: [] for c in schema}
    notes = {}
    for measure in METRICS:
        y = found[measure]
        undefined = int((~np.isfinite(y)).sum())
        if undefined:
            notes[measure] = f"undefined at {undefined} of {len(y)} sample points"
        rows = _measure_rows(plan, measure, None if undefined else salib(plan, x, y))
        for c in schema:
            table[c] += rows[c]
    frame = pl.DataFrame({c: pl.Series(c, table[c], dtype=schema[c]) for c in schema})
    return frame.with_columns(pl.col(_numbers(plan)).fill_nan(None)), notes


def _numbers(plan: Plan) -> list[str]:
    """The index columns (the numbers SALib gives) of the plan's method."""
    return [c for c in columns(plan) if c not in ("measure", "parameter", "other", "rank")]


def empty_indices(plan: Plan) -> pl.DataFrame:
    """The indices table with no rows (an analysis with runs missing has no indices yet)."""
    return pl.DataFrame(schema=columns(plan))
