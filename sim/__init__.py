"""trustsim's engine: how trust lives and dies in a social network.

The small public API the dashboard, the sweeps and notebooks use::

    from sim import load_scenario, Simulation, export, frame
    sim = Simulation(load_scenario("broken_promises", {"simulation.agents": 2000}))
    sim.advance(30)            # thirty more days
    sim.snapshot().metrics     # latest network measures
    sim.run()                  # to the end
    frame(sim, "metrics")      # any exported table as a polars DataFrame
    export(sim, "out/", "parquet")

``import sim`` loads nothing: each name loads its module on first use (the engine, polars and numba only
when something simulates or writes tables), so a command that never simulates starts at once, and a
Ctrl-C while loading is caught like any other.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.3.0"

#: name -> module it is defined in (loaded on first use)
_LAZY = {
    "Scenario": "config", "available": "config", "parse_override": "config", "to_toml": "config",
    "load_scenario": "config",
    "ExportError": "errors", "ScenarioError": "errors", "TrustsimError": "errors",
    "Simulation": "engine", "Snapshot": "engine",
    "EventKind": "eventlog",
    "FORMATS": "files",
    "export": "exports", "frame": "exports", "read_frame": "exports",
    "METRICS": "measures", "ARCHETYPE_COLUMNS": "measures", "NETWORK_MEASURES": "measures",
    "ARCHETYPE_MEASURES": "measures", "Measure": "measures",
    "World": "world",
}

__all__ = [
    "ARCHETYPE_COLUMNS", "ARCHETYPE_MEASURES", "FORMATS", "METRICS", "NETWORK_MEASURES", "EventKind",
    "ExportError", "Measure", "Scenario", "ScenarioError", "Simulation", "Snapshot", "TrustsimError", "World",
    "available", "config", "export", "frame", "load_scenario", "parse_override", "read_frame", "to_toml",
]


_RENAMED = {"load_scenario": "load"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        if name == "config":
            return import_module(".config", __name__)
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
