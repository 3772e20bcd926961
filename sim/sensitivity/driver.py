"""Running a sensitivity analysis: plan it, then run it in the batch shell (:func:`sim.batch.shell.run_in_folder`:
claim its folder, execute the runs not done yet, keep each as it finishes), then build the tables and the
indices from every kept run.

Everything is validated (and the sample drawn) before anything runs. Failed runs are reported (one line
each, with their side, parameters and seed) and listed in the result and the manifest; indices need
every run, so an analysis with failures writes its samples and runs and no indices until a rerun
completes it. Ctrl-C raises :class:`~sim.batch.BatchInterrupted` after stopping the workers, with every
finished run kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import polars as pl

from ..batch.execution import Executor, Work
from ..batch.runs import PlannedRun
from ..batch.shell import FolderBatch, Ran, manifest_versions, run_in_folder
from ..config import Scenario, to_dict
from . import design as designs
from . import hypothesis as judging
from .indices import empty_indices, indices_table
from .plan import Plan, comparison_for, differences, find_hypothesis, make_plan, state
from .space import Parameter, resolve
from .tables import RUN_FILE_SCHEMA, complete, run_frame, runs_table, samples_table
from .work import measure

STATE_FILE = "sensitivity.json"
TABLES = ("samples", "runs", "indices", "hypothesis", "deciders")
DEFAULT_REPLICATES = designs.DEFAULT_REPLICATES


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
    failures: list[tuple[PlannedRun, str]] = field(default_factory=list)
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


def _manifest(plan: Plan, command: dict[str, Any], ran: Ran, notes: dict[str, str], uses_dask: bool
              ) -> dict[str, Any]:
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
        "executor": ran.executor,
        "runs": ran.runs_record(plan.all_runs),
        "versions": manifest_versions(uses_dask, "SALib", "scipy"),
    }


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


def folder_batch(plan: Plan, work: Work = measure) -> FolderBatch:
    """The analysis as the batch shell runs it."""
    return FolderBatch(
        kind="sensitivity analysis", title=f"sensitivity {plan.base.name}", state_file=STATE_FILE, state=state(plan),
        tables=TABLES, runs=plan.all_runs, payload=plan.payload, work=work, frame=run_frame, schema=RUN_FILE_SCHEMA,
        one_row=True, failed=lambda run: f"run {run.run_id} failed ({plan.run_label(run)})",
        differences=lambda held: None if held.get("fingerprint") == plan.fingerprint else differences(held, plan))


def run_sensitivity(plan: Plan, out: str | Path, *, workers: int | None = None, dask: str | None = None,
                    fmt: str = "parquet", progress: bool = False, log: TextIO | None = None,
                    command: dict[str, Any] | None = None, connect_timeout: float = 10.0,
                    on_kept: Callable[[PlannedRun], None] | None = None, work: Work = measure) -> SensitivityResult:
    """Run (or resume) the planned analysis into ``out`` and write its tables (see :func:`plan_analysis`).

    ``on_kept`` is called after each run is safely on disk. ``work`` is what each run executes (a
    top-level function of the run's payload; :func:`~.work.measure` simulates it).
    """
    with run_in_folder(folder_batch(plan, work), out, Executor(workers, dask, connect_timeout), fmt=fmt,
                       progress=progress, log=log, on_kept=on_kept) as ran:
        tables, notes = build_tables(plan, ran.finished)
        command = command or {"scenario": plan.base.name, "method": plan.design.method,
                              "params": [p.text for p in plan.params], "replicates": plan.replicates,
                              "seed": plan.base_seed, "workers": workers, "dask": dask, "out": str(ran.out),
                              "format": fmt}
        written = ran.write(tables, _manifest(plan, command, ran, notes, dask is not None))
    return SensitivityResult(out=ran.out, plan=plan, tables=tables, notes=notes, written=written, ran=ran.ran,
                             skipped=ran.skipped, failures=ran.failures, seconds=ran.seconds,
                             complete=complete(plan, ran.finished))
