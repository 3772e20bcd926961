"""The runs of a batch and their seeds: what every design (a sweep's grid, a sensitivity analysis's sample,
a check's hypotheses) lays out before anything runs.

Seeds: replicate ``r`` runs on child ``r`` of ``numpy.random.SeedSequence(base)`` (reduced to a
non-negative TOML integer, below 2**63) at every point of a design: common random numbers, which make
the points' differences sharper, and which do not depend on how many points or replicates there are.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..config import Scenario, to_dict
from ..errors import ScenarioError


@dataclass(frozen=True)
class PlannedRun:
    """One run of a batch: its stable id, its point of the design, its replicate and the seed derived for
    them, and the values that make its point (key, value) in the design's order."""

    run_id: str
    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]

    def label(self) -> str:
        """``trust.asymmetry=2, replicate=1, seed=123``: how a run is named in reports."""
        parts = [f"{key}={literal(value)}" for key, value in self.values]
        return ", ".join([*parts, f"replicate={self.replicate}", f"seed={self.seed}"])


def literal(value: Any) -> str:
    """A value as it would be typed on the command line (strings unquoted, like ``--set``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def check_replicates(replicates: int) -> None:
    if replicates < 1:
        raise ScenarioError(f"--replicates: must be at least 1, got {replicates}")


def resolve_seed(scenario: Scenario, given: int | None) -> int:
    """The design's base seed: ``given`` (``--seed``), else the scenario's own; checked."""
    seed = scenario.simulation.seed if given is None else given
    if not 0 <= seed < 2**63:
        raise ScenarioError(f"--seed: must be between 0 and 2**63-1, got {seed}")
    return seed


def derive_seeds(base: int, count: int) -> list[int]:
    """``count`` independent seeds from ``SeedSequence(base)``, each below 2**63 (a TOML integer)."""
    children = np.random.SeedSequence(base).spawn(count)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def seeded(scenario: Scenario, seed: int) -> dict[str, Any]:
    """A run's fully resolved scenario as plain data, on ``seed``: what a worker rebuilds and runs."""
    raw = to_dict(scenario, hypotheses=False)
    raw["simulation"]["seed"] = seed
    return raw


def scenario_digest(scenario: Scenario) -> str:
    """sha256 of the fully resolved scenario but its seed (canonical JSON): what the runs are of."""
    raw = to_dict(scenario, hypotheses=False)
    raw["simulation"].pop("seed")
    # in the scenario's own order: two scenarios that differ only in the order of their archetypes are
    # two different runs, so sorting the keys here would confuse them
    return hashlib.sha256(json.dumps(raw, default=str).encode()).hexdigest()
