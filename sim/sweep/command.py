"""``trustsim sweep``: the command-line face of :func:`sim.sweep.run_sweep`.

Building the parser imports nothing heavy; the sweep machinery (polars, the process pool, Dask) is
imported when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import config, options
from ..batch.command import add_executor_options, add_output_options, require_out
from ..errors import ScenarioError, UsageError
from ..validation import counted
from .plan import DEFAULT_REPLICATES, SCENARIO_KEY


def add_parser(commands: Any) -> None:
    """Add ``trustsim sweep`` to the CLI's subcommands (``commands`` is argparse's subparsers object)."""
    sweep = commands.add_parser(
        "sweep", help="run a parameter grid with replicates, locally or on a Dask cluster (resumable)",
        description="Run every combination of the --grid values, each --replicates times, and write "
                    "runs, metrics, summary (mean, std, 95% CI) and manifest.json to --out. Running the "
                    "same command again resumes: finished runs are skipped.")
    sweep.add_argument("scenario", metavar="SCENARIO", nargs="?", help=options.SCENARIO_HELP + " (or sweep several: --grid "
                       "scenario=NAME,NAME)")
    options.add_scenario_options(sweep, options.BASE_SEED_HELP)
    sweep.add_argument("--grid", action="append", metavar="KEY=V1,V2,...",
                       help="a swept key and its values, e.g. --grid trust.asymmetry=1,2,4, or across scenarios, "
                            "--grid scenario=baseline,integrity (repeatable: the sweep is the full product; "
                            "none: replicates of one scenario)")
    sweep.add_argument("--replicates", type=int, default=DEFAULT_REPLICATES, metavar="R",
                       help=f"runs per grid point, each with its own seed (default {DEFAULT_REPLICATES})")
    add_executor_options(sweep, "the sweep")
    add_output_options(sweep, "output directory (resumed if it holds this sweep, extended if it holds this "
                              "sweep with fewer values or replicates)")
    sweep.set_defaults(handler=main)


def report(result: Any) -> str:
    """What a finished sweep did, in two lines."""
    plan = result.plan
    done = len(plan.runs) - len(result.failures)
    lines = [f"sweep {plan.name}: {counted(len(plan.runs), 'run')} ({counted(len(plan.points), 'point')} x "
             f"{counted(plan.replicates, 'replicate')}): {result.ran} ran now, {result.skipped} were already done, {len(result.failures)} failed "
             f"in {result.seconds:.1f}s"]
    names = ", ".join(p.name for p in result.written.values())
    lines.append(f"  wrote {names} to {result.out}/ ({done} runs)")
    return "\n".join(lines)


def main(args: argparse.Namespace) -> int:
    """The ``sweep`` handler: validate everything, run or resume, write the tables; returns the exit code."""
    from .driver import run_sweep
    from .plan import parse_grid

    # --seed is the sweep's base seed, not a scenario key
    overrides = options.overrides(args, ("agents", "days"))
    axes = parse_grid(args.grid or [])
    for axis in axes:
        if axis.key in overrides:
            raise ScenarioError(f"--grid {axis.key}: also fixed by --set/--agents/--days; give it only once")
    require_out(args.out, "the sweep")
    names = next((axis.values for axis in axes if axis.key == SCENARIO_KEY), None)
    if names is not None:
        if args.scenario is not None:
            raise UsageError("give the scenarios in --grid scenario=NAME,NAME or as SCENARIO, not both")
        if not all(isinstance(name, str) for name in names):
            raise ScenarioError("--grid scenario: the values must be scenario names or paths")
        scenario = {name: config.load(name, overrides) for name in names}
    elif args.scenario is None:
        raise UsageError("give a SCENARIO, or sweep several with --grid scenario=NAME,NAME")
    else:
        scenario = config.load(args.scenario, overrides)
    command = {"scenario": args.scenario, "grid": list(args.grid or []), "replicates": args.replicates,
               "seed": args.seed, "agents": args.agents, "days": args.days, "set": list(args.set or []),
               "workers": args.workers, "dask": args.dask, "out": args.out, "format": args.format}
    result = run_sweep(scenario, axes, args.out, replicates=args.replicates, base_seed=args.seed,
                       workers=args.workers, dask=args.dask, fmt=args.format, progress=not args.quiet,
                       command=command)
    if not args.quiet:
        print(report(result))
    if result.failures:
        print(f"trustsim: {len(result.failures)} of {len(result.plan.runs)} runs failed; the tables hold the "
              "runs that finished; run the same command again to retry the failed runs", file=sys.stderr)
    return result.exit_code
