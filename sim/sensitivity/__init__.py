"""Global sensitivity analysis on the batch machinery (:mod:`sim.batch`): which parameters drive each measure,
and where a stated hypothesis holds.

``trustsim sensitivity SCENARIO --method morris|sobol --param KEY=LOW:HIGH ...`` samples the box of the
``--param`` ranges with SALib (Morris trajectories for screening, Saltelli's Sobol' sample for variance
shares), runs each sample point ``--replicates`` times on the batch executors (a local process pool or
Dask; resumable), and computes the indices with SALib from the written tables, so that anyone can
recompute them from the files.

- :mod:`.space`: the ``--param`` box, checked against the scenario and applied to it (shares rescaled);
- :mod:`.design`: the method's options, the seeds, and SALib's sample;
- :mod:`.plan`: the points, their scenarios, every run with its seed, the fingerprint;
- :mod:`.work`: what a run does in a worker (its final measures and a hypothesis's observable);
- :mod:`.tables`: one file per finished run, and the samples and runs tables;
- :mod:`.indices`: SALib's analysis of the samples and runs tables;
- :mod:`.hypothesis`: the hypothesis judged at every point, and which parameters decide it;
- :mod:`.driver`: :func:`plan_analysis` and :func:`run_sensitivity`, which run the plan in the batch shell;
- :mod:`.report`: the printed summary, in plain words;
- :mod:`.command`: ``trustsim sensitivity`` on the command line.

Output directory::

    DIR/sensitivity.json   which analysis this directory holds (its fingerprint): resume it, refuse others
    DIR/runs/<run_id>.parquet   each finished run, kept atomically the moment it finishes
    DIR/samples.<ext>      one row per sample point, in SALib's order: point, each parameter as run
    DIR/runs.<ext>         one row per run: run_id, point, replicate, seed, every measure's final value
                           (with --hypothesis: observed, comparison)
    DIR/indices.<ext>      per measure and parameter: Morris mu, mu_star, mu_star_conf, sigma; Sobol' S1,
                           S1_conf, ST, ST_conf (and S2, S2_conf per pair with --second-order); rank
    DIR/hypothesis.<ext>   with --hypothesis: per point, the paired effect, its 95% interval, holds
    DIR/deciders.<ext>     with --hypothesis: per parameter, how well it alone separates holds / fails
    DIR/manifest.json      command, resolved scenario, design, seeds, versions, rows and sha256 per file

Exit codes: 0 done, 1 some runs failed (reported with their parameters and seed; no indices until a
rerun completes them), 2 bad input (one line, before anything runs), 130 interrupted (finished runs
are kept).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SensitivityResult", "plan_analysis", "run_sensitivity"]


def __getattr__(name: str) -> Any:
    """The driver (and with it polars, SALib and the pools) loads on first use, not with the command line."""
    if name in __all__:
        from . import driver

        return getattr(driver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
