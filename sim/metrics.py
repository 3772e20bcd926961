"""Network-wide measures, computed from arrays in O(ties + agents).

The names of :data:`METRICS` are the export's column names, exactly as MODEL.md gives them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

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


def rank_average(values: np.ndarray) -> np.ndarray:
    """Ranks with ties given their average rank (as Spearman's rho needs)."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    ends = np.concatenate((starts[1:], [len(values)]))
    average = (starts + ends - 1) / 2.0
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(average, ends - starts)
    return ranks


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation; NaN when either side has no spread."""
    if len(x) < 3:
        return float("nan")
    rx, ry = rank_average(x), rank_average(y)
    rx -= rx.mean()
    ry -= ry.mean()
    denominator = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / denominator) if denominator > 0 else float("nan")


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal; toward 1: one holds everything)."""
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return 0.0
    ordered = np.sort(values).astype(np.float64)
    n = len(ordered)
    return float((2.0 * np.arange(1, n + 1) - n - 1) @ ordered / (n * total))


def _mean_by(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    totals = np.bincount(groups, weights=values, minlength=size)
    counts = np.bincount(groups, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


def reputations(sim: Simulation) -> tuple[np.ndarray, np.ndarray]:
    """Per agent: mean functional and mean referral trust placed in it (NaN where nobody has any).

    Reputation is the opinion held by everyone who has a tie to the agent now (first impressions
    included) and by everyone who dealt with it and has since walked away: counting only current ties
    would hide exactly the people who were let down.
    """
    ties, people = sim.ties, sim.population
    n = people.size
    used = slice(0, ties.slots)
    experienced = np.flatnonzero(ties.alive[used] | (ties.dealings[used] > 0))
    functional = _mean_by(ties.target[experienced],
                          ties.trust(experienced, people.base_rate[ties.source[experienced]]), n)
    evidence = ties.ref_positive[used] + ties.ref_negative[used]
    recommended = np.flatnonzero(evidence > 1e-9)
    referral = _mean_by(ties.target[recommended],
                        ties.referral_trust(recommended, people.base_rate[ties.source[recommended]]), n)
    return functional, referral


def network_measures(sim: Simulation, reputation: np.ndarray) -> dict[str, float]:
    """Every measure of MODEL.md for the current state (``reputation`` from :func:`reputations`)."""
    ties, people = sim.ties, sim.population
    slots = ties.alive_slots()
    base = people.view("base_rate")
    functional = ties.trust(slots, base[ties.source[slots]])
    with_referrals = slots[(ties.ref_positive[slots] + ties.ref_negative[slots]) > 1e-9]
    referral = ties.referral_trust(with_referrals, base[ties.source[with_referrals]])
    known = ~np.isnan(reputation)
    accuracy = spearman(reputation[known], people.view("reliability")[known])
    resolved = sim.vouch_kept + sim.vouch_broken
    return {
        "mean_trust": float(functional.mean()) if len(functional) else float("nan"),
        "generalized_trust": float(base.mean()),
        "referral_trust": float(referral.mean()) if len(referral) else float("nan"),
        "trust_accuracy": accuracy,
        "vouch_precision": sim.vouch_kept / resolved if resolved else float("nan"),
        "promises_kept": float(people.view("promises_kept").sum()),
        "promises_broken": float(people.view("promises_broken").sum()),
        "ties": float(ties.count),
        "ties_broken": float(sim.ties_broken),
        "follower_gini": gini(people.view("followers")),
    }


def archetype_measures(sim: Simulation, reputation: np.ndarray, referral: np.ndarray) -> np.ndarray:
    """One row per archetype, columns as :data:`ARCHETYPE_COLUMNS` (float64)."""
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
