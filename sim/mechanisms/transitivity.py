"""Transitivity (MODEL.md, relationships): a recommendation from v about k reaches t discounted by t's
referral trust in v, then combined with t's base rate into t's opinion of k.

The discounting is Jøsang's (Subjective Logic, 2016, trust discounting): with P the projected
probability of t's referral opinion of v, the recommendation's belief and disbelief are scaled by P and
the rest becomes uncertainty. Two choices are this model's, for a referral opinion with no evidence
behind it and for a recommender t distrusts:

- t's referral opinion of v has as its base rate t's *functional* trust in v (see
  :meth:`sim.ties.TieTable.referral_trust`): someone whose recommendations are untested is believed as
  far as it is trusted to deliver, not as far as a stranger would be;
- a vouch from a recommender t distrusts (referral trust below ``trust.untie_threshold``) is no reason
  to tie (:mod:`.vouching`), whatever t thinks of strangers.

Switch: ``vouching.discounting = false`` takes every recommendation at face value (P = 1).
"""

from __future__ import annotations

import numpy as np

from ..trust import discount_arrays, evidence_from_opinion
from ..world import World


def referral_weight(world: World, listener_slots: np.ndarray) -> np.ndarray:
    """P for each listener -> source tie (``listener_slots``): how far the listener believes the source."""
    if not world.scenario.vouching.discounting:
        return np.ones(len(listener_slots))
    ties = world.ties
    return ties.referral_trust(listener_slots, world.population.base_rate[ties.source[listener_slots]])


def discounted_evidence(weight: np.ndarray, belief: np.ndarray | float,
                        disbelief: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """A recommendation (belief, disbelief) discounted by ``weight``, as (positive, negative) evidence."""
    b, d, u = discount_arrays(weight, belief, disbelief)
    return evidence_from_opinion(b, d, u)
