"""Agents as arrays: one numpy array per trait and per piece of state, indexed by agent id.

Arrays are allocated once for everyone the scenario will ever hold (the starting population plus every
influx), so adding newcomers never reallocates and readers never see a half-grown array. The kernels
act on the very same arrays (:attr:`Population.compiled`, laid out in :mod:`sim.kernels_state`): a
change made on either side is seen on the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .kernels import Compiled
from .policies import POLICY_CODE

if TYPE_CHECKING:
    from .config import Archetype


@dataclass(frozen=True)
class Trait:
    """One trait of an agent: its allowed range and what it means (MODEL.md, "Traits of an agent")."""

    low: float
    high: float
    meaning: str


TRAIT_TABLE: dict[str, Trait] = {
    "reliability": Trait(0.0, 1.0, "chance it delivers a commitment when not overloaded"),
    "capacity": Trait(0.0, 1e6, "commitments it can carry at once; above it, delivery odds fall with load"),
    "acceptance": Trait(0.0, 1.0, "chance it says yes when asked for something"),
    "request_rate": Trait(0.0, 100.0, "requests it makes of its contacts per day (Poisson mean)"),
    "seek_rate": Trait(0.0, 100.0, "vouches it seeks per day (Poisson mean)"),
    "promotion_rate": Trait(0.0, 100.0, "broadcasts of itself per day (Poisson mean)"),
    "popularity_bias": Trait(0.0, 1.0, "weight of follower count in its first impression of a stranger"),
    "imitation": Trait(0.0, 1.0, "chance to copy the habits of a more-followed agent it follows"),
    "base_rate": Trait(0.0, 1.0, "generalized trust: its first-impression trust in a stranger"),
}
TRAITS: tuple[str, ...] = tuple(TRAIT_TABLE)
TRAIT_BOUNDS: dict[str, tuple[float, float]] = {name: (t.low, t.high) for name, t in TRAIT_TABLE.items()}
#: State that changes as the run goes, one array each: followers (live in-ties), load (open commitments).
STATE = ("followers", "load")


def allocate_counts(total: int, shares: np.ndarray) -> np.ndarray:
    """Split ``total`` agents by shares exactly (largest remainder), so small runs keep the mix."""
    raw = shares / shares.sum() * total   # shares may sum to 1 only within a tolerance
    counts = np.floor(raw).astype(np.int64)
    leftover = total - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:leftover]] += 1
    return counts


class Population(Compiled):
    """Traits, state and archetype of every agent; ``size`` agents exist so far, room for ``allocated``."""

    def __init__(self, archetypes: tuple[Archetype, ...], allocated: int) -> None:
        from .kernels_state import new_people

        self.archetypes = archetypes
        self.names = tuple(a.name for a in archetypes)
        self._size = np.zeros(1, dtype=np.int64)
        self.archetype = np.zeros(allocated, dtype=np.int16)
        self.vouch_policy = np.zeros(allocated, dtype=np.int8)
        self.joined = np.zeros(allocated, dtype=np.float32)
        for trait in TRAITS:
            setattr(self, trait, np.zeros(allocated))
        # the traits as drawn when each agent joined: reforms and imitation change the live ones
        self.drawn = {trait: np.zeros(allocated) for trait in TRAITS}
        self.drawn_policy = np.zeros(allocated, dtype=np.int8)
        for state in STATE:
            setattr(self, state, np.zeros(allocated, dtype=np.int64))
        # generalized trust (sim.mechanisms.generalized_trust): the disposition an agent brings (its
        # base_rate trait, or what a reform set) and the outcomes it has seen since, forgotten at λ
        self.disposition = np.zeros(allocated)
        self.seen_kept = np.zeros(allocated)
        self.seen_broken = np.zeros(allocated)
        # the measures' stable argsort of reliability (sim.measures), kept by the kernels while valid: the
        # number of agents it was made for, 0 once traits change
        self._order_valid = np.zeros(1, dtype=np.int64)
        self.compiled = new_people(self._size, self.archetype, self.vouch_policy,
                                   tuple(getattr(self, trait) for trait in TRAITS),
                                   tuple(getattr(self, state) for state in STATE),
                                   (self.disposition, self.seen_kept, self.seen_broken),
                                   np.zeros(allocated, dtype=np.int64), self._order_valid)

    @property
    def size(self) -> int:
        """Agents so far."""
        return int(self._size[0])

    @property
    def allocated(self) -> int:
        """Agents there is room for (everyone the scenario will ever hold)."""
        return len(self.archetype)

    def add(self, archetype_ids: np.ndarray, rng: np.random.Generator, day: float = 0.0) -> np.ndarray:
        """Append agents of the given archetypes with traits drawn from them; returns their ids."""
        count = len(archetype_ids)
        ids = np.arange(self.size, self.size + count)
        self.archetype[ids] = archetype_ids
        self.joined[ids] = day
        for trait in TRAITS:
            ranges = np.array([getattr(a, trait) for a in self.archetypes])
            low, high = ranges[archetype_ids, 0], ranges[archetype_ids, 1]
            getattr(self, trait)[ids] = self.drawn[trait][ids] = low + (high - low) * rng.random(count)
        self.disposition[ids] = self.base_rate[ids]
        codes = np.array([POLICY_CODE[a.vouch_policy] for a in self.archetypes], dtype=np.int8)
        self.vouch_policy[ids] = self.drawn_policy[ids] = codes[archetype_ids]
        self._size[0] += count
        self.traits_changed()
        return ids

    def set_trait(self, trait: str, agents: np.ndarray, value: float) -> None:
        """Give ``agents`` a new value of ``trait`` (a reform). A new ``base_rate`` is a new disposition:
        the agents' generalized trust starts from it and keeps what they have seen."""
        getattr(self, trait)[agents] = value
        if trait == "base_rate":
            self.disposition[agents] = value
        self.traits_changed()

    def traits_changed(self) -> None:
        """Call after changing traits in place, so cached orderings are rebuilt (by the measures' kernels)."""
        self._order_valid[0] = 0

    def view(self, name: str) -> np.ndarray:
        """The live part of one array (a view, not a copy)."""
        return getattr(self, name)[: self.size]

    def members(self, archetype_name: str) -> np.ndarray:
        """Ids of the agents of an archetype (by its name)."""
        return np.flatnonzero(self.view("archetype") == self.names.index(archetype_name))


def initial_archetypes(archetypes: tuple[Archetype, ...], agents: int, rng: np.random.Generator) -> np.ndarray:
    """Archetype of each starting agent: exact shares, shuffled."""
    shares = np.array([a.share for a in archetypes])
    counts = allocate_counts(agents, shares)
    ids = np.repeat(np.arange(len(counts)), counts).astype(np.int16)
    return rng.permutation(ids)
