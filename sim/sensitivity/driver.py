"""Running a sensitivity analysis: plan it, claim its directory, execute the runs not done yet on the
sweep's executors, keep each as it finishes, then build the tables and the indices from every kept run.

Everything is validated (and the sample drawn) before anything runs. Failed runs are reported (one line
each, with their side, parameters and seed) and listed in the result and the manifest; indices need
every run, so an analysis with failures writes its samples and runs and no indices until a rerun
completes it. Ctrl-C raises :class:`SensitivityInterrupted` after stopping the workers, with every
finished run kept.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import polars as pl

from ..config import Scenario, to_dict
from ..errors import ClusterError, UsageError
from ..exports import versions, write_tables
from ..files import FORMATS, check_writable, discard_created
from ..sweep.directory import claim, remove_stale_tables
from ..sweep.driver import RunsInterrupted, default_workers, execute
from ..sweep.execution import Outcome, Task, Work, dask_version, require_dask
from ..sweep.plan import Run
from ..sweep.tables import clean_temporaries
from . import design as designs
from . import hypothesis as judging
from .indices import empty_indices, indices_table
from .plan import Plan, comparison_for, differences, find_hypothesis, make_plan, state
from .space import Parameter, resolve
from .tables import complete, load_finished, runs_table, samples_table, store_run
from .work import measure

STATE_FILE = "sensitivity.json"
TABLES = ("samples", "runs", "indices", "hypothesis", "deciders")
DEFAULT_REPLICATES = designs.DEFAULT_REPLICATES


class SensitivityInterrupted(RunsInterrupted):
    """Ctrl-C during an analysis, after cleanup: how many runs are kept and where."""

    what = "sensitivity analysis"


@dataclass
class SensitivityResult:
    """What an analysis did: the plan, its tables, the files written, runs run now / already done, failures."""

    out: Path
    plan: Plan
    tables: dict[str, pl.DataFrame]
    notes: dict[str, str]
    written: dict[str, Path]
    ran: int
    skipped: int
    failures: list[tuple[Run, str]] = field(default_factory=list)
    seconds: float = 0.0
    complete: bool = False          # every run finished, so the indices are there

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or not self.complete else 0



def plan_analysis(scenario: Scenario, params: Sequence[str] | Sequence[Parameter], *, method: str,
                  samples: int | None = None, levels: int | None = None, second_order: bool = False,
                  replicates: int = DEFAULT_REPLICATES, base_seed: int | None = None, hypothesis: str | None = None,
                  overrides: dict[str, Any] | None = None) -> Plan:
    """Validate the box, the design and the hypothesis against ``scenario``, draw the sample, lay out the
    runs (SALib must be installed). ``overrides`` are the ``--set`` values ``scenario`` was loaded with: a
    compared scenario gets them too."""
    designs.require_salib()
    fixed = set(overrides or {})
    checked = (tuple(params) if params and isinstance(params[0], Parameter)
               else resolve(scenario, [str(p) for p in params], fixed))
    design = designs.make_design(method, samples, levels, second_order)
    designs.check_integer_levels(design, checked)
    comparison = None
    if hypothesis is not None:
        comparison = comparison_for(scenario, find_hypothesis(scenario, hypothesis), overrides or {})
    return make_plan(scenario, checked, design, replicates, base_seed, comparison)


def _manifest(plan: Plan, command: dict[str, Any], executor: dict[str, Any], finished: set[str],
              failures: list[tuple[Run, str]], notes: dict[str, str], uses_dask: bool) -> dict[str, Any]:
    found = versions()
    for package in ("SALib", "scipy"):
        found[package] = _version(package)
    if uses_dask:
        found["distributed"] = dask_version()
    comparison = plan.comparison
    return {
        "kind": "sensitivity",
        "command": command,
        "scenario": plan.base.name,
        "parameters": to_dict(plan.base),
        "method": plan.design.method,
        "design": {"samples": plan.design.samples, "levels": plan.design.levels,
                   "second_order": plan.design.second_order, "points": len(plan.points),
                   "sampler_seed": plan.sampler_seed},
        "params": [{"key": p.key, "low": p.low, "high": p.high, "integer": p.integer} for p in plan.params],
        "replicates": plan.replicates,
        "base_seed": plan.base_seed,
        "replicate_seeds": list(plan.seeds),
        "analysis": {"num_resamples": designs.NUM_RESAMPLES, "conf_level": designs.CONFIDENCE,
                     "seed": plan.analysis_seed, "response": "mean over replicates of the final value",
                     "notes": notes},
        "hypothesis": None if comparison is None else {
            "id": comparison.hypothesis.id, "statement": comparison.hypothesis.statement,
            "measure": comparison.hypothesis.observable.describe(), "against": comparison.hypothesis.against,
            "comparison": None if comparison.base is None else to_dict(comparison.base, hypotheses=False)},
        "fingerprint": plan.fingerprint,
        "executor": executor,
        "runs": {"planned": len(plan.all_runs), "finished": len(finished),
                 "missing": sorted(r.run_id for r in plan.all_runs if r.run_id not in finished),
                 "failed": [{"run_id": r.run_id, "seed": r.seed, "values": dict(r.values), "error": e}
                            for r, e in failures]},
        "versions": found,
    }


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def build_tables(plan: Plan, finished: dict[str, pl.DataFrame]) -> tuple[dict[str, pl.DataFrame], dict[str, str]]:
    """samples, runs, and (when every run finished) indices, with the hypothesis's map and deciders."""
    samples = samples_table(plan)
    runs = runs_table(plan, finished)
    done = complete(plan, finished)
    notes: dict[str, str] = {}
    indices = empty_indices(plan)
    if done:
        indices, notes = indices_table(plan, samples, runs)
    tables = {"samples": samples, "runs": runs, "indices": indices}
    if plan.comparison is not None:
        tables |= _hypothesis_tables(plan, samples, runs, done)
    return tables, notes


def _hypothesis_tables(plan: Plan, samples: pl.DataFrame, runs: pl.DataFrame, done: bool) -> dict[str, pl.DataFrame]:
    """Where the hypothesis holds, point by point, and its deciders (no rows until every run finished)."""
    if not done:
        return {"hypothesis": pl.DataFrame(schema={**samples.schema, **judging.VERDICT_COLUMNS}),
                "deciders": pl.DataFrame(schema=judging.DECIDER_COLUMNS)}
    verdicts = judging.verdict_table(plan, samples, judging.verdicts(plan, runs))
    values = np.array(plan.values, dtype=np.float64)
    return {"hypothesis": verdicts,
            "deciders": judging.decider_table(plan.params, values, verdicts["holds"].to_numpy())}


def run_sensitivity(plan: Plan, out: str | Path, *, workers: int | None = None, dask: str | None = None,
                    fmt: str = "parquet", progress: bool = False, log: TextIO | None = None,
                    command: dict[str, Any] | None = None, connect_timeout: float = 10.0,
                    on_kept: Callable[[Run], None] | None = None, work: Work = measure) -> SensitivityResult:
    """Run (or resume) the planned analysis into ``out`` and write its tables (see :func:`plan_analysis`).

    ``on_kept`` is called after each run is safely on disk. ``work`` is what each run executes (a
    top-level function of the run's payload; :func:`~.work.measure` simulates it).
    """
    log = sys.stderr if log is None else log
    if fmt not in FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers: must be at least 1, got {workers}")
    if workers is not None and dask not in (None, "local"):
        raise UsageError("--workers: not used with --dask ADDRESS (the cluster has its own workers)")
    if dask is not None:
        require_dask(dask, connect_timeout)
    out = Path(out)
    created = check_writable(out)
    resumed = claim(out, STATE_FILE, state(plan), "sensitivity analysis", TABLES,
          lambda held: None if held.get("fingerprint") == plan.fingerprint else differences(held, plan))
    clean_temporaries(out)

    started = time.monotonic()
    finished = load_finished(out, plan)
    todo = [Task(r, plan.payload(r)) for r in plan.all_runs if r.run_id not in finished]
    pool_size = min(workers or default_workers(), max(len(todo), 1))
    executor = {"kind": "dask" if dask else "local", "workers": pool_size, "address": dask}
    try:
        failures = execute(out, todo, total=len(plan.all_runs), done=len(finished), workers=pool_size, dask=dask,
                           timeout=connect_timeout, work=work, keep=_keep, describe=plan.run_label,
                           title=f"sensitivity {plan.base.name}", progress=progress, log=log, on_kept=on_kept,
                           interrupted=SensitivityInterrupted)
    except ClusterError:
        if not resumed and not load_finished(out, plan):   # the scheduler could not be used: leave the folder
            (out / STATE_FILE).unlink(missing_ok=True)
            discard_created(created, out)
        raise

    finished = load_finished(out, plan)
    tables, notes = build_tables(plan, finished)
    command = command or {"scenario": plan.base.name, "method": plan.design.method,
                          "params": [p.text for p in plan.params], "replicates": plan.replicates,
                          "seed": plan.base_seed, "workers": workers, "dask": dask, "out": str(out), "format": fmt}
    manifest = _manifest(plan, command, executor, set(finished), failures, notes, dask is not None)
    written = write_tables(tables, out, fmt, manifest)
    remove_stale_tables(out, fmt, TABLES)
    return SensitivityResult(out=out, plan=plan, tables=tables, notes=notes, written=written, ran=len(todo),
                             skipped=len(plan.all_runs) - len(todo), failures=failures,
                             seconds=time.monotonic() - started, complete=complete(plan, finished))


def _keep(out: Path, outcome: Outcome) -> str | None:
    """Store a finished run's result; the error (one line) if it failed or returned something malformed."""
    if outcome.history is None:
        return outcome.error or "unknown error"
    try:
        store_run(out, outcome.run, outcome.history)
    except (ValueError, KeyError, TypeError) as exc:
        return f"the work returned a malformed result: {exc}"
    return None

