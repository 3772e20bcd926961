"""Shared fixtures: small, fast scenarios."""

from __future__ import annotations

import pytest

from sim import Simulation, load_scenario

SMALL = {"simulation.agents": 150, "simulation.days": 40}


@pytest.fixture(scope="session")
def small_run() -> Simulation:
    """A finished small broken_promises run (every behaviour happens in it)."""
    return Simulation(load_scenario("broken_promises", SMALL)).run()
