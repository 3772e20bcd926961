"""Sweeps: a parameter grid with replicates, on local processes or a Dask cluster, resumable.

A sweep is the full product of the ``--grid`` values (dotted keys, as ``--set`` takes them), each point
run ``--replicates`` times with seeds from ``SeedSequence(BASE).spawn(...)`` (see :mod:`.plan`), so the
tables are identical whatever the number of workers, the finishing order or the machine.

- :mod:`.plan`: the grid, its runs and their seeds, the sweep's fingerprint (pure, checked up front);
- :mod:`.work`: what a run does in a worker (its daily measures);
- :mod:`.tables`: a finished run's file, and the runs / metrics / summary tables built from them;
- :mod:`.driver`: :func:`run_sweep`, which runs the plan in the batch shell (:mod:`sim.batch`: executors,
  the folder, resuming, Ctrl-C);
- :mod:`.command`: ``trustsim sweep`` on the command line.

Output directory::

    DIR/sweep.json         which sweep this directory holds (its fingerprint): resume it, refuse others
    DIR/runs/<run_id>.parquet   each finished run, kept atomically the moment it finishes
    DIR/runs.<ext>         one row per finished run: run_id, grid keys, replicate, seed, final measures
    DIR/metrics.<ext>      every run's daily measures stacked, with run_id
    DIR/summary.<ext>      per grid point: replicates, and per measure mean, std, 95% CI
    DIR/manifest.json      parameters, resolved scenario, seeds, versions, rows and sha256 per file

Running the same command again skips the finished runs and completes the rest; the tables are always
rebuilt from ``DIR/runs/``. Exit codes: 0 all runs finished, 1 some runs failed (each is reported with
its parameters and seed), 2 bad input, 130 interrupted (finished runs are kept).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SweepResult", "run_sweep"]


def __getattr__(name: str) -> Any:
    """The driver (and with it polars and the pools) loads on first use, not with the command line."""
    if name in __all__:
        from . import driver

        return getattr(driver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
