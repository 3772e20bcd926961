"""A sensitivity analysis as tables: a finished run's file, and the samples and runs tables.

Each finished run is kept in ``DIR/runs/<run_id>.parquet`` the moment it comes back
(:class:`~sim.batch.folder.RunFiles`): one row holding its run_id, seed, the final value of every network
measure, and what a hypothesis reads (``observed``, null without one). The tables are rebuilt from those
files with polars over whole columns and sorted explicitly, so they are identical whatever the number of
workers or the order in which runs finished.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..batch.folder import METRIC_SCHEMA
from ..batch.runs import PlannedRun
from ..measures import COUNT_METRICS, METRICS
from .plan import Plan

RUN_FILE_SCHEMA: dict[str, pl.DataType] = {"run_id": pl.String(), "seed": pl.Int64(), **METRIC_SCHEMA,
                                           "observed": pl.Float64()}


def _cell(value: float, integer: bool) -> float | int | None:
    """One value for a stated column: NaN becomes null (as in the exports), a count an integer."""
    if np.isnan(value):
        return None
    return int(value) if integer else float(value)


def run_frame(run: PlannedRun, result: dict[str, np.ndarray]) -> pl.DataFrame:
    """A finished run as one row: run_id, seed, final measures (NaN as null), the observed value."""
    measures = np.asarray(result["measures"], dtype=np.float64)
    if measures.shape != (len(METRICS),):
        raise ValueError(f"{measures.size} measures where {len(METRICS)} were expected")
    observed = np.asarray(result["observed"], dtype=np.float64).reshape(-1)
    cells = {"run_id": run.run_id, "seed": run.seed,
             **{m: _cell(measures[i], m in COUNT_METRICS) for i, m in enumerate(METRICS)},
             "observed": _cell(observed[0], False) if observed.size else None}
    return pl.DataFrame({name: pl.Series(name, [cells[name]], dtype=dtype) for name, dtype in RUN_FILE_SCHEMA.items()})


def _value_series(name: str, values: list[float | int], integer: bool) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Int64 if integer else pl.Float64)


def samples_table(plan: Plan) -> pl.DataFrame:
    """One row per sample point, in SALib's order: ``point`` and each parameter's value as run."""
    columns = [pl.Series("point", np.arange(len(plan.values), dtype=np.int64), dtype=pl.Int64)]
    for j, param in enumerate(plan.params):
        columns.append(_value_series(param.key, [point[j] for point in plan.values], param.integer))
    return pl.DataFrame(columns)


def _identity(runs: tuple[PlannedRun, ...]) -> pl.DataFrame:
    return pl.DataFrame({"run_id": pl.Series([r.run_id for r in runs], dtype=pl.String),
                         "point": pl.Series([r.point for r in runs], dtype=pl.Int64),
                         "replicate": pl.Series([r.replicate for r in runs], dtype=pl.Int64),
                         "seed": pl.Series([r.seed for r in runs], dtype=pl.Int64)})


def _held(runs: tuple[PlannedRun, ...], finished: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The kept files of ``runs`` stacked (those finished), with the run file's schema."""
    frames = [finished[r.run_id] for r in runs if r.run_id in finished]
    return pl.concat(frames) if frames else pl.DataFrame(schema=RUN_FILE_SCHEMA)


def runs_table(plan: Plan, finished: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per finished run of the analysed scenario: run_id, point, replicate, seed, final measures.

    With a hypothesis: ``observed`` (what it reads on this run) and ``comparison`` (the same on the
    comparison run of the same point and seed, or the fixed value it is compared with).
    """
    table = _identity(plan.runs).join(_held(plan.runs, finished).drop("seed"), on="run_id", how="inner")
    if plan.comparison is None:
        return table.drop("observed").sort("run_id")
    hypothesis = plan.comparison.hypothesis
    if hypothesis.than is not None:
        return table.with_columns(comparison=pl.lit(float(hypothesis.than), dtype=pl.Float64)).sort("run_id")
    theirs = _identity(plan.comparison_runs).join(_held(plan.comparison_runs, finished).drop("seed"), on="run_id",
                                                 how="inner")
    theirs = theirs.select("point", "replicate", pl.col("observed").alias("comparison"))
    table = table.join(theirs, on=["point", "replicate"], how="left")
    return table.sort("run_id")


def complete(plan: Plan, finished: dict[str, pl.DataFrame]) -> bool:
    """Has every planned run finished (the indices need all of them)?"""
    return all(r.run_id in finished for r in plan.all_runs)
