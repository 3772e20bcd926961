"""The network-wide and per-archetype measures, each defined once: its name, its meaning, its computation.

The names are the exports' column names (MODEL.md, "Network-wide measures"). The exports, the sweeps
and the dashboard all read :data:`NETWORK_MEASURES` and :data:`ARCHETYPE_MEASURES`, so a measure's
name, its type (an integer count or a real number) and whether it is a running total since day 0 are
stated here and nowhere else.

A day's :class:`Sample` is taken from one pass over every tie (:mod:`sim.mechanisms.forgetting`) and
the population; every measure is then a small function of the sample, in O(ties + agents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .kernels import average_ranks
from .trust import eigentrust

if TYPE_CHECKING:   # the measures' names and definitions load without the world: reading a scenario needs them
    from .mechanisms.forgetting import TieSums
    from .world import World


@dataclass(frozen=True)
class Measure:
    """One measure: its column name, what it means, how it is computed, and what kind of number it is.

    ``count``: an integer count (Int64 in tables), else a real number (Float64). ``cumulative``: a running
    total since day 0, else the state on that day. ``unit``: what one unit is ("" for a 0..1 share).
    """

    name: str
    meaning: str
    compute: Callable[[Sample], float | np.ndarray]
    count: bool = False
    cumulative: bool = False
    unit: str = ""


# ---------------------------------------------------------------- statistics the measures use

def rank_average(values: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Ranks with ties given their average rank (as Spearman's rho needs); ``order`` is an argsort, if known."""
    if order is None:
        order = np.argsort(values)   # any order of equal values gives the same average ranks
    return average_ranks(values, order)


def spearman(x: np.ndarray, y: np.ndarray, y_order: np.ndarray | None = None) -> float:
    """Spearman's rank correlation; NaN when either side has no spread.

    ``y_order`` (an argsort of ``y``) may be passed when it is already known, to skip one sort.
    """
    if len(x) < 3:
        return float("nan")
    rx = rank_average(x)
    ry = rank_average(y, y_order)
    rx -= rx.mean()
    ry -= ry.mean()
    denominator = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / denominator) if denominator > 0 else float("nan")


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative integer counts (0: all equal; toward 1: one holds everything).

    Uses a counting sort: with c_v agents holding v, starting at sorted position start_v, the ranks of
    that group contribute v * c_v * (2 start_v + c_v - n) to sum((2i - n - 1) x_(i)).
    """
    n = len(values)
    total = values.sum()
    if n == 0 or total <= 0:
        return 0.0
    counts = np.bincount(values).astype(np.float64)
    start = np.concatenate(([0.0], np.cumsum(counts)[:-1]))
    value = np.arange(len(counts), dtype=np.float64)
    return float((value * counts * (2.0 * start + counts - n)).sum() / (n * float(total)))


def ratio(totals: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """totals / counts element-wise, NaN where the count is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1e-300), np.nan)


# ---------------------------------------------------------------- the day's sample

class Sample:
    """The state of the network at one moment, as the measures read it.

    ``reputation`` is functional: the mean trust placed in an agent as a provider (does it deliver?). It
    is held by everyone tied to the agent now (first impressions included) and by everyone who dealt with
    it and has since walked away: counting only current ties would hide exactly the people who were let
    down. ``referral_reputation`` is the mean referral trust placed in it by those who have judged its
    recommendations ("your reputation takes a hit for the other person's effort").
    """

    def __init__(self, world: World, sums: TieSums) -> None:
        self.world = world
        self.sums = sums
        self.people = world.population
        self.reputation = ratio(sums.reputation_total, sums.reputation_held)
        self.referral_reputation = ratio(sums.referral_total, sums.referral_held)

    @classmethod
    def now(cls, world: World) -> Sample:
        """A sample of the world as it is (reads the ties; changes nothing)."""
        from .mechanisms.forgetting import read_then_forget

        return cls(world, read_then_forget(world, 1.0))

    def tally(self, name: str) -> np.ndarray:
        """A per-agent tally (``promises_kept``, ...) of the agents that exist."""
        return self.world.counters.per_agent(name, self.people.size)

    @cached_property
    def groups(self) -> np.ndarray:
        """Each agent's archetype index, as int64 (for bincount)."""
        return self.people.view("archetype").astype(np.int64)

    def by_archetype(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` per archetype."""
        return np.bincount(self.groups, weights=values, minlength=len(self.people.archetypes))

    def mean_by_archetype(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` per archetype over the agents where it is known (NaN where none is)."""
        known = ~np.isnan(values)
        size = len(self.people.archetypes)
        totals = np.bincount(self.groups[known], weights=values[known], minlength=size)
        return ratio(totals, np.bincount(self.groups[known], minlength=size))


# ---------------------------------------------------------------- network measures

def _mean_trust(sample: Sample) -> float:
    sums = sample.sums
    return sums.trust_sum / sums.live_ties if sums.live_ties else float("nan")


def _referral_trust(sample: Sample) -> float:
    sums = sample.sums
    return sums.referral_sum / sums.referral_live if sums.referral_live else float("nan")


def _trust_accuracy(sample: Sample) -> float:
    people, reputation = sample.people, sample.reputation
    known = ~np.isnan(reputation)
    # reliability rarely changes: its sort order is cached by the population; keep the known ones in order
    order = people.reliability_order()
    known_order = order[known[order]]
    position = np.cumsum(known) - 1
    return spearman(reputation[known], people.view("reliability")[known], position[known_order])


def _referral_accuracy(sample: Sample) -> float:
    given = sample.tally("vouches_given")
    judged = ~np.isnan(sample.referral_reputation) & (given > 0)
    if judged.sum() < 3:
        return float("nan")
    quality = sample.world.counters.vouched_reliability[: sample.people.size][judged] / given[judged]
    return spearman(sample.referral_reputation[judged], quality)


def _evidence_weight(sample: Sample) -> float:
    sums = sample.sums
    return sums.weight_sum / sums.live_ties if sums.live_ties else float("nan")


def _vouch_precision(sample: Sample) -> float:
    counters = sample.world.counters
    resolved = counters.vouch_kept + counters.vouch_broken
    return counters.vouch_kept / resolved if resolved else float("nan")


NETWORK_MEASURES: tuple[Measure, ...] = (
    Measure("mean_trust", "mean functional trust over all current ties", _mean_trust),
    Measure("evidence_weight", "how much of that trust rests on evidence rather than the prior: mean of "
            "(r + s) / (r + s + 2) over current ties (0: first impressions only; hearsay and vouches count "
            "as evidence)", _evidence_weight),
    Measure("generalized_trust", "mean base rate: how much agents trust strangers",
            lambda s: float(s.people.view("base_rate").mean())),
    Measure("referral_trust", "mean referral trust over current ties where recommendations were received",
            _referral_trust),
    Measure("trust_accuracy", "Spearman's rank correlation between (functional) reputation and true "
            "reliability: does reputation track reality?", _trust_accuracy, unit="-1 to 1"),
    Measure("referral_accuracy", "Spearman's rank correlation between referral reputation and the true "
            "reliability of those each agent vouched for: do recommenders' reputations track the quality "
            "of their recommendations?", _referral_accuracy, unit="-1 to 1"),
    Measure("vouch_precision", "share of vouch-led commitments that were kept", _vouch_precision,
            cumulative=True),
    Measure("promises_kept", "commitments kept", lambda s: float(s.tally("promises_kept").sum()),
            count=True, cumulative=True, unit="commitments"),
    Measure("promises_broken", "commitments broken", lambda s: float(s.tally("promises_broken").sum()),
            count=True, cumulative=True, unit="commitments"),
    Measure("ties", "current ties", lambda s: float(s.world.ties.count), count=True, unit="ties"),
    Measure("mean_degree", "current ties per agent (each directed tie counted once, at its source)",
            lambda s: s.world.ties.count / s.people.size if s.people.size else float("nan"), unit="ties per agent"),
    Measure("ties_broken", "ties dropped in distrust", lambda s: float(s.world.counters.ties_broken),
            count=True, cumulative=True, unit="ties"),
    Measure("ties_faded", "ties let go unused (turnover)", lambda s: float(s.world.counters.ties_faded),
            count=True, cumulative=True, unit="ties"),
    Measure("follower_gini", "inequality (Gini) of follower counts", lambda s: gini(s.people.view("followers"))),
)

# ---------------------------------------------------------------- per-archetype measures

ARCHETYPE_MEASURES: tuple[Measure, ...] = (
    Measure("agents", "agents of the archetype", lambda s: s.by_archetype(np.ones(s.people.size)),
            count=True, unit="agents"),
    Measure("reputation", "mean reputation of its agents (those anyone holds an opinion of)",
            lambda s: s.mean_by_archetype(s.reputation)),
    Measure("followers_mean", "mean followers per agent",
            lambda s: ratio(s.by_archetype(s.people.view("followers").astype(np.float64)),
                            s.by_archetype(np.ones(s.people.size))), unit="followers"),
    Measure("promises_kept", "commitments its agents kept", lambda s: s.by_archetype(s.tally("promises_kept")),
            count=True, cumulative=True, unit="commitments"),
    Measure("promises_broken", "commitments its agents broke",
            lambda s: s.by_archetype(s.tally("promises_broken")), count=True, cumulative=True, unit="commitments"),
    Measure("referral_trust", "mean referral reputation of its agents (those whose vouches were judged)",
            lambda s: s.mean_by_archetype(s.referral_reputation)),
)

#: Column names, in table order.
METRICS: tuple[str, ...] = tuple(m.name for m in NETWORK_MEASURES)
ARCHETYPE_COLUMNS: tuple[str, ...] = tuple(m.name for m in ARCHETYPE_MEASURES)
COUNT_METRICS = frozenset(m.name for m in NETWORK_MEASURES if m.count)


def network_row(sample: Sample) -> np.ndarray:
    """Every network measure of a sample, in :data:`METRICS` order (float64)."""
    return np.array([m.compute(sample) for m in NETWORK_MEASURES])


def archetype_table(sample: Sample) -> np.ndarray:
    """One row per archetype, one column per :data:`ARCHETYPE_MEASURES` entry (float64)."""
    return np.column_stack([m.compute(sample) for m in ARCHETYPE_MEASURES])


# ---------------------------------------------------------------- global trust (per agent, on demand)

def pretrusted(world: World) -> np.ndarray:
    """EigenTrust's pre-trusted agents: the day-0 members of ``global_trust.pretrusted`` (default: the
    scenario's first archetype), as a 0/1 weight per agent."""
    people = world.population
    names = world.scenario.global_trust.pretrusted or (people.names[0],)
    codes = [people.names.index(name) for name in names]
    chosen = np.isin(people.view("archetype"), codes) & (people.view("joined") == 0)
    return chosen.astype(np.float64)


def global_trust(world: World) -> np.ndarray:
    """EigenTrust (Kamvar et al. 2003) over the live ties' functional evidence, per agent.

    Local trust is satisfactory minus unsatisfactory evidence, floored at 0; the walk returns to the
    pre-trusted agents (:func:`pretrusted`) with chance ``global_trust.alpha``, which is what keeps a
    ring of agents vouching for each other from owning the trust. Agents with no pre-trusted member at
    all get uniform pre-trust (and lose that resistance).
    """
    ties, n = world.ties, world.population.size
    slots = ties.alive_slots()
    local = np.maximum(ties.positive[slots] - ties.negative[slots], 0.0)
    weights = pretrusted(world)
    if weights.sum() == 0:
        weights = np.ones(n)
    return eigentrust(n, ties.source[slots], ties.target[slots], local, weights,
                      alpha=world.scenario.global_trust.alpha)
