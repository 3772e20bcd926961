"""Forgetting (MODEL.md, relationships): every tie's evidence, functional and referral, decays by a
factor λ = ``trust.forgetting`` per day (λ = 1 keeps everything).

Forgetting touches every tie every day, and so does the day's sample of the network measures. At
100,000 agents that is a million ties, and the pass is bound by memory bandwidth, so the two share
one pass (:func:`read_then_forget`): it reads each tie for the measures as the evidence stood at the
start of the day, then decays it. The measures (:mod:`sim.measures`) are computed from what it read.

The pass reads only the *active* slots: a tie that has ended, and that no measure will ever read again,
is retired from it. A dead tie is never written again (a tie made anew gets a fresh slot), so once it
has faded, or was broken before any real dealings, and has no referral evidence left to count (at most
1e-9, which forgetting only shrinks), every sample would skip it: the pass stops visiting it, and its
evidence stays as it was, unread. The slots it still reads are in slot order, so the sums are added in
the same order as over every slot.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..kernels import kernel
from ..world import World


class TieSums(NamedTuple):
    """What one pass over every tie read (before forgetting), for the measures.

    Functional trust summed over live ties (and how many), and the weight of evidence in it; referral
    trust summed over live ties that carry referral evidence (and how many); per agent, the functional
    trust placed in it and by how many, and the referral trust placed in it and by how many.
    """

    trust_sum: float
    live_ties: int
    weight_sum: float
    referral_sum: float
    referral_live: int
    reputation_total: np.ndarray
    reputation_held: np.ndarray
    referral_total: np.ndarray
    referral_held: np.ndarray


@kernel
def daily_factor(w, day: int) -> float:
    """λ for the night after ``day``: the scenario's, except after the last day (nothing follows it)."""
    return 1.0 if day >= w.config.days else w.config.forgetting


@kernel
def read_then_forget(w, sample, factor: float, read: bool) -> None:
    """One pass over the active tie slots: read each for the measures into ``sample`` (with ``read``), then
    multiply its evidence by ``factor``, and retire the slots no one will read again.

    Evidence kept outside the tie table (hearsay, what has been told: :mod:`sim.ledger`) is decayed
    lazily by the number of forgetting nights, counted here; what agents have seen of strangers is
    forgotten by :func:`sim.mechanisms.generalized_trust.forget`.

    ``sample`` receives: functional trust E = (r + 2a) / (r + s + 2) summed over live ties, and the
    weight of evidence in it, (r + s) / (r + s + 2); per agent, the functional trust placed in it, summed
    over everyone who holds an opinion (a live tie, or a former one with real dealings that did not
    fade: reputation); referral trust E' = (r' + 2E) / (r' + s' + 2) over ties that carry referral
    evidence (its base rate is the functional trust on the same tie), per agent and summed over live ones.
    """
    ties, base_rate = w.ties, w.people.base_rate
    agents = w.people.size[0]
    if factor != 1.0:
        w.nights[0] += 1
    source, target, alive, faded, dealings = ties.source, ties.target, ties.alive, ties.faded, ties.dealings
    positive, negative, ref_positive, ref_negative = ties.positive, ties.negative, ties.ref_positive, ties.ref_negative
    own_positive, own_negative, active = ties.own_positive, ties.own_negative, ties.active
    reputation_total, reputation_held = sample.reputation_total, sample.reputation_held
    referral_total, referral_held = sample.referral_total, sample.referral_held
    if read:
        reputation_total[:agents] = 0.0
        reputation_held[:agents] = 0.0
        referral_total[:agents] = 0.0
        referral_held[:agents] = 0.0
    trust_sum, weight_sum, live_ties, referral_sum, referral_live = 0.0, 0.0, 0, 0.0, 0
    still = 0
    for k in range(ties.sizes[2]):
        slot = active[k]
        good, bad = positive[slot], negative[slot]
        ref_good, ref_bad = ref_positive[slot], ref_negative[slot]
        live = alive[slot]
        holds = live or (dealings[slot] > 0 and not faded[slot])
        if read:
            trusted = target[slot]
            trust = (good + 2.0 * base_rate[source[slot]]) / (good + bad + 2.0)
            if live:
                trust_sum += trust
                weight_sum += (good + bad) / (good + bad + 2.0)
                live_ties += 1
            if holds:
                reputation_total[trusted] += trust
                reputation_held[trusted] += 1.0
            if ref_good + ref_bad > 1e-9:
                referral = (ref_good + 2.0 * trust) / (ref_good + ref_bad + 2.0)
                referral_total[trusted] += referral
                referral_held[trusted] += 1.0
                if live:
                    referral_sum += referral
                    referral_live += 1
        if factor != 1.0:
            ref_good *= factor
            ref_bad *= factor
            positive[slot] = good * factor
            negative[slot] = bad * factor
            ref_positive[slot] = ref_good
            ref_negative[slot] = ref_bad
            own_positive[slot] *= factor
            own_negative[slot] *= factor
        if holds or ref_good + ref_bad > 1e-9:
            active[still] = slot
            still += 1
    ties.sizes[2] = still
    if read:
        sample.trust_sum, sample.weight_sum, sample.live_ties = trust_sum, weight_sum, live_ties
        sample.referral_sum, sample.referral_live = referral_sum, referral_live
        for agent in range(agents):
            held = reputation_held[agent]
            sample.reputation[agent] = reputation_total[agent] / held if held > 0 else np.nan
            held = referral_held[agent]
            sample.referral_reputation[agent] = referral_total[agent] / held if held > 0 else np.nan


def tie_sums(world: World, factor: float = 1.0) -> TieSums:
    """The pass from Python, into buffers of its own (the day's sample is left as it is): what it read,
    for the agents so far; the evidence is then forgotten by ``factor`` (1: kept as it is)."""
    from ..kernels_state import new_sample, sample_arrays, sample_sums

    sample = new_sample(*(np.zeros(world.population.allocated) for _ in range(6)))
    read_then_forget(world, sample, float(factor), True)
    agents = world.population.size
    return TieSums(*sample_sums(sample), *(array[:agents] for array in sample_arrays(sample)[:4]))
