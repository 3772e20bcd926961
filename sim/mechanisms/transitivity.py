"""Transitivity (MODEL.md, relationships): a recommendation from v about k (a vouch, or testimony)
reaches t discounted by how far t believes v, then combined with t's base rate into t's opinion of k.

The discounting scales the recommendation's belief and disbelief by a weight w and turns the rest into
uncertainty (Jøsang, Subjective Logic, 2016, trust discounting). The weight is *uncertainty-favouring*
(Jøsang, Marsh & Pope 2006, "Exploring different types of trust propagation"): it is the *belief* in
t's referral opinion of v, the part of it that rests on evidence, not its projected probability, whose
prior share would let a recommender t knows nothing about count almost fully. So:

- an unknown recommender tells t nothing: t stays at its prior (the second case study: "do you know this
  person?" asked of someone who does not);
- t's referral opinion of v rests on its referral evidence about v (r', s': how v's past recommendations
  turned out), and where that is thin, on what t has seen of v as a provider: w = (r' + 2 b) / (r' + s' +
  2), with b = r / (r + s + 2) the belief of t's functional opinion of v (see
  :meth:`sim.ties.TieTable.referral_belief`): someone whose recommendations are untested is believed as far
  as t has seen it deliver;
- a recommender t trusts no more than a stranger (referral trust at or below t's base rate) tells t
  nothing: it is no better a source than none;
- a vouch from a recommender t distrusts (referral trust below ``trust.untie_threshold``) is no reason to
  tie (:mod:`.vouching`), whatever t thinks of strangers.

Switches: ``vouching.uncertain_referrals = false`` weighs by the projected referral trust instead
(w = E' = (r' + 2E) / (r' + s' + 2), E the functional trust, prior included: before version 0.3);
``vouching.discounting = false`` takes every recommendation at face value (w = 1).
"""

from __future__ import annotations

import numpy as np

from .. import ties
from ..kernels import kernel
from ..trust import discount_arrays, discount_weighted, evidence_from_opinion, to_evidence


@kernel
def trust_in(w, listener_slot: int) -> float:
    """E' on a listener -> source tie: the listener's referral trust in the source (1 without discounting:
    everyone is believed)."""
    if not w.config.discounting:
        return 1.0
    return ties.referral_trust(w.ties, listener_slot, w.people.base_rate[w.ties.source[listener_slot]])


@kernel
def weight(w, listener_slot: int) -> float:
    """w on a listener -> source tie: how far the listener believes the source."""
    config = w.config
    trust = trust_in(w, listener_slot)
    if not config.discounting or not config.uncertain_referrals:
        return trust
    prior = w.people.base_rate[w.ties.source[listener_slot]]
    belief = ties.referral_belief(w.ties, listener_slot)
    return belief if trust > prior else 0.0


@kernel
def discounted(weight: float, belief: float, disbelief: float) -> tuple[float, float]:
    """A recommendation (belief, disbelief) discounted by ``weight``, as (positive, negative) evidence."""
    b, d, u = discount_weighted(weight, belief, disbelief)
    return to_evidence(b, d, u)


@kernel
def referral_trust(w, listener_slots: np.ndarray) -> np.ndarray:
    """:func:`trust_in` on each listener -> source tie."""
    found = np.empty(len(listener_slots))
    for i in range(len(listener_slots)):
        found[i] = trust_in(w, listener_slots[i])
    return found


@kernel
def referral_weight(w, listener_slots: np.ndarray) -> np.ndarray:
    """:func:`weight` on each listener -> source tie."""
    found = np.empty(len(listener_slots))
    for i in range(len(listener_slots)):
        found[i] = weight(w, listener_slots[i])
    return found


def discounted_evidence(weight: np.ndarray, belief: np.ndarray | float,
                        disbelief: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`discounted` on arrays (numpy, the same formulas)."""
    return evidence_from_opinion(*discount_arrays(weight, belief, disbelief))
