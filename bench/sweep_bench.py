"""Sweep benchmark: speed-up of 2 local workers over 1, and the Dask path's overhead per run.

The same 16-run sweep (baseline, 4 asymmetries x 4 replicates, about a second per run) is timed end to
end, start-up of the pool or cluster included, into a fresh directory each time:

- 1 local worker, then 2 local workers: ``speedup`` = seconds(1) / seconds(2) (target >= 1.7 on 2 cores);
- a Dask LocalCluster of 2 worker processes: ``dask_overhead_per_run`` = (dask - pool) / runs, seconds.

``measure()`` returns the figures (the project benchmark calls it); run this file to print them.
Timings are only meaningful on an otherwise idle machine: ``load_before`` records the 1-minute load.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from sim import load_scenario
from sim.sweep import run_sweep

GRID = ["trust.asymmetry=1,2,3,4"]
REPLICATES = 4
RUNS = 4 * REPLICATES
AGENTS = 3000
DAYS = 120


def _timed_sweep(scenario: Any, **options: Any) -> float:
    """Seconds for the whole sweep into a fresh directory (every run executes)."""
    with tempfile.TemporaryDirectory(prefix="trustsim-sweep-bench-") as out:
        started = time.perf_counter()
        result = run_sweep(scenario, GRID, out, replicates=REPLICATES, **options)
        seconds = time.perf_counter() - started
    if result.exit_code != 0 or result.ran != RUNS:
        raise RuntimeError(f"benchmark sweep did not complete: {len(result.failures)} failed")
    return seconds


def _dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def measure(agents: int = AGENTS, days: int = DAYS) -> dict[str, Any]:
    """Time the 16-run sweep on 1 and 2 local workers and on a 2-process Dask LocalCluster."""
    scenario = load_scenario("baseline", {"simulation.agents": agents, "simulation.days": days})
    load_before = os.getloadavg()[0]
    one = _timed_sweep(scenario, workers=1)
    two = _timed_sweep(scenario, workers=2)
    dask = _timed_sweep(scenario, workers=2, dask="local") if _dask_available() else None
    return {
        "runs": RUNS,
        "agents": agents,
        "days": days,
        "load_before": round(load_before, 2),
        "seconds_1_worker": round(one, 3),
        "seconds_2_workers": round(two, 3),
        "speedup": round(one / two, 3),
        "seconds_dask_2_workers": None if dask is None else round(dask, 3),
        "dask_overhead_per_run": None if dask is None else round((dask - two) / RUNS, 4),
    }


def report(figures: dict[str, Any]) -> str:
    """The figures as a few readable lines."""
    lines = [f"sweep: {figures['runs']} runs of baseline ({figures['agents']} agents, {figures['days']} days), "
             f"load before {figures['load_before']}",
             f"  1 worker   {figures['seconds_1_worker']:7.2f}s",
             f"  2 workers  {figures['seconds_2_workers']:7.2f}s   speed-up {figures['speedup']:.2f}x (target 1.7x)"]
    if figures["seconds_dask_2_workers"] is None:
        lines.append("  dask       not installed (pip install '.[cluster]')")
    else:
        lines.append(f"  dask local {figures['seconds_dask_2_workers']:7.2f}s   overhead "
                     f"{figures['dask_overhead_per_run'] * 1000:+.0f} ms per run against the local pool")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(measure()))
