"""trustsim's engine: how trust lives and dies in a social network.

The small public API the dashboard, the sweeps and notebooks use::

    from sim import load_scenario, Simulation, export
    sim = Simulation(load_scenario("broken_promises", {"simulation.agents": 2000}))
    sim.advance(30)            # thirty more days
    sim.snapshot().metrics     # latest network measures
    sim.run()                  # to the end
    export(sim, "out/", "parquet")
"""

from .config import Scenario, ScenarioError, available, parse_override, to_toml
from .config import load as load_scenario
from .engine import Simulation, Snapshot
from .events import EventKind
from .export import FORMATS, ExportError, export, read_frame
from .metrics import ARCHETYPE_COLUMNS, METRICS

__all__ = [
    "ARCHETYPE_COLUMNS", "FORMATS", "METRICS", "EventKind", "ExportError", "Scenario", "ScenarioError",
    "Simulation", "Snapshot", "available", "export", "load_scenario", "parse_override", "read_frame",
    "to_toml",
]

