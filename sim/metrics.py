"""Network-wide measures, computed from arrays in O(ties + agents).

The names of :data:`METRICS` are the export's column names, exactly as MODEL.md gives them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .kernels import average_ranks, sample_ties

if TYPE_CHECKING:
    from .engine import Simulation

METRICS: tuple[str, ...] = (
    "mean_trust", "generalized_trust", "referral_trust", "trust_accuracy", "vouch_precision",
    "promises_kept", "promises_broken", "ties", "ties_broken", "follower_gini",
)
COUNT_METRICS = frozenset({"promises_kept", "promises_broken", "ties", "ties_broken"})
ARCHETYPE_COLUMNS: tuple[str, ...] = (
    "agents", "reputation", "followers_mean", "promises_kept", "promises_broken", "referral_trust",
)


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


def _mean_by(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    totals = np.bincount(groups, weights=values, minlength=size)
    return _ratio(totals, np.bincount(groups, minlength=size))


class TrustView:
    """The trust measures of every tie, computed in one pass per sample and shared by all the measures.

    This runs every simulated day over millions of ties, so the pass is a compiled loop
    (:func:`sim.kernels.sample_ties`); with ``forget`` below 1 the same pass applies the day's forgetting,
    after reading the evidence as it stood at the start of the day. That changes the tie table: only the
    day's sample may pass it, once a day.

    Reputation is the overall opinion placed in an agent, pooling both roles of evidence: "if you vouch
    for someone [who fails] your reputation takes a hit for the other person's effort". It is held by
    everyone tied to the agent now (first impressions included) and by everyone who dealt with it and has
    since walked away: counting only current ties would hide exactly the people who were let down.
    """

    def __init__(self, sim: Simulation, *, forget: float = 1.0) -> None:
        ties, people = sim.ties, sim.population
        slots = ties.slots
        (trust_sum, live_ties, referral_sum, referral_live, reputation_total, reputation_held,
         referral_total, referral_held) = sample_ties(
            ties.source[:slots], ties.target[:slots], ties.alive[:slots], ties.dealings[:slots],
            ties.positive[:slots], ties.negative[:slots], ties.ref_positive[:slots], ties.ref_negative[:slots],
            people.base_rate, people.size, float(forget))
        self.mean_trust = trust_sum / live_ties if live_ties else float("nan")
        self.referral_trust = referral_sum / referral_live if referral_live else float("nan")
        self.reputation = _ratio(reputation_total, reputation_held)
        self.referral_reputation = _ratio(referral_total, referral_held)


def _ratio(totals: np.ndarray, counts: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1e-300), np.nan)


def reputations(sim: Simulation) -> tuple[np.ndarray, np.ndarray]:
    """Per agent: mean functional and mean referral trust placed in it (NaN where nobody has any)."""
    view = TrustView(sim)
    return view.reputation, view.referral_reputation


def network_measures(sim: Simulation, view: TrustView) -> dict[str, float]:
    """Every measure of MODEL.md for the current state."""
    people = sim.population
    base = people.view("base_rate")
    reputation = view.reputation
    known = ~np.isnan(reputation)
    # reliability rarely changes: its sort order is cached by the population; keep the known ones in order
    order = people.reliability_order()
    known_order = order[known[order]]
    position = np.cumsum(known) - 1
    accuracy = spearman(reputation[known], people.view("reliability")[known], position[known_order])
    resolved = sim.vouch_kept + sim.vouch_broken
    return {
        "mean_trust": view.mean_trust,
        "generalized_trust": float(base.mean()),
        "referral_trust": view.referral_trust,
        "trust_accuracy": accuracy,
        "vouch_precision": sim.vouch_kept / resolved if resolved else float("nan"),
        "promises_kept": float(people.view("promises_kept").sum()),
        "promises_broken": float(people.view("promises_broken").sum()),
        "ties": float(sim.ties.count),
        "ties_broken": float(sim.ties_broken),
        "follower_gini": gini(people.view("followers")),
    }


def archetype_measures(sim: Simulation, view: TrustView) -> np.ndarray:
    """One row per archetype, columns as :data:`ARCHETYPE_COLUMNS` (float64)."""
    reputation, referral = view.reputation, view.referral_reputation
    people = sim.population
    groups = people.view("archetype").astype(np.int64)
    k = len(people.archetypes)
    counts = np.bincount(groups, minlength=k).astype(np.float64)

    def nanmean_by(values: np.ndarray) -> np.ndarray:
        known = ~np.isnan(values)
        return _mean_by(groups[known], values[known], k)

    return np.column_stack([
        counts,
        nanmean_by(reputation),
        _mean_by(groups, people.view("followers").astype(np.float64), k),
        np.bincount(groups, weights=people.view("promises_kept"), minlength=k),
        np.bincount(groups, weights=people.view("promises_broken"), minlength=k),
        nanmean_by(referral),
    ])
