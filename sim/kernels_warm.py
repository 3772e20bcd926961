"""Imported for its effect by the sweep's forkserver: the kernels are made ready once, before any fork,
so that each worker inherits them (about 0.25 s saved per worker).

It runs a scenario, so it lives apart from :mod:`sim.kernels` (which the world's own modules import).
"""

from .config import load
from .engine import Simulation
from .exports import FRAMES


def warm_up() -> None:
    """Load (or compile) every kernel a run needs, by running a tiny scenario for a few days.

    A process that forks workers (the sweep's forkserver) calls this first, so that every worker starts
    with the kernels ready instead of loading them on its first simulated day.
    """
    sim = Simulation(load("broken_promises", {"simulation.agents": 60, "simulation.days": 3,
                                              "simulation.spin_up": 2}))
    sim.run()
    for table in ("agents", "edges"):
        FRAMES[table](sim)


warm_up()
