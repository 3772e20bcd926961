"""Running a sweep: plan it, then run it in the batch shell (:func:`sim.batch.shell.run_in_folder`: claim
its folder, execute the runs not done yet, keep each as it finishes), then rebuild the tables from every
kept run.

Everything is validated before anything runs. Failed runs are reported (one line each, with their
parameters and seed) and listed in the result; Ctrl-C raises :class:`~sim.batch.shell.BatchInterrupted`
after stopping the workers, with every finished run kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..batch.execution import Executor, Work
from ..batch.runs import PlannedRun
from ..batch.shell import FolderBatch, Ran, manifest_versions, run_in_folder
from ..config import Scenario, to_dict
from .plan import DEFAULT_REPLICATES, Axis, Plan, differences, make_plan, parse_grid, state
from .tables import RUN_FILE_SCHEMA, build_tables, run_frame
from .work import run_one

STATE_FILE = "sweep.json"
TABLES = ("runs", "metrics", "summary")


@dataclass
class SweepResult:
    """What a sweep did: the plan, the files written, runs run now / already done, and the failures."""

    out: Path
    plan: Plan
    written: dict[str, Path]
    ran: int
    skipped: int
    failures: list[tuple[PlannedRun, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def _manifest(plan: Plan, command: dict[str, Any], ran: Ran, uses_dask: bool) -> dict[str, Any]:
    return {
        "command": command,
        "scenario": plan.name,
        "scenarios": list(plan.bases),
        "parameters": {name: to_dict(base) for name, base in plan.bases.items()} if len(plan.bases) > 1
        else to_dict(plan.base),
        "grid": [{"key": a.key, "values": list(a.values)} for a in plan.axes],
        "replicates": plan.replicates,
        "base_seed": plan.base_seed,
        "fingerprint": plan.fingerprint,
        "executor": ran.executor,
        "seeds": [{"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed,
                   "values": dict(r.values)} for r in plan.runs],
        "runs": ran.runs_record(plan.runs),
        "versions": manifest_versions(uses_dask),
    }


def folder_batch(plan: Plan, work: Work = run_one) -> FolderBatch:
    """The sweep as the batch shell runs it."""
    return FolderBatch(
        kind="sweep", title=f"sweep {plan.name}", state_file=STATE_FILE, state=state(plan), tables=TABLES,
        differences=lambda held: differences(held, plan), runs=plan.runs, payload=plan.scenario_dict, work=work,
        frame=run_frame, schema=RUN_FILE_SCHEMA, failed=lambda run: f"run {run.run_id} failed ({run.label()})")


def run_sweep(scenario: Scenario | dict[str, Scenario], grid: Sequence[str] | Sequence[Axis], out: str | Path, *,
              replicates: int = DEFAULT_REPLICATES, base_seed: int | None = None, workers: int | None = None,
              dask: str | None = None, fmt: str = "parquet", progress: bool = False,
              log: TextIO | None = None, command: dict[str, Any] | None = None,
              connect_timeout: float = 10.0, on_kept: Callable[[PlannedRun], None] | None = None,
              work: Work = run_one) -> SweepResult:
    """Run (or resume, or extend) a sweep of ``scenario`` over ``grid`` into ``out`` and write its tables.

    ``scenario`` is the scenario swept or, when the grid sweeps ``scenario``, each scenario by name.
    ``on_kept`` is called after each run is safely on disk. ``work`` is what each run executes (a
    top-level function of the run's scenario dict; :func:`~.work.run_one` simulates it).
    """
    axes = tuple(grid) if grid and isinstance(grid[0], Axis) else parse_grid(list(grid))
    plan = make_plan(scenario, axes, replicates, base_seed)
    with run_in_folder(folder_batch(plan, work), out, Executor(workers, dask, connect_timeout), fmt=fmt,
                       progress=progress, log=log, on_kept=on_kept) as ran:
        command = command or {"scenario": plan.name, "grid": [f"{a.key}={','.join(a.texts)}" for a in axes],
                              "replicates": replicates, "seed": plan.base_seed, "workers": workers, "dask": dask,
                              "out": str(ran.out), "format": fmt}
        written = ran.write(build_tables(plan, ran.finished), _manifest(plan, command, ran, dask is not None))
    return SweepResult(out=ran.out, plan=plan, written=written, ran=ran.ran, skipped=ran.skipped,
                       failures=ran.failures, seconds=ran.seconds)
