"""Agents as arrays: one numpy array per trait and per counter, indexed by agent id.

Arrays are allocated once for everyone the scenario will ever hold (the starting population plus every
influx), so adding newcomers never reallocates and readers never see a half-grown array.
"""

from __future__ import annotations

import numpy as np

from .config import TRAITS, Archetype, Scenario
from .policies import POLICY_CODE

COUNTERS = ("followers", "load", "promises_kept", "promises_broken", "vouches_given", "vouches_failed")


def allocate_counts(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` agents by shares exactly (largest remainder), so small runs keep the mix."""
    raw = shares / shares.sum() * total   # shares may sum to 1 only within a tolerance
    counts = np.floor(raw).astype(np.int64)
    leftover = total - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:leftover]] += 1
    return counts


class Population:
    """Traits, counters and archetype of every agent; ``size`` agents exist so far."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.archetypes: tuple[Archetype, ...] = scenario.archetypes
        capacity = scenario.simulation.agents + sum(
            scenario.newcomers(e) for e in scenario.events if e.kind == "influx")
        self.size = 0
        self._reliability_order: np.ndarray | None = None
        self.archetype = np.zeros(capacity, dtype=np.int16)
        self.vouch_policy = np.zeros(capacity, dtype=np.int8)
        self.joined = np.zeros(capacity, dtype=np.float32)
        for trait in TRAITS:
            setattr(self, trait, np.zeros(capacity))
        for counter in COUNTERS:
            setattr(self, counter, np.zeros(capacity, dtype=np.int64))

    def add(self, archetype_ids: np.ndarray, rng: np.random.Generator, day: float = 0.0) -> np.ndarray:
        """Append agents of the given archetypes with traits drawn from them; returns their ids."""
        count = len(archetype_ids)
        ids = np.arange(self.size, self.size + count)
        self.archetype[ids] = archetype_ids
        self.joined[ids] = day
        for trait in TRAITS:
            ranges = np.array([getattr(a, trait) for a in self.archetypes])
            low, high = ranges[archetype_ids, 0], ranges[archetype_ids, 1]
            getattr(self, trait)[ids] = low + (high - low) * rng.random(count)
        codes = np.array([POLICY_CODE[a.vouch_policy] for a in self.archetypes], dtype=np.int8)
        self.vouch_policy[ids] = codes[archetype_ids]
        self.size += count
        self.traits_changed()
        return ids

    def traits_changed(self) -> None:
        """Call after changing traits in place, so cached orderings are rebuilt."""
        self._reliability_order = None

    def reliability_order(self) -> np.ndarray:
        """argsort of the live agents' reliability, cached until traits change."""
        if self._reliability_order is None or len(self._reliability_order) != self.size:
            self._reliability_order = np.argsort(self.view("reliability"), kind="stable")
        return self._reliability_order

    def view(self, name: str) -> np.ndarray:
        """The live part of one array (a view, not a copy)."""
        return getattr(self, name)[: self.size]

    def members(self, archetype_name: str) -> np.ndarray:
        return np.flatnonzero(self.view("archetype") == self.scenario.archetype_index(archetype_name))


def initial_archetypes(scenario: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Archetype of each starting agent: exact shares, shuffled."""
    shares = np.array([a.share for a in scenario.archetypes])
    counts = allocate_counts(scenario.simulation.agents, shares)
    ids = np.repeat(np.arange(len(counts)), counts).astype(np.int16)
    return rng.permutation(ids)
