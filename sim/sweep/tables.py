"""Sweep results as tables: a finished run's file (its daily measures), and the runs/metrics/summary frames.

Each finished run is kept in ``DIR/runs/<run_id>.parquet`` (:class:`~sim.batch.folder.RunFiles`). The
three tables are rebuilt from those files with polars expressions over whole columns and sorted
explicitly, so they are identical whatever the number of workers or the order in which runs finished.

Confidence intervals use Student's t with n-1 degrees of freedom (:mod:`sim.batch.statistics`, exact
quantiles).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ..batch.folder import METRIC_SCHEMA
from ..batch.runs import PlannedRun
from ..batch.statistics import t_quantile
from ..measures import COUNT_METRICS, METRICS
from .plan import Plan

RUN_FILE_SCHEMA: dict[str, pl.DataType] = {"run_id": pl.String(), "seed": pl.Int64(), "day": pl.Int32(),
                                           **METRIC_SCHEMA}


# ---------------------------------------------------------------- one file per run

def run_frame(run: PlannedRun, history: dict[str, np.ndarray]) -> pl.DataFrame:
    """A finished run's daily measures with its identity (run_id, seed); NaN becomes null, as in export."""
    days = len(history["day"])
    frame = pl.DataFrame({
        "run_id": pl.Series([run.run_id] * days, dtype=pl.String),
        "seed": pl.Series(np.full(days, run.seed, dtype=np.int64), dtype=pl.Int64),
        "day": pl.Series(history["day"], dtype=pl.Int32),
        **{m: pl.Series(np.asarray(history[m], dtype=np.float64), dtype=pl.Float64) for m in METRICS},
    })
    return frame.with_columns(
        pl.col([m for m in METRICS if m not in COUNT_METRICS]).fill_nan(None),
        pl.col(sorted(COUNT_METRICS)).cast(pl.Int64),
    ).select(list(RUN_FILE_SCHEMA)).sort("day")


# ---------------------------------------------------------------- tables

def _grid_series(name: str, values: list[Any], texts: list[str]) -> pl.Series:
    """A grid key's column: Boolean, Int64, Float64 or String; anything else (lists) as the typed text."""
    if all(isinstance(v, bool) for v in values):
        return pl.Series(name, values, dtype=pl.Boolean)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pl.Series(name, values, dtype=pl.Int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pl.Series(name, [float(v) for v in values], dtype=pl.Float64)
    if all(isinstance(v, str) for v in values):
        return pl.Series(name, values, dtype=pl.String)
    return pl.Series(name, texts, dtype=pl.String)


def plan_frame(plan: Plan) -> pl.DataFrame:
    """One row per planned run: run_id, point, each grid key, replicate, seed (in grid order)."""
    runs = plan.runs
    shape = tuple(len(axis.values) for axis in plan.axes)
    points = np.array([r.point for r in runs], dtype=np.int64)
    indices = np.unravel_index(points, shape) if shape else ()   # product order: first axis slowest
    columns = [pl.Series("run_id", [r.run_id for r in runs], dtype=pl.String),
               pl.Series("point", points, dtype=pl.Int64)]
    for axis, index in zip(plan.axes, indices, strict=True):
        columns.append(_grid_series(axis.key, [axis.values[i] for i in index], [axis.texts[i] for i in index]))
    columns += [pl.Series("replicate", [r.replicate for r in runs], dtype=pl.Int64),
                pl.Series("seed", [r.seed for r in runs], dtype=pl.Int64)]
    return pl.DataFrame(columns).sort(["point", "replicate"])


def metrics_table(finished: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every finished run's daily measures stacked: run_id, day, measures (sorted by run_id, day)."""
    schema = {k: v for k, v in RUN_FILE_SCHEMA.items() if k != "seed"}
    if not finished:
        return pl.DataFrame(schema=schema)
    return pl.concat([finished[k] for k in sorted(finished)]).select(list(schema)).sort(["run_id", "day"])


def runs_table(plan: Plan, metrics: pl.DataFrame) -> pl.DataFrame:
    """One row per finished run: run_id, point, grid keys, replicate, seed, every measure's final value."""
    finals = metrics.group_by("run_id").agg(pl.col(list(METRICS)).sort_by("day").last())
    identity = plan_frame(plan)
    table = identity.join(finals, on="run_id", how="inner").sort(["point", "replicate"])
    return table.select(["run_id", "point", *plan.keys, "replicate", "seed", *METRICS])


def summary_table(runs: pl.DataFrame, keys: tuple[str, ...]) -> pl.DataFrame:
    """Per grid point: replicates, and per measure its mean, sample std (ddof=1) and 95% t interval.

    Missing values (a measure undefined in a run) are left out of that measure's statistics; an interval
    needs at least two values, else it is null. Rows follow the grid's order when ``runs`` has a
    ``point`` column (the grid point index), else the order of the grid key values.
    """
    frame = runs if "point" in runs.columns else runs.with_columns(
        point=pl.struct(list(keys)).rank("dense") if keys else pl.lit(0))
    stats = []
    for m in METRICS:
        value = pl.col(m).cast(pl.Float64)
        stats += [value.mean().alias(f"{m}_mean"), value.std(ddof=1).alias(f"{m}_std"),
                  value.count().alias(f"{m}_n")]
    grouped = frame.group_by(["point", *keys]).agg(pl.len().cast(pl.Int64).alias("replicates"), *stats)
    dofs = sorted({int(n) - 1 for m in METRICS for n in grouped[f"{m}_n"].to_list() if n and n > 1})
    quantiles = {dof + 1: t_quantile(dof) for dof in dofs}
    bounds = []
    for m in METRICS:
        t = pl.col(f"{m}_n").replace_strict(quantiles, default=None, return_dtype=pl.Float64)
        half = t * pl.col(f"{m}_std") / pl.col(f"{m}_n").cast(pl.Float64).sqrt()
        bounds += [(pl.col(f"{m}_mean") - half).alias(f"{m}_ci_low"),
                   (pl.col(f"{m}_mean") + half).alias(f"{m}_ci_high")]
    ordered = [c for m in METRICS for c in (f"{m}_mean", f"{m}_std", f"{m}_ci_low", f"{m}_ci_high")]
    return grouped.with_columns(bounds).sort("point").select([*keys, "replicates", *ordered])


def build_tables(plan: Plan, finished: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The three sweep tables (runs, metrics, summary) from the runs kept so far."""
    metrics = metrics_table(finished)
    runs = runs_table(plan, metrics)
    return {"runs": runs.drop("point"), "metrics": metrics, "summary": summary_table(runs, plan.keys)}
