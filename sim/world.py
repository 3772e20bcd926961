"""The world state every mechanism acts on: who the agents are, who knows whom, what happened, and chance.

A :class:`World` holds everything a run changes and nothing about time: the population (traits and
state), the tie table (evidence), hearsay and what authors have told (:mod:`sim.ledger`), the event
log, the running tallies, the commitments not yet due and the random streams. The mechanisms in
:mod:`sim.mechanisms` are kernels acting on the world's compiled twin (:attr:`World.compiled`, laid out
in :mod:`sim.kernels_state`), each with a Python function of a :class:`World` beside it; the engine
(:mod:`sim.engine`) decides when each one runs. A test can build a world of five agents by hand
(:func:`World.empty`) and call one mechanism on it.

Two invariants are kept here, so that no mechanism can forget them: ``population.followers[j]`` is the
number of live ties into ``j`` (:func:`make_ties`, :func:`break_ties`, :func:`fade_ties`), and every
tie that ends is counted: in ``counters.ties_broken`` if dropped in distrust, ``counters.ties_faded`` if
it faded unused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .eventlog import EventLog
from .kernels import Compiled, column, grown, ids, kernel
from .ledger import Ledger
from .network import pareto_fitness, past_dealings, seed_ties
from .population import Population, initial_archetypes
from .ties import TieTable, add, remove
from .totals import TIES_BROKEN, TIES_FADED, VOUCH_BROKEN, VOUCH_KEPT

if TYPE_CHECKING:
    from .config import Scenario



class Counters(Compiled):
    """Running tallies since day 0: per agent (arrays, one entry per agent slot) and network-wide."""

    PER_AGENT = ("promises_kept", "promises_broken", "vouches_given", "vouches_failed")

    def __init__(self, capacity: int) -> None:
        from .kernels_state import new_tallies

        for name in self.PER_AGENT:
            setattr(self, name, np.zeros(capacity, dtype=np.int64))
        # the true reliability of everyone each agent vouched for, summed at the time of each vouch: the
        # real quality of its recommendations (referral_accuracy sets reputations against it)
        self.vouched_reliability = np.zeros(capacity)
        self.totals = np.zeros(4, dtype=np.int64)
        self.compiled = new_tallies(*(getattr(self, name) for name in self.PER_AGENT), self.vouched_reliability,
                                    self.totals)

    ties_broken = property(lambda self: int(self.totals[TIES_BROKEN]), doc="ties dropped in distrust")
    ties_faded = property(lambda self: int(self.totals[TIES_FADED]), doc="ties let go unused")
    vouch_kept = property(lambda self: int(self.totals[VOUCH_KEPT]), doc="vouch-led commitments kept ...")
    vouch_broken = property(lambda self: int(self.totals[VOUCH_BROKEN]), doc="... and broken")

    def per_agent(self, name: str, agents: int) -> np.ndarray:
        """The tally ``name`` of the first ``agents`` agents (a view)."""
        return getattr(self, name)[:agents]

    def clear(self) -> None:
        """Every tally back to 0 (day 0 after a spin-up)."""
        for name in (*self.PER_AGENT, "vouched_reliability", "totals"):
            getattr(self, name)[:] = 0


class Commitments(NamedTuple):
    """A batch of commitments, one entry each: who asked, who promised, who vouched (-1: nobody), when due."""

    requesters: np.ndarray
    providers: np.ndarray
    vouchers: np.ndarray
    due: np.ndarray


# ---------------------------------------------------------------- the deadline book (kernels)

@kernel
def file(book, requesters: np.ndarray, providers: np.ndarray, vouchers: np.ndarray, due: np.ndarray) -> None:
    """File commitments under the whole day on which each falls due (``ceil(due)``), in the order given."""
    count, used = len(due), book.count
    book.requester = grown(book.requester, used, used + count)
    book.provider = grown(book.provider, used, used + count)
    book.voucher = grown(book.voucher, used, used + count)
    book.due = grown(book.due, used, used + count)
    book.due_day = grown(book.due_day, used, used + count)
    for i in range(count):
        at = used + i
        book.requester[at], book.provider[at], book.voucher[at] = requesters[i], providers[i], vouchers[i]
        book.due[at] = due[i]
        book.due_day[at] = math.ceil(due[i])
    book.count = used + count


@kernel
def pop(book, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every commitment due on ``day`` (or before: none are, but none is lost), in the order filed,
    removed from the book: (requesters, providers, vouchers, due)."""
    taken = 0
    for i in range(book.count):
        taken += book.due_day[i] <= day
    requesters = np.empty(taken, dtype=np.int64)
    providers = np.empty(taken, dtype=np.int64)
    vouchers = np.empty(taken, dtype=np.int64)
    due = np.empty(taken)
    out, kept = 0, 0
    for i in range(book.count):
        if book.due_day[i] <= day:
            requesters[out], providers[out], vouchers[out] = book.requester[i], book.provider[i], book.voucher[i]
            due[out] = book.due[i]
            out += 1
        else:
            book.requester[kept], book.provider[kept], book.voucher[kept] = (book.requester[i], book.provider[i],
                                                                             book.voucher[i])
            book.due[kept], book.due_day[kept] = book.due[i], book.due_day[i]
            kept += 1
    book.count = kept
    return requesters, providers, vouchers, due


@kernel
def open_days(book) -> np.ndarray:
    return np.unique(book.due_day[:book.count])


class DeadlineBook(Compiled):
    """Commitments not yet resolved, filed under the whole day on which they fall due.

    The engine resolves each day's at its deadline (:func:`sim.mechanisms.delivery.resolve_due`); the book
    itself knows nothing of time.
    """

    def __init__(self, capacity: int = 1024) -> None:
        from .kernels_state import new_book

        self.compiled = new_book(*(np.zeros(capacity, dtype=np.int32) for _ in range(3)), np.zeros(capacity),
                                 np.zeros(capacity, dtype=np.int64))

    def file(self, batch: Commitments) -> None:
        """File a batch under the days its commitments fall due (``ceil(due)``)."""
        file(self.compiled, *(ids(agents) for agents in batch[:3]), column(batch.due, len(batch.due)))

    def pop(self, day: int) -> Commitments:
        """Every commitment due on ``day``, in the order they were filed (removed from the book)."""
        return Commitments(*pop(self.compiled, int(day)))

    def days(self) -> list[int]:
        """The days that still have commitments due."""
        return open_days(self.compiled).tolist()


# ---------------------------------------------------------------- the two invariants (kernels)

@kernel
def make_ties(w, sources: np.ndarray, targets: np.ndarray, positive: np.ndarray, negative: np.ndarray,
              time: float, dealings: np.ndarray, first_hand: bool) -> np.ndarray:
    """Create the ties that do not exist yet (:func:`sim.ties.add`); returns which were created."""
    created = add(w.ties, sources, targets, positive, negative, time, dealings, first_hand)
    followers = w.people.followers
    for i in range(len(created)):
        if created[i]:
            followers[targets[i]] += 1
    return created


@kernel
def break_ties(w, slots: np.ndarray) -> np.ndarray:
    """Break live ties in distrust; returns the slots actually broken (each once, ascending)."""
    removed = remove(w.ties, slots, False)
    for slot in removed:
        w.people.followers[w.ties.target[slot]] -= 1
    w.tallies.totals[TIES_BROKEN] += len(removed)
    return removed


@kernel
def fade_ties(w, slots: np.ndarray) -> np.ndarray:
    """Let live ties fade (unused): they end and are forgotten; returns the slots that faded."""
    faded = remove(w.ties, slots, True)
    for slot in faded:
        w.people.followers[w.ties.target[slot]] -= 1
    w.tallies.totals[TIES_FADED] += len(faded)
    return faded


@dataclass
class Streams:
    """The run's random streams, one per source of chance, all spawned from its seed in a fixed order.

    ``setup`` draws the agents, ``network`` the seed graph, ``sample`` which agents' reputations are
    tracked; each mechanism that draws has a stream of its own (``promotion``, ``vouching`` ...). So a
    mechanism switched off, or drawing more or less than before, leaves the others' draws as they were:
    two runs on the same seed, one with a mechanism off, differ by what that mechanism does (common
    random numbers, which make paired comparisons sharper). The kernels draw from the very same
    generators (numba draws exactly as numpy does, value for value).
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

    def of_mechanisms(self) -> tuple[np.random.Generator, ...]:
        """The streams the kernels draw from, in :data:`sim.kernels_state.WORLD` order."""
        return self.imitation, self.promotion, self.vouching, self.commitments, self.delivery, self.testimony


class Campaigns(list):
    """The platform campaigns running or run so far, each (end day, vouch-request factor): a list, and a
    table the kernels read (:func:`sim.mechanisms.vouching.campaign_multiplier`)."""

    def __init__(self, capacity: int = 4) -> None:
        super().__init__()
        self.table = np.zeros((max(capacity, 1), 2))
        self.count = np.zeros(1, dtype=np.int64)
        self.world: Any = None          # the compiled world that reads the table

    def append(self, campaign: tuple[float, float]) -> None:
        super().append(campaign)
        if len(self) > len(self.table):
            from .kernels_state import set_campaigns

            table = np.zeros((2 * len(self.table), 2))
            table[: len(self.table)] = self.table
            self.table = table
            if self.world is not None:
                set_campaigns(self.world, table)
        self.table[len(self) - 1] = campaign
        self.count[0] = len(self)


def _config(scenario: Scenario) -> Any:
    """The scenario's parameters as the kernels read them (:data:`sim.kernels_state.CONFIG`)."""
    from .kernels_state import new_config

    trust, ties, commitments, vouching = scenario.trust, scenario.ties, scenario.commitments, scenario.vouching
    promotion, testimony = scenario.promotion, scenario.testimony
    reals = (trust.asymmetry, trust.forgetting, trust.generalized_learning, trust.untie_threshold,
             trust.untie_evidence, ties.fade_after, commitments.duration_min, commitments.duration_max,
             vouching.threshold, vouching.min_dealings, vouching.endorsement, vouching.tie_threshold,
             promotion.follow_base, promotion.social_proof, promotion.follower_scale, testimony.probability,
             scenario.imitation.rate, scenario.reciprocity.weight)
    switches = (trust.untie, ties.fade, commitments.overload, vouching.blame, vouching.discounting,
                vouching.uncertain_referrals, promotion.enabled, promotion.impression_bias, testimony.enabled,
                testimony.reaches_strangers, testimony.first_hand, scenario.reciprocity.enabled)
    return new_config(scenario.simulation.days, len(scenario.archetypes), tuple(float(x) for x in reals),
                      tuple(bool(x) for x in switches), int(promotion.reach))


@dataclass
class World(Compiled):
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
    campaigns: Campaigns = field(default_factory=Campaigns)   # (end day, vouch-request factor) each
    compiled: Any = None     # the same world, as the kernels see it (sim.kernels_state.WORLD)
    _nights: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    def __post_init__(self) -> None:
        from .kernels_state import new_sample, new_world

        capacity = self.population.allocated
        sample = new_sample(*(np.zeros(capacity) for _ in range(6)))
        self.compiled = new_world(self.population.compiled, self.ties.compiled, self.log.compiled,
                                  self.counters.compiled, self.hearsay.compiled, self.told.compiled,
                                  self.deadlines.compiled, _config(self.scenario), sample, self._nights,
                                  self.campaigns.table, self.campaigns.count, self.streams.of_mechanisms())
        self.campaigns.world = self.compiled

    @property
    def nights(self) -> int:
        """Forgetting nights so far (the ledgers decay by them)."""
        return int(self._nights[0])

    @classmethod
    def empty(cls, scenario: Scenario, log_capacity: int = 1 << 16, tie_capacity: int = 0) -> World:
        """A world with room for the scenario's agents and none in it yet (seed: the scenario's). The tie
        table and the event log start with room for ``tie_capacity`` ties (by default 1.5 times the seed
        graph's) and ``log_capacity`` events; both grow as needed."""
        capacity = scenario.capacity()
        ties = TieTable(capacity=tie_capacity or max(1024, int(scenario.simulation.agents
                                                               * scenario.network.mean_degree * 1.5)))
        forgetting = scenario.trust.forgetting
        return cls(scenario=scenario, population=Population(scenario.archetypes, capacity), ties=ties,
                   counters=Counters(capacity), streams=Streams.from_seed(scenario.simulation.seed),
                   hearsay=Ledger(forgetting), told=Ledger(forgetting), log=EventLog(log_capacity))

    @classmethod
    def build(cls, scenario: Scenario, log_capacity: int = 1 << 16, tie_capacity: int = 0) -> World:
        """The world at day 0: the starting agents, drawn from their archetypes, and the seed graph."""
        world = cls.empty(scenario, log_capacity, tie_capacity)
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
        self.log.clear()
        self.counters.clear()

    # ------------------------------------------------------------------ the two invariants
    def tie(self, sources: np.ndarray, targets: np.ndarray, positive: np.ndarray | float,
            negative: np.ndarray | float, time: float, dealings: np.ndarray | float = 0.0, *,
            first_hand: bool = False) -> np.ndarray:
        """Create the ties that do not exist yet (see :meth:`TieTable.add`); returns which were created."""
        sources = ids(sources)
        count = len(sources)
        return make_ties(self.compiled, sources, ids(targets), column(positive, count), column(negative, count),
                         float(time), column(dealings, count, np.float32), bool(first_hand))

    def untie(self, slots: np.ndarray) -> np.ndarray:
        """Break live ties; returns the slots actually broken (each once)."""
        return break_ties(self.compiled, ids(slots))

    def fade(self, slots: np.ndarray) -> np.ndarray:
        """Let live ties fade (unused): they end and are forgotten; returns the slots that faded."""
        return fade_ties(self.compiled, ids(slots))
