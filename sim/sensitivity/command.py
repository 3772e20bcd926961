"""``trustsim sensitivity``: the command-line face of :mod:`sim.sensitivity`.

Building the parser imports nothing heavy; SALib (with scipy and pandas), polars and the pools are
imported when the command runs, and a missing SALib is one line naming the pip command (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import config, options
from ..batch.command import add_executor_options, add_output_options, require_out
from .design import DEFAULT_LEVELS, DEFAULT_REPLICATES, DEFAULT_SAMPLES, METHODS


def add_parser(commands: Any) -> None:
    """Add ``trustsim sensitivity`` to the CLI's subcommands (``commands`` is argparse's subparsers object)."""
    parser = commands.add_parser(
        "sensitivity", help="screen (Morris) or apportion (Sobol') the parameters' effects; where a hypothesis holds",
        description="Sample the box of --param ranges with SALib (Morris trajectories or Saltelli's Sobol' "
                    "sample), run every sample point --replicates times (seed r of --seed at every point), and "
                    "write samples, runs, indices (Morris mu_star, sigma; Sobol' S1, ST, S2) and manifest.json to "
                    "--out, then rank the parameters per measure. With --hypothesis, judge that hypothesis of the "
                    "scenario at every point and say which parameters decide it. Running the same command again "
                    "resumes. Needs SALib: pip install 'trustsim[sensitivity]'.")
    parser.add_argument("scenario", metavar="SCENARIO", help=options.SCENARIO_HELP)
    parser.add_argument("--method", required=True, choices=METHODS,
                        help="morris: screening by elementary effects; sobol: variance shares (Saltelli)")
    parser.add_argument("--param", action="append", required=True, metavar="KEY=LOW:HIGH",
                        help="a numeric key and its range, e.g. --param trust.asymmetry=1:8 (repeatable); integer "
                             "keys are rounded; archetypes.NAME.share rescales the other shares to sum to 1")
    parser.add_argument("--samples", type=int, metavar="N",
                        help=f"Morris: trajectories (default {DEFAULT_SAMPLES['morris']}); Sobol': base sample, a "
                             f"power of two (default {DEFAULT_SAMPLES['sobol']}). Points: Morris N(D+1), Sobol' "
                             "N(D+2), or N(2D+2) with --second-order, for D parameters")
    parser.add_argument("--levels", type=int, metavar="L",
                        help=f"Morris only: grid levels, even (default {DEFAULT_LEVELS})")
    parser.add_argument("--second-order", action="store_true",
                        help="Sobol' only: also the pairwise indices S2 (costs N D more points)")
    parser.add_argument("--replicates", type=int, default=DEFAULT_REPLICATES, metavar="R",
                        help=f"runs per sample point; the response is their mean (default {DEFAULT_REPLICATES}; "
                             "at least 2 with --hypothesis)")
    parser.add_argument("--hypothesis", metavar="ID",
                        help="judge this hypothesis of the scenario at every sample point (its comparison gets "
                             "the same sampled values)")
    options.add_scenario_options(parser, options.BASE_SEED_HELP)
    add_executor_options(parser, "the analysis")
    add_output_options(parser, "output directory (resumed if it holds this analysis)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """The ``sensitivity`` handler: validate everything, run or resume, write the tables; the exit code."""
    from . import design

    design.require_salib()     # first: nothing can be checked or sampled without it
    from .driver import plan_analysis, run_sensitivity
    from .plan import find_hypothesis
    from .report import summary

    overrides = options.overrides(args, ("agents", "days"))   # --seed is the analysis's base seed
    require_out(args.out, "the analysis")
    scenario = config.load(args.scenario, overrides)
    if args.hypothesis is not None and args.days is None:
        horizon = find_hypothesis(scenario, args.hypothesis).horizon
        if horizon is not None and horizon != scenario.simulation.days:
            overrides["simulation.days"] = horizon
            scenario = config.load(args.scenario, overrides)
    plan = plan_analysis(scenario, args.param, method=args.method, samples=args.samples, levels=args.levels,
                         second_order=args.second_order, replicates=args.replicates, base_seed=args.seed,
                         hypothesis=args.hypothesis, overrides=overrides)
    command = {"scenario": args.scenario, "method": args.method, "params": list(args.param),
               "samples": args.samples, "levels": args.levels, "second_order": args.second_order,
               "replicates": args.replicates, "hypothesis": args.hypothesis, "seed": args.seed,
               "agents": args.agents, "days": args.days, "set": list(args.set or []), "workers": args.workers,
               "dask": args.dask, "out": args.out, "format": args.format}
    result = run_sensitivity(plan, args.out, workers=args.workers, dask=args.dask, fmt=args.format,
                             progress=not args.quiet, command=command)
    if not args.quiet:
        print(summary(result))
    if result.failures:
        print(f"trustsim: {len(result.failures)} of {len(plan.all_runs)} runs failed, so there are no indices yet; "
              "run the same command again to retry them", file=sys.stderr)
    return result.exit_code
