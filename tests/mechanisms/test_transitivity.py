"""Transitivity: how far a recommendation is believed (sim/mechanisms/transitivity.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import tie, world

from sim.mechanisms import transitivity


def test_the_weight_is_the_belief_of_the_referral_opinion_over_the_functional_belief():
    w = world(2, base_rate=0.5)
    slot = tie(w, 0, 1, positive=2.0)                           # functional belief 2 / 4 = 0.5
    assert transitivity.referral_weight(w, np.array([slot]))[0] == pytest.approx(0.5)
    w.ties.ref_positive[slot], w.ties.ref_negative[slot] = 3.0, 1.0   # referral trust (3 + 2 * 0.75) / 6
    assert transitivity.referral_weight(w, np.array([slot]))[0] == pytest.approx((3 + 2 * 0.5) / 6)


def test_an_unknown_recommender_tells_nothing():
    w = world(2, base_rate=0.6)
    slot = tie(w, 0, 1)                                         # a tie, and no evidence at all
    assert transitivity.referral_weight(w, np.array([slot]))[0] == 0.0
    assert transitivity.discounted_evidence(np.array([0.0]), 0.8, 0.0)[0][0] == 0.0   # the prior stands


def test_a_recommender_trusted_no_more_than_a_stranger_tells_nothing():
    w = world(2, base_rate=0.6)
    slot = tie(w, 0, 1, positive=1.0, negative=3.0)            # trust (1 + 1.2) / 6 = 0.37 < 0.6, belief 1/6
    assert transitivity.referral_weight(w, np.array([slot]))[0] == 0.0


def test_switched_off_the_projected_referral_trust_weighs_it_prior_included():
    w = world(2, scenario={"vouching.uncertain_referrals": False}, base_rate=0.6)
    unknown = tie(w, 0, 1)
    assert transitivity.referral_weight(w, np.array([unknown]))[0] == pytest.approx(0.6)
    w.ties.ref_positive[unknown], w.ties.ref_negative[unknown] = 1.0, 3.0
    assert transitivity.referral_weight(w, np.array([unknown]))[0] == pytest.approx((1 + 1.2) / 6)


def test_without_discounting_everything_is_believed():
    w = world(2, scenario={"vouching.discounting": False})
    slot = tie(w, 0, 1, negative=9.0)
    assert transitivity.referral_weight(w, np.array([slot]))[0] == 1.0


def test_discounted_evidence_shrinks_with_the_weight():
    full = transitivity.discounted_evidence(np.array([1.0]), 0.5, 0.25)
    half = transitivity.discounted_evidence(np.array([0.5]), 0.5, 0.25)
    assert full[0][0] == pytest.approx(2 * 0.5 / 0.25) and half[0][0] < full[0][0] and half[1][0] < full[1][0]
