"""Running a sweep: plan it, claim its directory, execute the runs not done yet, keep each as it finishes,
then rebuild the tables from every kept run.

Everything is validated before anything runs. Failed runs are reported (one line each, with their
parameters and seed) and listed in the result; Ctrl-C raises :class:`SweepInterrupted` after stopping the
workers, with every finished run kept.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..config import Scenario, to_dict
from ..errors import ClusterError, UsageError
from ..exports import versions, write_tables
from ..files import FORMATS, check_writable, discard_created
from ..progress import Progress
from .directory import RUNS_DIR, STATE_FILE, claim_directory, remove_stale_tables
from .execution import Outcome, Task, Work, dask_version, outcomes, require_dask, run_one
from .plan import DEFAULT_REPLICATES, Axis, Plan, Run, make_plan, parse_grid
from .tables import build_tables, clean_temporaries, load_finished, store_run


class RunsInterrupted(KeyboardInterrupt):
    """Ctrl-C during an analysis kept one file per run, after cleanup: how many runs are kept and where."""

    what = "analysis"

    def __init__(self, kept: int, total: int, out: Path) -> None:
        super().__init__(f"{self.what} interrupted: {kept} of {total} runs are kept in {out / RUNS_DIR}; "
                         "run the same command again to finish the rest")


class SweepInterrupted(RunsInterrupted):
    what = "sweep"


@dataclass
class SweepResult:
    """What a sweep did: the plan, the files written, runs run now / already done, and the failures."""

    out: Path
    plan: Plan
    written: dict[str, Path]
    ran: int
    skipped: int
    failures: list[tuple[Run, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _manifest(plan: Plan, command: dict[str, Any], executor: dict[str, Any], finished: set[str],
              failures: list[tuple[Run, str]], uses_dask: bool) -> dict[str, Any]:
    found = versions()
    if uses_dask:
        found["distributed"] = dask_version()
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
        "executor": executor,
        "seeds": [{"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed,
                   "values": dict(r.values)} for r in plan.runs],
        "runs": {"planned": len(plan.runs), "finished": len(finished),
                 "missing": sorted(r.run_id for r in plan.runs if r.run_id not in finished),
                 "failed": [{"run_id": r.run_id, "seed": r.seed, "values": dict(r.values), "error": e}
                            for r, e in failures]},
        "versions": found,
    }



def run_sweep(scenario: Scenario | dict[str, Scenario], grid: Sequence[str] | Sequence[Axis], out: str | Path, *,
              replicates: int = DEFAULT_REPLICATES, base_seed: int | None = None, workers: int | None = None,
              dask: str | None = None, fmt: str = "parquet", progress: bool = False,
              log: TextIO | None = None, command: dict[str, Any] | None = None,
              connect_timeout: float = 10.0, on_kept: Callable[[Run], None] | None = None,
              work: Work = run_one) -> SweepResult:
    """Run (or resume, or extend) a sweep of ``scenario`` over ``grid`` into ``out`` and write its tables.

    ``scenario`` is the scenario swept or, when the grid sweeps ``scenario``, each scenario by name.
    ``on_kept`` is called after each run is safely on disk. ``work`` is what each run executes (a
    top-level function of the run's scenario dict; :func:`~.execution.run_one` simulates it).
    """
    log = sys.stderr if log is None else log
    axes = tuple(grid) if grid and isinstance(grid[0], Axis) else parse_grid(list(grid))
    plan = make_plan(scenario, axes, replicates, base_seed)
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
    resumed = claim_directory(out, plan)
    clean_temporaries(out)

    started = time.monotonic()
    finished = load_finished(out, plan)
    todo = [Task(r, plan.scenario_dict(r)) for r in plan.runs if r.run_id not in finished]
    pool_size = min(workers or default_workers(), max(len(todo), 1))
    executor = {"kind": "dask" if dask else "local", "workers": pool_size, "address": dask}
    try:
        failures = execute(out, todo, total=len(plan.runs), done=len(finished), workers=pool_size, dask=dask,
                           timeout=connect_timeout, work=work, keep=_keep, describe=Run.label,
                           title=f"sweep {plan.name}", progress=progress, log=log, on_kept=on_kept,
                           interrupted=SweepInterrupted)
    except ClusterError:
        if not resumed and not load_finished(out, plan):   # the scheduler could not be used: leave the folder
            (out / STATE_FILE).unlink(missing_ok=True)
            discard_created(created, out)
        raise

    finished = load_finished(out, plan)
    command = command or {"scenario": plan.name, "grid": [f"{a.key}={','.join(a.texts)}" for a in axes],
                          "replicates": replicates, "seed": plan.base_seed, "workers": workers, "dask": dask,
                          "out": str(out), "format": fmt}
    manifest = _manifest(plan, command, executor, set(finished), failures, dask is not None)
    written = write_tables(build_tables(plan, finished), out, fmt, manifest)
    remove_stale_tables(out, fmt)
    return SweepResult(out=out, plan=plan, written=written, ran=len(todo), skipped=len(plan.runs) - len(todo),
                       failures=failures, seconds=time.monotonic() - started)


def _keep(out: Path, outcome: Outcome) -> str | None:
    """Store a finished run's daily measures; the error if it failed."""
    if outcome.history is None:
        return outcome.error or "unknown error"
    store_run(out, outcome.run, outcome.history)
    return None


def execute(out: Path, tasks: list[Task], *, total: int, done: int, workers: int, dask: str | None, timeout: float,
            work: Work, keep: Callable[[Path, Outcome], str | None], describe: Callable[[Run], str], title: str,
            progress: bool, log: TextIO, on_kept: Callable[[Run], None] | None,
            interrupted: type[RunsInterrupted]) -> list[tuple[Run, str]]:
    """Run the tasks, keeping each result the moment it comes back (``keep`` stores it, or says why not);
    the failures, each reported in a line with ``describe(run)``. Ctrl-C removes partial files and raises
    ``interrupted``. Sweeps and sensitivity analyses both run their batches through this."""
    failures: list[tuple[Run, str]] = []
    kept = done
    with Progress(title, total, "runs", done=done, enabled=progress) as bar:
        try:
            if tasks:
                with closing(outcomes(tasks, workers, dask, timeout, work)) as finishing:
                    for outcome in finishing:
                        error = keep(out, outcome)
                        if error is None:
                            kept += 1
                            if on_kept is not None:
                                on_kept(outcome.run)
                            bar.update(advance=1)
                            continue
                        failures.append((outcome.run, error))
                        bar.note(f"trustsim: run {outcome.run.run_id} failed ({describe(outcome.run)}): {error}", log)
                        bar.update(failed=1)
        except KeyboardInterrupt:
            clean_temporaries(out)
            raise interrupted(kept, total, out) from None
    return failures
