"""Transitivity: how far a recommendation is believed (sim/mechanisms/transitivity.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import tie, world

from sim.mechanisms import transitivity


def test_the_weight_is_referral_trust_over_a_functional_base_rate():
    w = world(2, base_rate=0.5)
    slot = tie(w, 0, 1, positive=2.0)                           # functional trust (2 + 1) / 4 = 0.75
    assert transitivity.referral_weight(w, np.array([slot]))[0] == pytest.approx(0.75)
    w.ties.ref_positive[slot], w.ties.ref_negative[slot] = 1.0, 3.0
    assert transitivity.referral_weight(w, np.array([slot]))[0] == pytest.approx((1 + 1.5) / 6)


def test_without_discounting_everything_is_believed():
    w = world(2, scenario={"vouching.discounting": False})
    slot = tie(w, 0, 1, negative=9.0)
    assert transitivity.referral_weight(w, np.array([slot]))[0] == 1.0


def test_discounted_evidence_shrinks_with_the_weight():
    full = transitivity.discounted_evidence(np.array([1.0]), 0.5, 0.25)
    half = transitivity.discounted_evidence(np.array([0.5]), 0.5, 0.25)
    assert full[0][0] == pytest.approx(2 * 0.5 / 0.25) and half[0][0] < full[0][0] and half[1][0] < full[1][0]
