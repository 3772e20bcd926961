"""The engine in-process, after warm-up: what issue 20's first figure measured (1,000 agents x 365 days,
the kernels already loaded), so a notebook's or a sweep worker's cost of a run. Prints JSON.

    python -m bench.inprocess_run AGENTS DAYS [REPEATS]

Each of ``REPEATS`` runs is timed from ``Simulation(...)`` (its spin-up included) to the last day, with
the 730-day spin-up and without it; the median of each is reported with every reading.
"""

from __future__ import annotations

import json
import os
import sys
import time

from sim import Simulation, load_scenario
from sim.kernels_warm import warm_up


def measure(agents: int, days: int, spin_up: int | None, repeats: int) -> dict:
    overrides = {"simulation.agents": agents, "simulation.days": days}
    if spin_up is not None:
        overrides["simulation.spin_up"] = spin_up
    scenario = load_scenario("baseline", overrides)
    walls, events = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        sim = Simulation(scenario).run()
        walls.append(time.perf_counter() - started)
        events = len(sim.log)
    wall = sorted(walls)[len(walls) // 2]
    return {"agents": agents, "days": days, "spin_up": scenario.simulation.spin_up, "events": events,
            "wall_seconds": round(wall, 3), "wall_seconds_all": [round(w, 3) for w in walls],
            "events_per_second": round(events / wall)}


def main() -> None:
    agents, days = int(sys.argv[1]), int(sys.argv[2])
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    load = os.getloadavg()[0]
    warm_up()
    print(json.dumps({"load_before": round(load, 2), "runs": [measure(agents, days, None, repeats),
                                                              measure(agents, days, 0, repeats)]}))


if __name__ == "__main__":
    main()
