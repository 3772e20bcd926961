"""Sensitivity benchmark: runs per second of a Morris analysis, and the speed-up of 2 local workers over 1.

The analysis: ``indiscriminate_vouching`` at 400 agents over 120 days, Morris over 4 parameters
(trust.asymmetry, vouching.endorsement, archetypes.nice.share, promotion.reach), 4 trajectories on
4 levels, 2 replicates: 20 points, 40 runs of about 0.4 s. It is timed end to end (pool start-up,
keeping each run, the tables and SALib's indices included) into a fresh directory, on 1 and then on 2
workers, ``REPEATS`` times, alternating so that both see the same drift of a shared machine; the
figures are the medians, with every reading kept.

``measure()`` returns the figures (``make bench`` calls it); run this file to print them. Timings are
only meaningful on an otherwise idle machine: ``load_before`` records the 1-minute load.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import Any

import SALib  # noqa: F401  (the benchmark is skipped, as an ImportError, where SALib is not installed)

from sim import load_scenario
from sim.sensitivity import plan_analysis, run_sensitivity

SCENARIO = "indiscriminate_vouching"
PARAMS = ["trust.asymmetry=1:8", "vouching.endorsement=0.3:0.9", "archetypes.nice.share=0.1:0.5",
          "promotion.reach=0:30"]
AGENTS = 400
DAYS = 120
TRAJECTORIES = 4
REPLICATES = 2
REPEATS = 3


def _timed(plan: Any, workers: int) -> float:
    """Seconds for the whole analysis into a fresh directory (every run executes)."""
    with tempfile.TemporaryDirectory(prefix="trustsim-sensitivity-bench-") as out:
        started = time.perf_counter()
        result = run_sensitivity(plan, out, workers=workers)
        seconds = time.perf_counter() - started
    if result.exit_code != 0 or result.ran != len(plan.all_runs):
        raise RuntimeError(f"benchmark analysis did not complete: {len(result.failures)} failed")
    return seconds


def measure(agents: int = AGENTS, days: int = DAYS, repeats: int = REPEATS) -> dict[str, Any]:
    """Time the analysis on 1 and 2 local workers, ``repeats`` times each; medians and every reading."""
    scenario = load_scenario(SCENARIO, {"simulation.agents": agents, "simulation.days": days})
    plan = plan_analysis(scenario, PARAMS, method="morris", samples=TRAJECTORIES, replicates=REPLICATES)
    runs = len(plan.all_runs)
    load_before = os.getloadavg()[0]
    one, two = [], []
    for _ in range(repeats):
        one.append(_timed(plan, 1))
        two.append(_timed(plan, 2))
    median_one, median_two = statistics.median(one), statistics.median(two)
    return {
        "scenario": SCENARIO, "agents": agents, "days": days, "parameters": len(PARAMS), "points": len(plan.points),
        "runs": runs, "repeats": repeats, "load_before": round(load_before, 2),
        "seconds_1_worker": round(median_one, 3), "seconds_2_workers": round(median_two, 3),
        "seconds_1_worker_all": [round(s, 3) for s in one], "seconds_2_workers_all": [round(s, 3) for s in two],
        "runs_per_second_1_worker": round(runs / median_one, 3),
        "runs_per_second_2_workers": round(runs / median_two, 3),
        "speedup": round(median_one / median_two, 3),
    }


def report(figures: dict[str, Any]) -> str:
    """The figures as a few readable lines."""
    return "\n".join([
        f"sensitivity: Morris over {figures['parameters']} parameters of {figures['scenario']} ({figures['agents']} "
        f"agents, {figures['days']} days), {figures['points']} points, {figures['runs']} runs; medians of "
        f"{figures['repeats']}; load before {figures['load_before']}",
        f"  1 worker   {figures['seconds_1_worker']:7.2f}s  {figures['runs_per_second_1_worker']:6.2f} runs/s  "
        f"(all: {figures['seconds_1_worker_all']})",
        f"  2 workers  {figures['seconds_2_workers']:7.2f}s  {figures['runs_per_second_2_workers']:6.2f} runs/s  "
        f"(all: {figures['seconds_2_workers_all']})   speed-up {figures['speedup']:.2f}x",
    ])


if __name__ == "__main__":
    print(report(measure()))
