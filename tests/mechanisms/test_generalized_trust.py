"""Generalized trust is a beta opinion about strangers, learnt from outcomes and forgotten at λ
(sim/mechanisms/generalized_trust.py)."""

from __future__ import annotations

import numpy as np
import pytest
from worlds import ids, world

from sim.mechanisms import generalized_trust


def test_a_kept_promise_raises_trust_in_strangers_and_a_broken_one_lowers_it_harder():
    w = world(3, scenario={"trust.asymmetry": 3.0}, base_rate=0.5)
    generalized_trust.learn(w, ids(0, 1, 1), np.array([True, False, False]))
    base = w.population.base_rate
    assert base[0] == pytest.approx((2 * 0.5 + 1) / (2 + 1))          # one kept: (2a + 1) / (2 + 1)
    assert base[1] == pytest.approx((2 * 0.5) / (2 + 3 * 2))          # two broken, three units each
    assert base[2] == 0.5                                               # saw nothing: its disposition


def test_the_weight_of_an_outcome_is_generalized_learning():
    w = world(2, scenario={"trust.generalized_learning": 0.5}, base_rate=0.5)
    generalized_trust.learn(w, ids(0), np.array([True]))
    assert w.population.base_rate[0] == pytest.approx((2 * 0.5 + 0.5) / (2 + 0.5))


def test_what_was_seen_fades_at_lambda_and_trust_returns_toward_the_disposition():
    w = world(2, scenario={"trust.forgetting": 0.5}, base_rate=0.6)
    generalized_trust.learn(w, ids(0, 0), np.array([False, False]))
    low = w.population.base_rate[0]
    generalized_trust.forget(w, 0.5)
    assert w.population.seen_broken[0] == 1.0
    assert low < w.population.base_rate[0] < 0.6
    for _ in range(60):
        generalized_trust.forget(w, 0.5)
    assert w.population.base_rate[0] == pytest.approx(0.6)


def test_it_settles_at_the_asymmetric_kept_share():
    """With a share p of outcomes kept, a -> p / (p + k (1 - p)) once experience outweighs the prior."""
    w = world(2, scenario={"trust.asymmetry": 3.0, "trust.forgetting": 0.99}, base_rate=0.9)
    for _ in range(3000):
        generalized_trust.learn(w, ids(0, 0, 0, 0), np.array([True, True, True, False]))
        generalized_trust.forget(w, 0.99)
    assert w.population.base_rate[0] == pytest.approx(0.75 / (0.75 + 3 * 0.25), abs=0.01)


def test_no_learning_when_switched_off():
    w = world(2, scenario={"trust.generalized_learning": 0.0}, base_rate=0.6)
    generalized_trust.learn(w, ids(0, 1), np.array([True, False]))
    generalized_trust.forget(w, 0.9)
    np.testing.assert_array_equal(w.population.base_rate[:2], [0.6, 0.6])


def test_a_reform_of_base_rate_is_a_new_disposition():
    w = world(2, base_rate=0.5)
    generalized_trust.learn(w, ids(0), np.array([True]))
    w.population.set_trait("base_rate", ids(0), 0.2)
    generalized_trust.forget(w, 0.999)
    assert w.population.disposition[0] == 0.2 and w.population.base_rate[0] < 0.5
