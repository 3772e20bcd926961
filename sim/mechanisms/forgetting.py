"""Forgetting (MODEL.md, relationships): every tie's evidence, functional and referral, decays by a
factor λ = ``trust.forgetting`` per day (λ = 1 keeps everything).

Forgetting touches every tie every day, and so does the day's sample of the network measures. At
100,000 agents that is a million ties, and the pass is bound by memory bandwidth, so the two share
one pass (:func:`read_then_forget`): it reads each tie for the measures as the evidence stood at the
start of the day, then decays it. The measures (:mod:`sim.measures`) are computed from what it read.
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


_BLOCK = 4096   # slots read at a time: each block's trust in one vectorised loop, then its sums in order


@kernel
def read_then_forget(w, sample, factor: float, read: bool) -> None:
    """One pass over every tie slot: read it for the measures into ``sample`` (with ``read``), then multiply
    its evidence by ``factor``.

    Evidence kept outside the tie table (hearsay, what has been told: :mod:`sim.ledger`) is decayed
    lazily by the number of forgetting nights, counted here; what agents have seen of strangers is
    forgotten by :func:`sim.mechanisms.generalized_trust.forget`.

    ``sample`` receives: functional trust E = (r + 2a) / (r + s + 2) summed over live ties, and the
    weight of evidence in it, (r + s) / (r + s + 2); per agent, the functional trust placed in it, summed
    over everyone who holds an opinion (a live tie, or a former one with real dealings that did not
    fade: reputation); referral trust E' = (r' + 2E) / (r' + s' + 2) over ties that carry referral
    evidence (its base rate is the functional trust on the same tie), per agent and summed over live ones.
    Every sum is taken in slot order, whatever the blocks.
    """
    ties = w.ties
    if factor != 1.0:
        w.nights[0] += 1
    if read:
        _read(w, sample)
    if factor == 1.0:
        return
    positive, negative, ref_positive, ref_negative = ties.positive, ties.negative, ties.ref_positive, ties.ref_negative
    own_positive, own_negative = ties.own_positive, ties.own_negative
    for slot in range(ties.sizes[0]):
        positive[slot] *= factor
        negative[slot] *= factor
        ref_positive[slot] *= factor
        ref_negative[slot] *= factor
        own_positive[slot] *= factor
        own_negative[slot] *= factor


@kernel
def _read(w, sample) -> None:
    ties, base_rate = w.ties, w.people.base_rate
    agents = w.people.size[0]
    source, target, alive, faded, dealings = ties.source, ties.target, ties.alive, ties.faded, ties.dealings
    positive, negative, ref_positive, ref_negative = ties.positive, ties.negative, ties.ref_positive, ties.ref_negative
    reputation_total, reputation_held = sample.reputation_total, sample.reputation_held
    referral_total, referral_held = sample.referral_total, sample.referral_held
    reputation_total[:agents] = 0.0
    reputation_held[:agents] = 0.0
    referral_total[:agents] = 0.0
    referral_held[:agents] = 0.0
    trust_sum, weight_sum, live_ties, referral_sum, referral_live = 0.0, 0.0, 0, 0.0, 0
    trust, weight = np.empty(_BLOCK), np.empty(_BLOCK)
    slots = ties.sizes[0]
    for first in range(0, slots, _BLOCK):
        size = min(_BLOCK, slots - first)
        for i in range(size):
            good, bad = positive[first + i], negative[first + i]
            trust[i] = (good + 2.0 * base_rate[source[first + i]]) / (good + bad + 2.0)
            weight[i] = (good + bad) / (good + bad + 2.0)
        # adding 0 where a tie does not count changes no sum (they are all at least 0), and spares the
        # processor a branch it cannot predict
        for i in range(size):
            slot = first + i
            live = alive[slot]
            holds = live or (dealings[slot] > 0 and not faded[slot])
            trust_sum += trust[i] * live
            weight_sum += weight[i] * live
            live_ties += live
            reputation_total[target[slot]] += trust[i] * holds
            reputation_held[target[slot]] += 1.0 * holds
        for i in range(size):                   # few ties carry referral evidence
            slot = first + i
            ref_good, ref_bad = ref_positive[slot], ref_negative[slot]
            if ref_good + ref_bad > 1e-9:
                referral = (ref_good + 2.0 * trust[i]) / (ref_good + ref_bad + 2.0)
                referral_total[target[slot]] += referral
                referral_held[target[slot]] += 1.0
                if alive[slot]:
                    referral_sum += referral
                    referral_live += 1
    sample.trust_sum, sample.weight_sum, sample.live_ties = trust_sum, weight_sum, live_ties
    sample.referral_sum, sample.referral_live = referral_sum, referral_live
    reputation, referral_reputation = sample.reputation, sample.referral_reputation
    for agent in range(agents):
        held = reputation_held[agent]
        reputation[agent] = reputation_total[agent] / held if held > 0 else np.nan
        held = referral_held[agent]
        referral_reputation[agent] = referral_total[agent] / held if held > 0 else np.nan


def tie_sums(world: World, factor: float = 1.0) -> TieSums:
    """The pass from Python, into buffers of its own (the day's sample is left as it is): what it read,
    for the agents so far; the evidence is then forgotten by ``factor`` (1: kept as it is)."""
    from ..kernels_state import new_sample, sample_arrays, sample_sums

    sample = new_sample(*(np.zeros(world.population.allocated) for _ in range(6)))
    read_then_forget(world, sample, float(factor), True)
    agents = world.population.size
    return TieSums(*sample_sums(sample), *(array[:agents] for array in sample_arrays(sample)[:4]))
