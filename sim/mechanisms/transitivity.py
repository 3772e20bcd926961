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

from ..trust import discount_arrays, evidence_from_opinion
from ..world import World


def referral_trust(world: World, listener_slots: np.ndarray) -> np.ndarray:
    """E' for each listener -> source tie (``listener_slots``): the listener's referral trust in the source
    (1 without discounting: everyone is believed)."""
    if not world.scenario.vouching.discounting:
        return np.ones(len(listener_slots))
    ties = world.ties
    return ties.referral_trust(listener_slots, world.population.base_rate[ties.source[listener_slots]])


def referral_weight(world: World, listener_slots: np.ndarray) -> np.ndarray:
    """w for each listener -> source tie (``listener_slots``): how far the listener believes the source."""
    config = world.scenario.vouching
    trust = referral_trust(world, listener_slots)
    if not config.discounting or not config.uncertain_referrals:
        return trust
    ties = world.ties
    prior = world.population.base_rate[ties.source[listener_slots]]
    return np.where(trust > prior, ties.referral_belief(listener_slots), 0.0)


def discounted_evidence(weight: np.ndarray, belief: np.ndarray | float,
                        disbelief: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """A recommendation (belief, disbelief) discounted by ``weight``, as (positive, negative) evidence."""
    b, d, u = discount_arrays(weight, belief, disbelief)
    return evidence_from_opinion(b, d, u)
