"""``trustsim sweep``: a parameter grid with replicates, on local processes or a Dask cluster, resumable.

A sweep is the full product of the ``--grid`` values (dotted keys, as ``--set`` takes them), each point
run ``--replicates`` times with seeds from ``SeedSequence(BASE).spawn(...)`` (see :mod:`sim.sweep_plan`),
so the tables are identical whatever the number of workers, the finishing order or the machine.

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

Test hook: ``TRUSTSIM_SWEEP_FAIL_RUN=<run_id>[:exit][,...]`` makes those runs raise inside the worker
(or, with ``:exit``, kills the worker process running them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import config
from .cli import UsageError
from .config import Scenario, ScenarioError, to_dict
from .export import FORMATS, check_writable, versions, write_tables
from .sweep_exec import (
    ClusterError,
    Outcome,
    Task,
    dask_outcomes,
    dask_version,
    local_outcomes,
    require_dask,
)
from .sweep_plan import Axis, Plan, Run, make_plan, parse_grid, scenario_digest
from .sweep_tables import RUNS_DIR, build_tables, clean_temporaries, load_finished, store_run

FAIL_ENV = "TRUSTSIM_SWEEP_FAIL_RUN"
STATE_FILE = "sweep.json"
TABLES = ("runs", "metrics", "summary")
DEFAULT_REPLICATES = 5


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep, after cleanup: how many runs are kept and where."""

    def __init__(self, kept: int, total: int, out: Path) -> None:
        super().__init__(f"sweep interrupted: {kept} of {total} runs are kept in {out / RUNS_DIR}; "
                         "run the same command again to finish the rest")


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


# ---------------------------------------------------------------- progress

class SweepProgress:
    """A one-line bar on a terminal: runs done, runs left, failures and an ETA from this session's pace."""

    def __init__(self, stream: TextIO, enabled: bool, label: str, total: int, done: int) -> None:
        self.stream, self.label, self.total = stream, label, total
        self.enabled = enabled and stream.isatty()
        self.start_done, self.done, self.failed = done, done, 0
        self.start = time.monotonic()
        self.shown = False
        self.draw()

    def line(self) -> str:
        """The bar's text (without the carriage return)."""
        elapsed = time.monotonic() - self.start
        finished_now = self.done + self.failed - self.start_done
        left = self.total - self.done - self.failed
        eta = f"{elapsed / finished_now * left:5.0f}s" if finished_now else "    ?"
        width = 30
        filled = int(width * (self.done + self.failed) / max(self.total, 1))
        failed = f", {self.failed} failed" if self.failed else ""
        return (f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} runs done, "
                f"{left} left{failed}  {elapsed:5.0f}s  eta {eta}")

    def draw(self) -> None:
        if self.enabled:
            self.shown = True
            self.stream.write(f"\r{self.line()} ")
            self.stream.flush()

    def advance(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        self.draw()

    def note(self, message: str, stream: TextIO) -> None:
        """Print a message without tearing the bar (clear the line, print, redraw)."""
        if self.shown and stream is self.stream:
            self.stream.write("\r\033[K")
        print(message, file=stream, flush=True)
        self.draw()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------- the output directory

def _describe_sweep(state: dict[str, Any]) -> str:
    grid = ", ".join(entry.get("key", "?") for entry in state.get("grid", []))
    return (f"scenario {state.get('scenario', '?')}, grid {grid or '?'}, {state.get('replicates', '?')} "
            f"replicates, seed {state.get('base_seed', '?')}")


def _state(plan: Plan) -> dict[str, Any]:
    return {"fingerprint": plan.fingerprint, "scenario": plan.base.name,
            "scenario_sha256": scenario_digest(plan.base),
            "grid": [{"key": a.key, "values": list(a.values)} for a in plan.axes],
            "replicates": plan.replicates, "base_seed": plan.base_seed, "runs": len(plan.runs)}


def _differences(held: dict[str, Any], plan: Plan) -> str:
    """Which part of the sweep identity differs from the one a directory holds (for the refusal)."""
    mine = json.loads(json.dumps(_state(plan), default=str))
    labels = {"scenario": "scenario", "grid": "grid", "replicates": "replicates", "base_seed": "seed",
              "scenario_sha256": "resolved scenario (the scenario file, --set, --agents/--days, or the "
                                 "trustsim version)"}
    differ = [label for key, label in labels.items() if held.get(key) != mine[key]]
    return ", ".join(differ) or "fingerprint"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def claim_directory(out: Path, plan: Plan) -> bool:
    """Make ``out`` this sweep's directory; True if it already was (a resume).

    A directory holding a different sweep, or sweep-like files that no sweep.json accounts for (a
    ``trustsim run`` export, say), is refused rather than mixed with or overwritten.
    """
    state_path = out / STATE_FILE
    if state_path.exists():
        try:
            held = json.loads(state_path.read_text())
        except (OSError, ValueError):
            raise UsageError(f"{out}: {STATE_FILE} is unreadable; use another --out or empty it") from None
        if not isinstance(held, dict) or held.get("fingerprint") != plan.fingerprint:
            what = _describe_sweep(held) if isinstance(held, dict) else "another sweep"
            differ = _differences(held, plan) if isinstance(held, dict) else "fingerprint"
            raise UsageError(f"{out}: holds a different sweep ({what}; differs in {differ}); "
                             "use another --out or empty it")
        return True
    ours = {"manifest.json", RUNS_DIR, *(f"{t}.{f}" for t in TABLES for f in FORMATS)}
    foreign = sorted(p.name for p in out.iterdir() if p.name in ours)
    if foreign:
        raise UsageError(f"{out}: already holds {', '.join(foreign)} from something other than a sweep; "
                         "use another --out or empty it")
    _write_json(state_path, _state(plan))
    return False


def _remove_stale_tables(out: Path, fmt: str) -> None:
    """Tables of this sweep written earlier in another format would no longer match the manifest."""
    for table in TABLES:
        for other in FORMATS:
            if other != fmt:
                (out / f"{table}.{other}").unlink(missing_ok=True)


# ---------------------------------------------------------------- running

def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _failing_runs() -> dict[str, str]:
    """The test hook: ``TRUSTSIM_SWEEP_FAIL_RUN=p001-r000,p002-r001:exit`` -> {run_id: "raise" | "exit"}."""
    hooked = {}
    for item in os.environ.get(FAIL_ENV, "").split(","):
        run_id, _, mode = item.strip().partition(":")
        if run_id:
            hooked[run_id] = "exit" if mode == "exit" else "raise"
    return hooked


def _manifest(plan: Plan, command: dict[str, Any], executor: dict[str, Any], finished: set[str],
              failures: list[tuple[Run, str]], uses_dask: bool) -> dict[str, Any]:
    found = versions()
    if uses_dask:
        found["distributed"] = dask_version()
    return {
        "command": command,
        "scenario": plan.base.name,
        "parameters": to_dict(plan.base),
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


def _outcomes(tasks: list[Task], workers: int, dask: str | None, timeout: float) -> Iterator[Outcome]:
    if dask is None:
        return local_outcomes(tasks, workers)
    return dask_outcomes(tasks, dask, workers, timeout)


def run_sweep(scenario: Scenario, grid: Sequence[str] | Sequence[Axis], out: str | Path, *,
              replicates: int = DEFAULT_REPLICATES, base_seed: int | None = None, workers: int | None = None,
              dask: str | None = None, fmt: str = "parquet", progress: bool = False,
              log: TextIO | None = None, command: dict[str, Any] | None = None,
              connect_timeout: float = 10.0,
              on_kept: Callable[[Run], None] | None = None) -> SweepResult:
    """Run (or resume) a sweep of ``scenario`` over ``grid`` into ``out`` and write its tables.

    Everything is validated before anything runs. Failed runs are reported on ``log`` (stderr by
    default) and listed in the result; Ctrl-C raises :class:`SweepInterrupted` after stopping the
    workers, with every finished run kept. ``on_kept`` is called after each run is safely on disk.
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
        require_dask()
    out = Path(out)
    check_writable(out)
    claim_directory(out, plan)
    clean_temporaries(out)

    started = time.monotonic()
    finished = load_finished(out, plan)
    hooked = _failing_runs()
    todo = [Task(r, plan.scenario_dict(r), hooked.get(r.run_id, "")) for r in plan.runs
            if r.run_id not in finished]
    pool_size = min(workers or default_workers(), max(len(todo), 1))
    executor = {"kind": "dask" if dask else "local", "workers": pool_size, "address": dask}
    failures: list[tuple[Run, str]] = []
    bar = SweepProgress(sys.stderr, progress, f"sweep {plan.base.name}", len(plan.runs), len(finished))
    kept = len(finished)
    try:
        if todo:
            with closing(_outcomes(todo, pool_size, dask, connect_timeout)) as outcomes:
                for outcome in outcomes:
                    if outcome.history is not None:
                        store_run(out, outcome.run, outcome.history)
                        kept += 1
                        if on_kept is not None:
                            on_kept(outcome.run)
                    else:
                        failures.append((outcome.run, outcome.error or "unknown error"))
                        bar.note(f"trustsim: run {outcome.run.run_id} failed ({outcome.run.label()}): "
                                 f"{outcome.error}", log)
                    bar.advance(outcome.history is not None)
    except KeyboardInterrupt:
        bar.close()
        clean_temporaries(out)
        raise SweepInterrupted(kept, len(plan.runs), out) from None
    except ClusterError as exc:
        bar.close()
        raise UsageError(str(exc)) from None
    bar.close()

    finished = load_finished(out, plan)
    command = command or {"scenario": plan.base.name, "grid": [f"{a.key}={','.join(a.texts)}" for a in axes],
                          "replicates": replicates, "seed": plan.base_seed, "workers": workers, "dask": dask,
                          "out": str(out), "format": fmt}
    manifest = _manifest(plan, command, executor, set(finished), failures, dask is not None)
    written = write_tables(build_tables(plan, finished), out, fmt, manifest)
    _remove_stale_tables(out, fmt)
    return SweepResult(out=out, plan=plan, written=written, ran=len(todo), skipped=len(plan.runs) - len(todo),
                       failures=failures, seconds=time.monotonic() - started)


# ---------------------------------------------------------------- command line

def add_parser(commands: Any, add_scenario_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add ``trustsim sweep`` to the CLI's subcommands (``commands`` is argparse's subparsers object)."""
    sweep = commands.add_parser(
        "sweep", help="run a parameter grid with replicates, locally or on a Dask cluster (resumable)",
        description="Run every combination of the --grid values, each --replicates times, and write "
                    "runs, metrics, summary (mean, std, 95%% CI) and manifest.json to --out. Running the "
                    "same command again resumes: finished runs are skipped.")
    sweep.add_argument("scenario", help="a scenario name (see `trustsim list`) or a path to a TOML file")
    add_scenario_options(sweep)
    sweep.add_argument("--grid", action="append", required=True, metavar="KEY=V1,V2,...",
                       help="a swept key and its values, e.g. --grid trust.asymmetry=1,2,4 (repeatable: "
                            "the sweep is the full product)")
    sweep.add_argument("--replicates", type=int, default=DEFAULT_REPLICATES, metavar="R",
                       help=f"runs per grid point, each with its own seed (default {DEFAULT_REPLICATES})")
    sweep.add_argument("--workers", type=int, metavar="W",
                       help="local worker processes (default: the machine's cores); with --dask local, "
                            "the LocalCluster's workers")
    sweep.add_argument("--dask", metavar="ADDRESS|local",
                       help="run on the Dask scheduler at ADDRESS (tcp://host:8786), or on a LocalCluster "
                            "started for the sweep ('local'); needs pip install '.[cluster]'")
    sweep.add_argument("--out", required=True, metavar="DIR", help="output directory (resumed if it holds "
                       "this sweep)")
    sweep.add_argument("--format", choices=FORMATS, default="parquet", help="table format (default parquet)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    sweep.set_defaults(handler=main)


def _base_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """``--set``, ``--agents`` and ``--days`` as dotted overrides (``--seed`` is the sweep's base seed)."""
    overrides = dict(config.parse_override(item) for item in args.set or [])
    for key in ("agents", "days"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[f"simulation.{key}"] = value
    return overrides


def _report(result: SweepResult) -> str:
    plan = result.plan
    points = len(plan.points)
    done = len(plan.runs) - len(result.failures)
    lines = [f"sweep {plan.base.name}: {len(plan.runs)} runs ({points} points x {plan.replicates} replicates), "
             f"{result.ran} run now, {result.skipped} already done, {len(result.failures)} failed "
             f"in {result.seconds:.1f}s"]
    names = ", ".join(p.name for p in result.written.values())
    lines.append(f"  wrote {names} to {result.out}/ ({done} runs)")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """The ``sweep`` handler: validate everything, run or resume, write the tables; returns the exit code."""
    overrides = _base_overrides(args)
    axes = parse_grid(args.grid or [])
    for axis in axes:
        if axis.key in overrides:
            raise ScenarioError(f"--grid {axis.key}: also fixed by --set/--agents/--days; give it only once")
    scenario = config.load(args.scenario, overrides)
    command = {"scenario": args.scenario, "grid": list(args.grid), "replicates": args.replicates,
               "seed": args.seed, "agents": args.agents, "days": args.days, "set": list(args.set or []),
               "workers": args.workers, "dask": args.dask, "out": args.out, "format": args.format}
    try:
        result = run_sweep(scenario, axes, args.out, replicates=args.replicates, base_seed=args.seed,
                           workers=args.workers, dask=args.dask, fmt=args.format, progress=not args.quiet,
                           command=command)
    except SweepInterrupted as stop:
        print(f"trustsim: {stop}", file=sys.stderr)
        return 130
    if not args.quiet:
        print(_report(result))
    if result.failures:
        print(f"trustsim: {len(result.failures)} of {len(result.plan.runs)} runs failed; the tables hold the "
              "runs that finished; run the same command again to retry the failed runs", file=sys.stderr)
    return result.exit_code
