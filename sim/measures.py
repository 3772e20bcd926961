"""The network-wide and per-archetype measures, each defined once: its name, its meaning, its computation.

The names are the exports' column names (MODEL.md, "Network-wide measures"). The exports, the sweeps
and the dashboard all read :data:`NETWORK_MEASURES` and :data:`ARCHETYPE_MEASURES`, so a measure's
name, its type (an integer count or a real number) and whether it is a running total since day 0 are
stated here and nowhere else.

A day's sample is taken from one pass over every tie (:mod:`sim.mechanisms.forgetting`) and the
population; every measure is then a small kernel of the sampled world, in O(ties + agents), computed
inside the day's compiled call (:func:`network_row`, :func:`archetype_table`) before the day's actions.
Sums are numpy's own (:func:`sim.kernels.pairwise_sum`), so each measure is the number numpy gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .kernels import argsort_reals, average_ranks, kernel, pairwise_sum
from .totals import TIES_BROKEN, TIES_FADED, VOUCH_BROKEN, VOUCH_KEPT
from .trust import eigentrust

if TYPE_CHECKING:   # the measures' names and definitions load without the world: reading a scenario needs them
    from .world import World


@dataclass(frozen=True)
class Measure:
    """One measure: its column name, what it means, how it is computed, and what kind of number it is.

    ``compute`` is a kernel of the sampled world (network measures give a number, per-archetype ones an
    array, one value per archetype). ``count``: an integer count (Int64 in tables), else a real number
    (Float64). ``cumulative``: a running total since day 0, else the state on that day. ``unit``: what one
    unit is ("" for a 0..1 share).
    """

    name: str
    meaning: str
    compute: Callable
    count: bool = False
    cumulative: bool = False
    unit: str = ""


# ---------------------------------------------------------------- statistics the measures use

@kernel
def _mean(values: np.ndarray) -> float:
    return pairwise_sum(values, 0, len(values)) / len(values)


@kernel
def _spearman(x: np.ndarray, y: np.ndarray, y_order: np.ndarray) -> float:
    if len(x) < 3:
        return np.nan
    rx = average_ranks(x, argsort_reals(x))    # any order of equal values gives the same average ranks
    ry = average_ranks(y, y_order)
    rx -= _mean(rx)
    ry -= _mean(ry)
    denominator = np.sqrt(pairwise_sum(rx * rx, 0, len(rx)) * pairwise_sum(ry * ry, 0, len(ry)))
    return pairwise_sum(rx * ry, 0, len(rx)) / denominator if denominator > 0 else np.nan


@kernel
def _gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative integer counts (0: all equal; toward 1: one holds everything).

    Uses a counting sort: with c_v agents holding v, starting at sorted position start_v, the ranks of
    that group contribute v * c_v * (2 start_v + c_v - n) to sum((2i - n - 1) x_(i)).
    """
    n = len(values)
    total = values.sum()
    if n == 0 or total <= 0:
        return 0.0
    counts = np.bincount(values).astype(np.float64)
    terms = np.empty(len(counts))
    start = 0.0
    for value in range(len(counts)):
        terms[value] = value * counts[value] * (2.0 * start + counts[value] - n)
        start += counts[value]
    return pairwise_sum(terms, 0, len(terms)) / (n * float(total))


def rank_average(values: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Ranks with ties given their average rank (as Spearman's rho needs); ``order`` is an argsort, if known."""
    return average_ranks(values, np.argsort(values) if order is None else order)


def spearman(x: np.ndarray, y: np.ndarray, y_order: np.ndarray | None = None) -> float:
    """Spearman's rank correlation; NaN when either side has no spread.

    ``y_order`` (an argsort of ``y``) may be passed when it is already known, to skip one sort.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(_spearman(x, y, np.argsort(y) if y_order is None else np.asarray(y_order, dtype=np.int64)))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative integer counts (see :func:`_gini`)."""
    return float(_gini(np.asarray(values, dtype=np.int64)))


# ---------------------------------------------------------------- the sampled world, as the measures read it

@kernel
def _agents(w) -> int:
    return w.people.size[0]


@kernel
def _by_archetype(w, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` (one per agent) per archetype, in agent order."""
    totals = np.zeros(w.config.archetypes)
    groups = w.people.archetype
    for agent in range(len(values)):
        totals[groups[agent]] += values[agent]
    return totals


@kernel
def _mean_by_archetype(w, values: np.ndarray) -> np.ndarray:
    """Mean of ``values`` per archetype over the agents where it is known (NaN where none is)."""
    totals = np.zeros(w.config.archetypes)
    counts = np.zeros(w.config.archetypes, dtype=np.int64)
    groups = w.people.archetype
    for agent in range(len(values)):
        if not np.isnan(values[agent]):
            totals[groups[agent]] += values[agent]
            counts[groups[agent]] += 1
    return _ratio(totals, counts.astype(np.float64))


@kernel
def _ratio(totals: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """totals / counts element-wise, NaN where the count is 0."""
    found = np.full(len(totals), np.nan)
    for i in range(len(totals)):
        if counts[i] > 0:
            found[i] = totals[i] / counts[i]
    return found


@kernel
def _reliability_order(w) -> np.ndarray:
    """An argsort of the agents' reliability, kept until traits change."""
    people = w.people
    agents = people.size[0]
    if people.order_valid[0] != agents:
        people.reliability_order[:agents] = argsort_reals(people.reliability[:agents])
        people.order_valid[0] = agents
    return people.reliability_order[:agents]


# ---------------------------------------------------------------- network measures

@kernel
def _mean_trust(w) -> float:
    sample = w.sample
    return sample.trust_sum / sample.live_ties if sample.live_ties else np.nan


@kernel
def _evidence_weight(w) -> float:
    sample = w.sample
    return sample.weight_sum / sample.live_ties if sample.live_ties else np.nan


@kernel
def _generalized_trust(w) -> float:
    return _mean(w.people.base_rate[:_agents(w)])


@kernel
def _referral_trust(w) -> float:
    sample = w.sample
    return sample.referral_sum / sample.referral_live if sample.referral_live else np.nan


@kernel
def _trust_accuracy(w) -> float:
    agents = _agents(w)
    reputation = w.sample.reputation[:agents]
    known = ~np.isnan(reputation)
    # reliability rarely changes: its sort order is kept; the known ones' positions follow it
    order = _reliability_order(w)
    position = np.cumsum(known) - 1
    return _spearman(reputation[known], w.people.reliability[:agents][known], position[order[known[order]]])


@kernel
def _referral_accuracy(w) -> float:
    agents = _agents(w)
    given = w.tallies.vouches_given[:agents]
    referral = w.sample.referral_reputation[:agents]
    judged = ~np.isnan(referral) & (given > 0)
    if judged.sum() < 3:
        return np.nan
    quality = w.tallies.vouched_reliability[:agents][judged] / given[judged]
    return _spearman(referral[judged], quality, argsort_reals(quality))


@kernel
def _vouch_precision(w) -> float:
    kept, broken = w.tallies.totals[VOUCH_KEPT], w.tallies.totals[VOUCH_BROKEN]
    return kept / (kept + broken) if kept + broken else np.nan


@kernel
def _promises_kept(w) -> float:
    return float(w.tallies.promises_kept[:_agents(w)].sum())


@kernel
def _promises_broken(w) -> float:
    return float(w.tallies.promises_broken[:_agents(w)].sum())


@kernel
def _ties(w) -> float:
    return float(w.ties.sizes[1])


@kernel
def _mean_degree(w) -> float:
    agents = _agents(w)
    return w.ties.sizes[1] / agents if agents else np.nan


@kernel
def _ties_broken(w) -> float:
    return float(w.tallies.totals[TIES_BROKEN])


@kernel
def _ties_faded(w) -> float:
    return float(w.tallies.totals[TIES_FADED])


@kernel
def _follower_gini(w) -> float:
    return _gini(w.people.followers[:_agents(w)])


NETWORK_MEASURES: tuple[Measure, ...] = (
    Measure("mean_trust", "mean functional trust over all current ties", _mean_trust),
    Measure("evidence_weight", "how much of that trust rests on evidence rather than the prior: mean of "
            "(r + s) / (r + s + 2) over current ties (0: first impressions only; hearsay and vouches count "
            "as evidence)", _evidence_weight),
    Measure("generalized_trust", "mean base rate: how much agents trust strangers", _generalized_trust),
    Measure("referral_trust", "mean referral trust over current ties where recommendations were received",
            _referral_trust),
    Measure("trust_accuracy", "Spearman's rank correlation between (functional) reputation and true "
            "reliability: does reputation track reality?", _trust_accuracy, unit="-1 to 1"),
    Measure("referral_accuracy", "Spearman's rank correlation between referral reputation and the true "
            "reliability of those each agent vouched for: do recommenders' reputations track the quality "
            "of their recommendations?", _referral_accuracy, unit="-1 to 1"),
    Measure("vouch_precision", "share of vouch-led commitments that were kept", _vouch_precision,
            cumulative=True),
    Measure("promises_kept", "commitments kept", _promises_kept, count=True, cumulative=True, unit="commitments"),
    Measure("promises_broken", "commitments broken", _promises_broken, count=True, cumulative=True,
            unit="commitments"),
    Measure("ties", "current ties", _ties, count=True, unit="ties"),
    Measure("mean_degree", "current ties per agent (each directed tie counted once, at its source)",
            _mean_degree, unit="ties per agent"),
    Measure("ties_broken", "ties dropped in distrust", _ties_broken, count=True, cumulative=True, unit="ties"),
    Measure("ties_faded", "ties let go unused (turnover)", _ties_faded, count=True, cumulative=True, unit="ties"),
    Measure("follower_gini", "inequality (Gini) of follower counts", _follower_gini),
)

# ---------------------------------------------------------------- per-archetype measures


@kernel
def _archetype_agents(w) -> np.ndarray:
    return _by_archetype(w, np.ones(_agents(w)))


@kernel
def _archetype_reputation(w) -> np.ndarray:
    return _mean_by_archetype(w, w.sample.reputation[:_agents(w)])


@kernel
def _followers_mean(w) -> np.ndarray:
    agents = _agents(w)
    return _ratio(_by_archetype(w, w.people.followers[:agents].astype(np.float64)),
                  _by_archetype(w, np.ones(agents)))


@kernel
def _archetype_kept(w) -> np.ndarray:
    return _by_archetype(w, w.tallies.promises_kept[:_agents(w)].astype(np.float64))


@kernel
def _archetype_broken(w) -> np.ndarray:
    return _by_archetype(w, w.tallies.promises_broken[:_agents(w)].astype(np.float64))


@kernel
def _archetype_referral(w) -> np.ndarray:
    return _mean_by_archetype(w, w.sample.referral_reputation[:_agents(w)])


ARCHETYPE_MEASURES: tuple[Measure, ...] = (
    Measure("agents", "agents of the archetype", _archetype_agents, count=True, unit="agents"),
    Measure("reputation", "mean reputation of its agents (those anyone holds an opinion of)", _archetype_reputation),
    Measure("followers_mean", "mean followers per agent", _followers_mean, unit="followers"),
    Measure("promises_kept", "commitments its agents kept", _archetype_kept, count=True, cumulative=True,
            unit="commitments"),
    Measure("promises_broken", "commitments its agents broke", _archetype_broken, count=True, cumulative=True,
            unit="commitments"),
    Measure("referral_trust", "mean referral reputation of its agents (those whose vouches were judged)",
            _archetype_referral),
)

#: Column names, in table order.
METRICS: tuple[str, ...] = tuple(m.name for m in NETWORK_MEASURES)
ARCHETYPE_COLUMNS: tuple[str, ...] = tuple(m.name for m in ARCHETYPE_MEASURES)
COUNT_METRICS = frozenset(m.name for m in NETWORK_MEASURES if m.count)


@kernel
def network_row(w, out: np.ndarray) -> None:
    """Every network measure of the sampled world, in :data:`METRICS` order. (Written out, as the engine's
    day is; tests/test_measures.py holds it to :data:`NETWORK_MEASURES`.)"""
    out[0] = _mean_trust(w)
    out[1] = _evidence_weight(w)
    out[2] = _generalized_trust(w)
    out[3] = _referral_trust(w)
    out[4] = _trust_accuracy(w)
    out[5] = _referral_accuracy(w)
    out[6] = _vouch_precision(w)
    out[7] = _promises_kept(w)
    out[8] = _promises_broken(w)
    out[9] = _ties(w)
    out[10] = _mean_degree(w)
    out[11] = _ties_broken(w)
    out[12] = _ties_faded(w)
    out[13] = _follower_gini(w)


@kernel
def archetype_table(w, out: np.ndarray) -> None:
    """One row per archetype, one column per :data:`ARCHETYPE_MEASURES` entry (written out likewise)."""
    out[:, 0] = _archetype_agents(w)
    out[:, 1] = _archetype_reputation(w)
    out[:, 2] = _followers_mean(w)
    out[:, 3] = _archetype_kept(w)
    out[:, 4] = _archetype_broken(w)
    out[:, 5] = _archetype_referral(w)


class Sample:
    """Every agent's reputation as things stand, read from the ties (changes nothing).

    ``reputation`` is functional: the mean trust placed in an agent as a provider (does it deliver?). It
    is held by everyone tied to the agent now (first impressions included) and by everyone who dealt with
    it and has since walked away: counting only current ties would hide exactly the people who were let
    down. ``referral_reputation`` is the mean referral trust placed in it by those who have judged its
    recommendations ("your reputation takes a hit for the other person's effort").
    """

    def __init__(self, reputation: np.ndarray, referral_reputation: np.ndarray) -> None:
        self.reputation = reputation
        self.referral_reputation = referral_reputation

    @classmethod
    def now(cls, world: World) -> Sample:
        """A sample of the world as it is (reads the ties; changes nothing)."""
        from .mechanisms.forgetting import tie_sums

        sums = tie_sums(world, 1.0)
        return cls(_ratio(sums.reputation_total, sums.reputation_held),
                   _ratio(sums.referral_total, sums.referral_held))


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
