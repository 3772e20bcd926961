"""One benchmark run in its own process, so its peak RSS is its own: prints JSON.

    python -m bench.engine_run AGENTS DAYS [SCENARIO] [SPIN_UP]

Wall time counts everything from building the world (its spin-up included) to the last day; the
events counted are those the run keeps (the recorded days'), so the spin-up lowers events per second.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

from sim import Simulation, load_scenario


def main() -> None:
    agents, days = int(sys.argv[1]), int(sys.argv[2])
    scenario = sys.argv[3] if len(sys.argv) > 3 else "baseline"
    overrides = {"simulation.agents": agents, "simulation.days": days}
    if len(sys.argv) > 4:
        overrides["simulation.spin_up"] = int(sys.argv[4])
    loaded = load_scenario(scenario, overrides)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    sim = Simulation(loaded)
    built = time.perf_counter()
    sim.run()
    wall = time.perf_counter() - started
    events = len(sim.log)
    print(json.dumps({
        "scenario": scenario, "agents": agents, "days": days, "spin_up": loaded.simulation.spin_up,
        "wall_seconds": round(wall, 3), "spin_up_seconds": round(built - started, 3), "events": events,
        "events_per_second": round(events / wall), "events_per_agent_day": round(events / (agents * days), 4),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_before": round(load, 2),
    }))


if __name__ == "__main__":
    main()
