"""One benchmark run in its own process, so its peak RSS is its own: prints JSON."""

from __future__ import annotations

import json
import resource
import sys
import time

from sim import Simulation, load_scenario


def main() -> None:
    agents, days = int(sys.argv[1]), int(sys.argv[2])
    scenario = sys.argv[3] if len(sys.argv) > 3 else "baseline"
    started = time.perf_counter()
    sim = Simulation(load_scenario(scenario, {"simulation.agents": agents, "simulation.days": days}))
    sim.run()
    wall = time.perf_counter() - started
    events = len(sim.log)
    print(json.dumps({
        "scenario": scenario, "agents": agents, "days": days, "wall_seconds": round(wall, 3),
        "events": events, "events_per_second": round(events / wall),
        "events_per_agent_day": round(events / (agents * days), 4),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
