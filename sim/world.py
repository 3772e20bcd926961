"""The world state every mechanism acts on: who the agents are, who knows whom, what happened, and chance.

A :class:`World` holds everything a run changes and nothing about time: the population (traits and
state), the tie table (evidence), hearsay and what authors have told (:mod:`sim.ledger`), the event
log, the running tallies, the commitments not yet due and the random streams. The mechanisms in :mod:`sim.mechanisms` are functions of a world; the engine
(:mod:`sim.engine`) decides when each one runs. A test can build a world of five agents by hand
(:func:`World.empty`) and call one mechanism on it.

Two invariants are kept here, so that no mechanism can forget them: ``population.followers[j]`` is the
number of live ties into ``j`` (:meth:`World.tie`, :meth:`World.untie`, :meth:`World.fade`), and every
tie that ends is counted: in ``counters.ties_broken`` if dropped in distrust, ``counters.ties_faded`` if
it faded unused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .eventlog import EventLog
from .ledger import Ledger
from .network import pareto_fitness, past_dealings, seed_ties
from .population import Population, initial_archetypes
from .ties import TieTable

if TYPE_CHECKING:
    from .config import Scenario


class Counters:
    """Running tallies since day 0: per agent (arrays, one entry per agent slot) and network-wide."""

    PER_AGENT = ("promises_kept", "promises_broken", "vouches_given", "vouches_failed")

    def __init__(self, capacity: int) -> None:
        for name in self.PER_AGENT:
            setattr(self, name, np.zeros(capacity, dtype=np.int64))
        # the true reliability of everyone each agent vouched for, summed at the time of each vouch: the
        # real quality of its recommendations (referral_accuracy sets reputations against it)
        self.vouched_reliability = np.zeros(capacity)
        self.ties_broken = 0        # ties dropped in distrust
        self.ties_faded = 0         # ties let go unused
        self.vouch_kept = 0         # vouch-led commitments kept ...
        self.vouch_broken = 0       # ... and broken

    def per_agent(self, name: str, agents: int) -> np.ndarray:
        """The tally ``name`` of the first ``agents`` agents (a view)."""
        return getattr(self, name)[:agents]


class Commitments(NamedTuple):
    """A batch of commitments, one entry each: who asked, who promised, who vouched (-1: nobody), when due."""

    requesters: np.ndarray
    providers: np.ndarray
    vouchers: np.ndarray
    due: np.ndarray


class DeadlineBook:
    """Commitments not yet resolved, filed under the whole day on which they fall due.

    ``on_new_day(day)`` is called the first time a day gets a commitment: the engine uses it to schedule
    that day's deadline event. The book itself knows nothing of time.
    """

    def __init__(self) -> None:
        self._due: dict[int, list[Commitments]] = {}
        self.on_new_day: Callable[[int], None] = lambda day: None

    def file(self, batch: Commitments) -> None:
        """File a batch under the days its commitments fall due (``ceil(due)``)."""
        due_day = np.ceil(batch.due).astype(np.int64)
        order = np.argsort(due_day, kind="stable")
        due_day = due_day[order]
        # sorted once, so each day's share is a slice (a view), not four gathers
        columns = Commitments(*(column[order] for column in batch))
        starts = np.flatnonzero(np.concatenate(([True], due_day[1:] != due_day[:-1])))
        ends = np.append(starts[1:], len(due_day))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            day = int(due_day[start])
            if day not in self._due:
                self._due[day] = []
                self.on_new_day(day)
            self._due[day].append(Commitments(*(column[start:end] for column in columns)))

    def pop(self, day: int) -> Commitments:
        """Every commitment due on ``day``, in the order they were filed (removed from the book)."""
        return Commitments(*(np.concatenate(column) for column in zip(*self._due.pop(day), strict=True)))

    def days(self) -> list[int]:
        """The days that still have commitments due."""
        return sorted(self._due)


@dataclass
class Streams:
    """The run's random streams, one per source of chance, all spawned from its seed in a fixed order.

    ``setup`` draws the agents, ``network`` the seed graph, ``sample`` which agents' reputations are
    tracked; each mechanism that draws has a stream of its own (``promotion``, ``vouching`` ...). So a
    mechanism switched off, or drawing more or less than before, leaves the others' draws as they were:
    two runs on the same seed, one with a mechanism off, differ by what that mechanism does (common
    random numbers, which make paired comparisons sharper).
    """

    setup: np.random.Generator
    network: np.random.Generator
    sample: np.random.Generator
    imitation: np.random.Generator
    promotion: np.random.Generator
    vouching: np.random.Generator
    commitments: np.random.Generator
    delivery: np.random.Generator
    testimony: np.random.Generator
    events: np.random.Generator

    @classmethod
    def from_seed(cls, seed: int) -> Streams:
        names = [spec.name for spec in fields(cls)]
        children = np.random.SeedSequence(seed).spawn(len(names))
        return cls(*(np.random.Generator(np.random.PCG64(child)) for child in children))


@dataclass
class World:
    """Everything a run changes (see the module docstring)."""

    scenario: Scenario
    population: Population
    ties: TieTable
    counters: Counters
    streams: Streams
    hearsay: Ledger
    told: Ledger
    log: EventLog = field(default_factory=EventLog)
    deadlines: DeadlineBook = field(default_factory=DeadlineBook)
    campaigns: list[tuple[float, float]] = field(default_factory=list)   # (end day, vouch-request factor)
    nights: int = 0          # forgetting nights so far (the ledgers decay by them)

    @classmethod
    def empty(cls, scenario: Scenario) -> World:
        """A world with room for the scenario's agents and none in it yet (seed: the scenario's)."""
        capacity = scenario.capacity()
        ties = TieTable(capacity=max(1024, int(scenario.simulation.agents * scenario.network.mean_degree * 1.5)))
        forgetting = scenario.trust.forgetting
        return cls(scenario=scenario, population=Population(scenario.archetypes, capacity), ties=ties,
                   counters=Counters(capacity), streams=Streams.from_seed(scenario.simulation.seed),
                   hearsay=Ledger(forgetting), told=Ledger(forgetting))

    @classmethod
    def build(cls, scenario: Scenario) -> World:
        """The world at day 0: the starting agents, drawn from their archetypes, and the seed graph."""
        world = cls.empty(scenario)
        setup, network = world.streams.setup, world.streams.network
        ids = world.population.add(
            initial_archetypes(scenario.archetypes, scenario.simulation.agents, setup), setup)
        fitness = pareto_fitness(len(ids), scenario.network.degree_exponent, network)
        sources, targets = seed_ties(ids, fitness, scenario.network, network)
        positive, negative, dealings = past_dealings(world.population.reliability[targets],
                                                     scenario.network.history, scenario.trust.asymmetry, network)
        world.tie(sources, targets, positive, negative, 0.0, dealings, first_hand=True)
        return world

    def begin_recording(self) -> None:
        """Day 0 begins after a spin-up: the event log and the tallies start empty; the world stays."""
        self.log = EventLog()
        self.counters = Counters(len(self.counters.vouched_reliability))

    # ------------------------------------------------------------------ the two invariants
    def tie(self, sources: np.ndarray, targets: np.ndarray, positive: np.ndarray | float,
            negative: np.ndarray | float, time: float, dealings: np.ndarray | float = 0.0, *,
            first_hand: bool = False) -> np.ndarray:
        """Create the ties that do not exist yet (see :meth:`TieTable.add`); returns which were created."""
        created = self.ties.add(sources, targets, positive, negative, time, dealings, first_hand)
        np.add.at(self.population.followers, np.asarray(targets)[created], 1)
        return created

    def untie(self, slots: np.ndarray) -> np.ndarray:
        """Break live ties; returns the slots actually broken (each once)."""
        removed = self.ties.remove(slots)
        np.add.at(self.population.followers, self.ties.target[removed], -1)
        self.counters.ties_broken += len(removed)
        return removed

    def fade(self, slots: np.ndarray) -> np.ndarray:
        """Let live ties fade (unused): they end and are forgotten; returns the slots that faded."""
        faded = self.ties.remove(slots, fade=True)
        np.add.at(self.population.followers, self.ties.target[faded], -1)
        self.counters.ties_faded += len(faded)
        return faded
